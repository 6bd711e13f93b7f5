from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    aftersales_claim_id = fields.Many2one(
        "aftersales.claim", string="Claim", index="btree_not_null", copy=False, check_company=True
    )

    def _action_done(self):
        res = super()._action_done()
        # The warehouse tells the claim that its customer's unit arrived; storekeepers cannot read
        # claims, the claim settles itself.
        for picking in self.sudo().filtered(
            lambda p: p.aftersales_claim_id and p.state == "done" and p.location_id.usage == "customer"
        ):
            picking.aftersales_claim_id._on_return_received(picking)
        return res

    def action_create_past_warranties(self):
        """Create the warranties these done deliveries would have given (all deliveries when empty).

        For deliveries made before the addon was installed or before their products had a
        policy: set the policies first, then run it (After-Sales managers only). Running it again
        creates nothing more. Opens the warranties created.
        """
        # Model-level check: only managers (who create policies) may create warranties in bulk.
        self.env["aftersales.warranty.policy"].check_access("create")
        moves = self.move_ids if self else None
        warranties = self.env["stock.move"]._aftersales_create_past_warranties(moves=moves)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_warranty.aftersales_warranty_action"
        )
        action["domain"] = [("id", "in", warranties.ids)]
        return action
