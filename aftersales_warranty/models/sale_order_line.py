from odoo import Command, api, fields, models

from .aftersales_warranty_policy import add_duration


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    warranty_ids = fields.One2many("aftersales.warranty", "sale_line_id", string="Warranties")
    warranty_date_end = fields.Date(
        "Warranty End",
        compute="_compute_warranty_date_end",
        help="Latest end of coverage among the live warranties of this line.",
    )
    is_warranty_extension = fields.Boolean(related="product_id.is_warranty_extension")
    warranty_target_id = fields.Many2one(
        "aftersales.warranty",
        string="Extended Warranty",
        index="btree_not_null",
        copy=False,
        help="The warranty this extension line extends; empty: every warranty of the order.",
    )

    @api.depends("qty_delivered")
    def _compute_qty_to_invoice(self):
        """A unit a claim took back (refunded) is no longer to invoice, whatever the product's
        invoicing policy: on ordered quantities, the units returned under claims (less those sent
        again: replacements, units sent back) come off the quantity to invoice."""
        res = super()._compute_qty_to_invoice()
        for line in self:
            if (
                line.state != "sale"
                or line.display_type
                or line.product_id.type == "combo"
                or line.product_id.invoice_policy != "order"
            ):
                continue
            returned = line._aftersales_claim_returned_qty()
            if returned:
                line.qty_to_invoice -= returned
        return res

    @api.depends("qty_delivered")
    def _compute_invoice_status(self):
        """Fully invoiced, net of the units claims took back: the order is not left waiting for
        the invoice of a unit the customer sent back."""
        res = super()._compute_invoice_status()
        for line in self.filtered(lambda sol: sol.invoice_status == "no" and sol.state == "sale"):
            returned = line._aftersales_claim_returned_qty()
            if (
                returned
                and line.product_uom_id.compare(line.qty_invoiced + returned, line.product_uom_qty) >= 0
            ):
                line.invoice_status = "invoiced"
        return res

    def _aftersales_claim_returned_qty(self):
        """Units of this line returned under claims and not sent again, in the line's unit."""
        self.ensure_one()
        quantity = 0.0
        # Derived from the warehouse's documents, whoever reads the order.
        for move in self.sudo().move_ids:
            if move.state != "done" or not move.picking_id.aftersales_claim_id:
                continue
            qty = move.product_uom._compute_quantity(move.quantity, self.product_uom_id)
            if move.location_id.usage == "customer" and move.to_refund:
                quantity += qty
            elif move.location_dest_id.usage == "customer":
                quantity -= qty
        return quantity

    aftersales_extended_warranty_ids = fields.Many2many(
        "aftersales.warranty",
        "aftersales_warranty_extension_rel",
        "sale_line_id",
        "warranty_id",
        string="Warranties Extended",
        readonly=True,
        copy=False,
    )

    @api.depends("warranty_ids.date_end", "warranty_ids.state")
    def _compute_warranty_date_end(self):
        for line in self:
            ends = [w.date_end for w in line.warranty_ids if w.state != "void" and w.date_end]
            line.warranty_date_end = max(ends) if ends else False

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # An extension added to an order that is already confirmed extends at once.
        lines.filtered(lambda line: line.state == "sale")._link_warranty_extensions()
        return lines

    def _apply_warranty_extension(self, date_end, warranty=None):
        """``date_end`` moved by this extension line (untouched when it extends nothing): once per
        extension unit it gives ``warranty`` (one for each unit without ``warranty``)."""
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        if not template.is_warranty_extension:
            return date_end
        times = self._warranty_extension_allocation().get(warranty.id, 0) if warranty else 1
        if self.state != "sale" and not warranty:
            times = 0
        for _i in range(times):
            date_end = add_duration(
                date_end, template.warranty_extension_duration, template.warranty_extension_unit
            )
        return date_end

    def _warranty_extension_units(self):
        """Whole extension units this line gives: its invoiced quantity net of credit notes once it
        is invoiced (posted documents), else its quantity while the order is confirmed."""
        self.ensure_one()
        posted = self.invoice_lines.filtered(lambda aml: aml.parent_state == "posted")
        if posted:
            quantity = sum(
                aml.product_uom_id._compute_quantity(aml.quantity, self.product_uom_id)
                * (-1 if aml.move_id.move_type == "out_refund" else 1)
                for aml in posted
            )
        elif self.state == "sale":
            quantity = self.product_uom_qty
        else:
            quantity = 0.0
        return max(0, int(quantity + 1e-6))

    def _warranty_extension_allocation(self):
        """{warranty id: times extended} for this line: its units go one per warranty it extends,
        the targeted one first, then by age, round after round."""
        self.ensure_one()
        warranties = self.sudo().aftersales_extended_warranty_ids.filtered(lambda w: w.state != "void")
        if not warranties:
            return {}
        target = self.warranty_target_id & warranties
        ordered = target + (warranties - target).sorted("id")
        units = self._warranty_extension_units()
        count = len(ordered)
        return {w.id: units // count + (1 if index < units % count else 0) for index, w in enumerate(ordered)}

    def _link_warranty_extensions(self):
        """Link confirmed extension lines to the warranties they extend, then revive/expire them."""
        ext_lines = self.filtered(lambda line: line.product_id.is_warranty_extension and line.state == "sale")
        if not ext_lines:
            return
        Warranty = self.env["aftersales.warranty"].sudo()
        touched = Warranty
        for line in ext_lines.filtered("warranty_target_id"):
            line.warranty_target_id.sudo().extension_line_ids = [Command.link(line.id)]
            touched |= line.warranty_target_id
        untargeted = ext_lines - ext_lines.filtered("warranty_target_id")
        if untargeted:
            warranties = Warranty.search(
                [("sale_order_id", "in", untargeted.order_id.ids), ("state", "!=", "void")]
            )
            for order in untargeted.order_id:
                lines = untargeted.filtered(lambda line, o=order: line.order_id == o)
                order_warranties = warranties.filtered(lambda w, o=order: w.sale_order_id == o)
                order_warranties.extension_line_ids = [Command.link(line.id) for line in lines]
                touched |= order_warranties
        touched.sudo()._refresh_expiry_state()
