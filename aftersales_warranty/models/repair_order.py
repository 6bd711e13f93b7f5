from odoo import fields, models
from odoo.exceptions import AccessError

from .aftersales_guard_mixin import check_internal_read


class RepairOrder(models.Model):
    _name = "repair.order"
    _inherit = ["repair.order", "aftersales.guard.mixin"]
    # Odoo's repair checks its own values; the guard holds the fields a claim decides.
    _aftersales_check_values = False

    aftersales_claim_id = fields.Many2one(
        "aftersales.claim", string="Claim", index="btree_not_null", copy=False, check_company=True
    )

    def _aftersales_protected_fields(self):
        # A claim's repair is free when the claim is under warranty: only a manager decides
        # otherwise (the repair form lets anyone with repair rights tick the box).
        return super()._aftersales_protected_fields() | {"under_warranty"}

    def _aftersales_may_write_protected(self, creating):
        return super()._aftersales_may_write_protected(creating) or self.env.user.has_group(
            "aftersales_warranty.group_aftersales_manager"
        )

    def _aftersales_protected_defaults(self, vals, names):
        """A claim's repair is created under warranty exactly when its claim is; a repair of no
        claim is Odoo's, as the user sets it."""
        defaults = super()._aftersales_protected_defaults(vals, names)
        if "under_warranty" in names:
            claim = self.env["aftersales.claim"].sudo().browse(vals.get("aftersales_claim_id"))
            defaults["under_warranty"] = claim.under_warranty if claim else vals["under_warranty"]
        return defaults

    def _aftersales_check_protected(self, vals, creating):
        if (
            not creating
            and vals.get("aftersales_claim_id")
            and not self._aftersales_may_write_protected(creating)
        ):
            # Linked to a claim now: the repair is as covered as that claim.
            claim = self.env["aftersales.claim"].sudo().browse(vals["aftersales_claim_id"])
            for repair in self:
                covered = vals["under_warranty"] if "under_warranty" in vals else repair.under_warranty
                if bool(covered) != claim.under_warranty:
                    raise self._aftersales_protected_error(self._fields["under_warranty"])
            return None
        # On a write, only the repairs of a claim follow it.
        records = self if creating else self.filtered("aftersales_claim_id")
        return super(RepairOrder, records)._aftersales_check_protected(vals, creating)

    def _aftersales_protected_error(self, field):
        return AccessError(
            self.env._(
                "A repair of a claim is under warranty when the claim is: only an After-Sales manager can "
                "change it."
            )
        )

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
