from odoo import fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    aftersales_claim_id = fields.Many2one(
        "aftersales.claim", string="Claim", index="btree_not_null", copy=False, check_company=True
    )

    def action_repair_done(self):
        res = super().action_repair_done()
        # The technician who finishes the repair settles the claim, without working claims himself.
        self.filtered(lambda r: r.state == "done").sudo().aftersales_claim_id._on_repair_done()
        return res
