from odoo import api, fields, models
from odoo.exceptions import UserError


class AftersalesClaim(models.Model):
    _inherit = "aftersales.claim"

    feedback_ids = fields.One2many("aftersales.feedback", "claim_id")
    feedback_score = fields.Integer("Score", compute="_compute_feedback_score")
    goodwill_coupon_id = fields.Many2one(
        "loyalty.card", compute="_compute_goodwill_coupon_id", compute_sudo=True
    )

    @api.depends("feedback_ids.score")
    def _compute_feedback_score(self):
        for claim in self:
            claim.feedback_score = claim.feedback_ids[:1].score

    def _compute_goodwill_coupon_id(self):
        cards = self.env["loyalty.card"].search(
            [("aftersales_origin", "=", "goodwill"), ("aftersales_claim_id", "in", self.ids)]
        )
        by_claim = {card.aftersales_claim_id.id: card for card in cards}
        for claim in self:
            claim.goodwill_coupon_id = by_claim.get(claim.id, False)

    def action_resolve(self):
        result = super().action_resolve()
        to_survey = self.filtered(lambda c: c.company_id.aftersales_rating_request and c.partner_id)
        if to_survey:
            self.env["aftersales.feedback.request"]._send_for(to_survey)
        return result

    def action_grant_goodwill_coupon(self):
        """Give the customer of each claim a goodwill coupon (at most one per claim), emailed with its
        code and expiry."""
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_user"):
            raise UserError(self.env._("Only after-sales agents and managers grant goodwill coupons."))
        # Two agents clicking at once: the second is told to reload (the unique index on goodwill
        # coupons stops whatever slips past, e.g. a grant committed after this transaction began).
        self._lock_for_change()
        for claim in self:
            if not claim.partner_id:
                raise UserError(
                    self.env._("Claim %(name)s has no customer to give a coupon to.", name=claim.name)
                )
            if claim.goodwill_coupon_id:
                raise UserError(
                    self.env._(
                        "Claim %(name)s already has goodwill coupon %(code)s.",
                        name=claim.name,
                        code=claim.goodwill_coupon_id.code,
                    )
                )
            if claim.state == "cancelled":
                raise UserError(self.env._("Claim %(name)s is cancelled.", name=claim.name))
        cards = self.env["loyalty.card"]._aftersales_issue(
            "aftersales_goodwill_program_id",
            [
                {
                    "partner_id": claim.partner_id.id,
                    "company_id": claim.company_id.id,
                    "aftersales_origin": "goodwill",
                    "aftersales_claim_id": claim.id,
                }
                for claim in self
            ],
        )
        for claim, card in zip(self, cards, strict=True):
            claim.message_post(
                body=self.env._(
                    "Goodwill coupon %(code)s granted to %(customer)s.",
                    code=card.code,
                    customer=claim.partner_id.display_name,
                )
            )
        self.invalidate_recordset(["goodwill_coupon_id"])
        return True

    def action_view_feedback(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_feedback.aftersales_feedback_action"
        )
        action["domain"] = [("claim_id", "=", self.id)]
        action["context"] = {"default_claim_id": self.id, "default_partner_id": self.partner_id.id}
        return action
