"""The claim on the customer's portal: its URL, the customer's approval of the repair quotation."""

from odoo import models
from odoo.exceptions import UserError


class AftersalesClaim(models.Model):
    _inherit = "aftersales.claim"

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for claim in self:
            claim.access_url = f"/my/claims/{claim.id}"
        return res

    def _portal_approve_quotation(self):
        """The customer approves the repair quotation from the portal (the controller checked that
        the claim is theirs)."""
        self._approve_quotation()
        for claim in self:
            claim.message_post(
                body=self.env._("The customer approved the repair quotation."),
                author_id=claim.partner_id.id,
            )
        return True

    def _check_priced_quotation(self):
        """The portal offers the approval only once the repair has a price: refuse it before."""
        for claim in self:
            if claim.state == "awaiting_approval" and not claim._has_priced_quotation():
                raise UserError(
                    self.env._(
                        "The repair of claim %(name)s has no price yet: we will send you its quotation "
                        "before you approve it.",
                        name=claim.name,
                    )
                )

    def _portal_decline_quotation(self):
        """The customer declines the repair quotation: the draft repairs are cancelled and the claim
        goes back to diagnosis, with a to-do for its agent (return the unit, offer advice)."""
        self._ensure_state(("awaiting_approval",), self.env._("be declined"))
        self.repair_order_ids.filtered(lambda r: r.state == "draft").action_repair_cancel()
        self._system_write({"state": "diagnosis", "resolution": False})
        for claim in self:
            claim.message_post(
                body=self.env._("The customer declined the repair quotation."),
                author_id=claim.partner_id.id,
            )
            if claim.user_id:
                claim.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Repair quotation declined"),
                    user_id=claim.user_id.id,
                )
        return True
