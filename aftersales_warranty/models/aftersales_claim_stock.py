"""What a claim does in the workshop, the warehouse and the books: the repair order, the
return receipt, the replacement delivery, the credit note."""

from odoo import Command, models
from odoo.exceptions import UserError


class AftersalesClaim(models.Model):
    _inherit = "aftersales.claim"

    def _prepare_repair_vals(self):
        self.ensure_one()
        return {
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "under_warranty": self.under_warranty,
            "aftersales_claim_id": self.id,
            # Not the customer's order as sale_order_id: that is the repair's own quotation, and the
            # parts would be added to (and invoiced on) the order that sold the unit.
            "internal_notes": self.description,
        }

    def _cancel_open_operations(self):
        """Stop what the claim started and no longer needs: repairs, transfers, draft credit note.

        Otherwise a replacement could still be delivered, and void the warranty, for a claim that
        was dropped.
        """
        self.repair_order_ids.filtered(lambda r: r.state not in ("done", "cancel")).action_repair_cancel()
        # Transfers and credit notes are system documents, see _create_claim_picking.
        claims = self.sudo()
        claims.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")).action_cancel()
        claims.credit_note_id.filtered(lambda m: m.state == "draft").button_cancel()

    def _check_unit_known(self):
        if not self.product_id:
            raise UserError(
                self.env._(
                    "Claim %(name)s has no product: set the product or the serial first.", name=self.name
                )
            )
        if self.product_id.tracking == "serial" and not self.lot_id:
            raise UserError(
                self.env._("Claim %(name)s needs the serial number of the faulty unit.", name=self.name)
            )

    def _warehouse(self):
        return self.sale_order_id.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )

    def _create_claim_picking(self, picking_type, location, location_dest, **move_vals):
        """A confirmed one-unit transfer of the claimed product, linked to the claim.

        The agent decides, the warehouse executes: the transfer is a system document that agents
        need not be allowed to create themselves, hence sudo (company set explicitly).
        """
        self.ensure_one()
        picking = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": self.partner_id.id,
                    "location_id": location.id,
                    "location_dest_id": location_dest.id,
                    "origin": self.name,
                    "company_id": self.company_id.id,
                    "aftersales_claim_id": self.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": self.product_id.id,
                                "product_uom_qty": 1.0,
                                "location_id": location.id,
                                "location_dest_id": location_dest.id,
                                **move_vals,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        return picking

    def _create_return_receipt(self):
        """A receipt bringing the faulty unit (its serial named) back from the customer."""
        picking_type = self.sudo()._warehouse().in_type_id
        picking = self._create_claim_picking(
            picking_type,
            self.env.ref("stock.stock_location_customers"),
            picking_type.default_location_dest_id,
        )
        if self.lot_id:
            # Units come back from a customer location, where nothing is reserved: name the serial.
            move = picking.move_ids
            move.move_line_ids.unlink()
            self.env["stock.move.line"].sudo().create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_uom.id,
                    "lot_id": self.lot_id.id,
                    "quantity": 1.0,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                }
            )
        return picking

    def _create_replacement_delivery(self):
        """A delivery of a replacement unit; its warranty inherits the remaining coverage."""
        picking_type = self.sudo()._warehouse().out_type_id
        picking = self._create_claim_picking(
            picking_type,
            picking_type.default_location_src_id,
            self.env.ref("stock.stock_location_customers"),
            aftersales_claim_id=self.id,
        )
        picking.action_assign()
        return picking

    def _create_credit_note(self):
        """Draft credit note for one unit of the invoiced sale line of the claimed product."""
        # A draft for the accountants to check: agents need no invoicing rights to propose it.
        claim = self.sudo()
        line = (
            claim.warranty_id.sale_line_id
            or claim.sale_order_id.order_line.filtered(lambda sol, p=claim.product_id: sol.product_id == p)[
                :1
            ]
        )
        invoice_line = line.invoice_lines.filtered(
            lambda aml: aml.move_id.move_type == "out_invoice" and aml.move_id.state == "posted"
        )[:1]
        if not invoice_line:
            self.message_post(
                body=self.env._("No posted invoice was found for this unit: no credit note was drafted.")
            )
            return self.env["account.move"]
        invoice = invoice_line.move_id
        credit_note = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "currency_id": invoice.currency_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": self.name,
                    "ref": self.env._("Refund of claim %(name)s", name=self.name),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": invoice_line.product_id.id,
                                "quantity": 1.0,
                                "price_unit": invoice_line.price_unit,
                                "discount": invoice_line.discount,
                                "tax_ids": [Command.set(invoice_line.tax_ids.ids)],
                                "sale_line_ids": [Command.set(line.ids)],
                            }
                        )
                    ],
                }
            )
        )
        self.message_post(
            body=self.env._("Draft credit note %(move)s created.", move=credit_note._get_html_link())
        )
        return credit_note
