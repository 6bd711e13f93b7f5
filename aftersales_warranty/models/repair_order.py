from odoo import fields, models
from odoo.exceptions import AccessError

from .aftersales_guard_mixin import check_internal_read


class RepairOrder(models.Model):
    _inherit = "repair.order"

    aftersales_claim_id = fields.Many2one(
        "aftersales.claim", string="Claim", index="btree_not_null", copy=False, check_company=True
    )

    def write(self, vals):
        if "under_warranty" in vals and not self.env.su:
            # A claim's repair is free when the claim is under warranty: only a manager decides
            # otherwise (the repair form lets anyone with repair rights tick the box).
            changed = self.filtered(
                lambda r: r.aftersales_claim_id and r.under_warranty != bool(vals["under_warranty"])
            )
            if changed and not self.env.user.has_group("aftersales_warranty.group_aftersales_manager"):
                raise AccessError(
                    self.env._(
                        "Repair %(name)s follows claim %(claim)s: only an After-Sales manager can change "
                        "whether it is under warranty.",
                        name=changed[0].name,
                        claim=changed[0].sudo().aftersales_claim_id.name,
                    )
                )
        return super().write(vals)

    def action_repair_done(self):
        res = super().action_repair_done()
        # The technician who finishes the repair settles the claim, without working claims himself.
        repairs = self.filtered(lambda r: r.state == "done").sudo()
        repairs.aftersales_claim_id._on_repair_done(repairs)
        return res

    def action_view_aftersales_claim(self):
        check_internal_read(self.aftersales_claim_id)
        self.ensure_one()
        return self.aftersales_claim_id.get_formview_action()
