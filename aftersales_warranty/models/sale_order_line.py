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

    def _apply_warranty_extension(self, date_end):
        """``date_end`` moved by this extension line when it is confirmed (untouched otherwise)."""
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        if self.state != "sale" or not template.is_warranty_extension:
            return date_end
        return add_duration(date_end, template.warranty_extension_duration, template.warranty_extension_unit)

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
