from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import check_internal_read


class AftersalesClaim(models.Model):
    _inherit = "aftersales.claim"

    feedback_ids = fields.One2many("aftersales.feedback", "claim_id")
    feedback_score = fields.Integer("Score", compute="_compute_feedback_score")
    goodwill_coupon_id = fields.Many2one(
        "loyalty.card", compute="_compute_goodwill_coupon_id", compute_sudo=True
    )
    aftersales_call_count = fields.Integer("Calls", compute="_compute_aftersales_call_count")
    # Whether a goodwill coupon can reach the customer (email, else SMS): the button shows only then.
    goodwill_reachable = fields.Boolean(compute="_compute_goodwill_reachable")

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
        # The email of a resolved claim goes with its tracking; a customer without email is texted.
        self._text_customers_without_email("aftersales_feedback.sms_template_claim_resolved")
        to_survey = self.filtered(lambda c: c.company_id.aftersales_rating_request and c.partner_id)
        if to_survey:
            self.env["aftersales.feedback.request"]._send_for(to_survey)
        return result

    @api.model
    def _acknowledge_without_email(self, claims):
        result = super()._acknowledge_without_email(claims)
        claims._text_customers_without_email("aftersales_feedback.sms_template_claim_received")
        return result

    @api.depends("partner_id.email_normalized", "partner_id.phone", "phone")
    def _compute_goodwill_reachable(self):
        for claim in self:
            claim.goodwill_reachable = bool(
                claim.partner_id.email_normalized or (claim.partner_id and claim._aftersales_notice_number())
            )

    def _aftersales_notice_number(self):
        """The number the customer's texts about this claim go to (acknowledgment, resolution,
        survey: one rule for all): the claim's own phone first, else the customer's mobile; none
        for a customer who opted out of texts."""
        self.ensure_one()
        partner = self.partner_id
        # Neither the customer's number nor the claim's own may be on the SMS blacklist.
        if not partner or partner.phone_sanitized_blacklisted or self.phone_sanitized_blacklisted:
            return False
        return self.phone or partner._aftersales_sms_number()

    def _text_customers_without_email(self, template_xmlid):
        """Text the template to the customer of each of these claims who has no email address but a
        valid mobile number (the claim's own number first), as an SMS in the claim's conversation."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        numbers = {}
        for claim in self.filtered(lambda c: c.partner_id and not c.partner_id.email_normalized):
            number = claim._aftersales_notice_number()
            if number:
                numbers[claim] = number
        if not template or not numbers:
            return
        claims = self.browse([claim.id for claim in numbers])
        bodies = template._aftersales_render_bodies(claims)
        for claim, number in numbers.items():
            # Each claim's conversation shows the text it sent (the customer's notice, by the system).
            claim.sudo()._message_sms(
                bodies[claim.id],
                partner_ids=claim.partner_id.ids,
                sms_pid_to_number={claim.partner_id.id: number},
            )

    def action_grant_goodwill_coupon(self):
        """Give the customer of each claim a goodwill coupon (at most one per claim), emailed with its
        code and expiry.

        Not on a rejected or cancelled claim, never to one of our own users, within the company's
        monthly number per agent (managers are not limited). A customer without a valid email address
        gets no coupon: the grant is refused when no customer at all can receive one, otherwise a note
        on the claim says which one was left out.
        """
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_user"):
            raise UserError(self.env._("Only after-sales agents and managers grant goodwill coupons."))
        self.check_access("write")
        # Two agents clicking at once: the second is told to reload (the unique index on goodwill
        # coupons stops whatever slips past, e.g. a grant committed after this transaction began).
        self._lock_for_change()
        labels = dict(self._fields["state"]._description_selection(self.env))
        # Archived users too: a former employee's partner is still not a customer to compensate.
        employees = (
            self.partner_id.sudo()
            .with_context(active_test=False)
            .user_ids.filtered(lambda user: not user.share)
            .partner_id
        )
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
            if claim.state in ("rejected", "cancelled"):
                raise UserError(
                    self.env._(
                        "Claim %(name)s is %(state)s: it cannot get a goodwill coupon.",
                        name=claim.name,
                        state=labels[claim.state],
                    )
                )
            if claim.partner_id in employees:
                raise UserError(
                    self.env._(
                        "Claim %(name)s is from %(customer)s, one of our own users: goodwill coupons are "
                        "for customers only.",
                        name=claim.name,
                        customer=claim.partner_id.display_name,
                    )
                )
        # By email, else by SMS to the number the claim's other notices go to.
        texted = {
            claim: claim._aftersales_notice_number()
            for claim in self.filtered(lambda claim: not claim.partner_id.email_normalized)
        }
        unreachable = self.browse([claim.id for claim, number in texted.items() if not number])
        if unreachable == self:
            raise UserError(
                self.env._(
                    "Customer %(customer)s has no email address: add one, then grant again (or a "
                    "mobile number, and the coupon goes by SMS).",
                    customer=", ".join(unreachable.partner_id.mapped("display_name")),
                )
            )
        claims = self - unreachable
        claims._check_goodwill_monthly_cap()
        cards = self.env["loyalty.card"]._aftersales_issue(
            "aftersales_goodwill_program_id",
            [
                {
                    "partner_id": claim.partner_id.id,
                    "company_id": claim.company_id.id,
                    "aftersales_origin": "goodwill",
                    "aftersales_claim_id": claim.id,
                }
                for claim in claims
            ],
        )
        for claim, card in zip(claims, cards, strict=True):
            claim.message_post(
                body=self.env._(
                    "Goodwill coupon %(code)s granted to %(customer)s.",
                    code=card.code,
                    customer=claim.partner_id.display_name,
                )
            )
        self.invalidate_recordset(["goodwill_coupon_id"])
        by_sms = claims.filtered(lambda claim: texted.get(claim))
        template = self.env.ref("aftersales_feedback.sms_template_goodwill_coupon", raise_if_not_found=False)
        if by_sms and template:
            # The code, its value and its expiry in the customer's language, in the claim's conversation.
            bodies = template._aftersales_render_bodies(by_sms)
            for claim in by_sms:
                claim.sudo()._message_sms(
                    bodies[claim.id],
                    partner_ids=claim.partner_id.ids,
                    sms_pid_to_number={claim.partner_id.id: texted[claim]},
                )
        for claim in unreachable:
            claim.message_post(
                body=self.env._(
                    "No goodwill coupon granted: customer %(customer)s has no email address nor mobile "
                    "number. Add one, then grant again.",
                    customer=claim.partner_id.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _check_goodwill_monthly_cap(self):
        """Refuse when the current user would grant more goodwill coupons this calendar month (in the
        user's time zone) than their company allows an agent; managers are not limited."""
        if self.env.su or self.env.user.has_group("aftersales_warranty.group_aftersales_manager"):
            return
        companies = self.company_id.filtered("aftersales_goodwill_monthly_cap")
        if not companies:
            return
        # The agent's quota: their grants one at a time, each counting those committed before it.
        self._aftersales_serialize_on(self.env.user)
        first_day = fields.Date.context_today(self).replace(day=1)
        month_start, next_month_start = (
            self.env.tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
            for day in (first_day, first_day + relativedelta(months=1))
        )
        granted = dict(
            self.env["loyalty.card"]
            .sudo()  # the user's own grants, whichever coupons they may read
            ._read_group(
                [
                    ("aftersales_origin", "=", "goodwill"),
                    ("create_uid", "=", self.env.uid),
                    ("create_date", ">=", month_start),
                    ("create_date", "<", next_month_start),
                    ("aftersales_claim_id.company_id", "in", companies.ids),
                ],
                ["aftersales_claim_id.company_id"],
                ["__count"],
            )
        )
        for company in companies:
            cap = company.aftersales_goodwill_monthly_cap
            count = granted.get(company, 0)
            if count + len(self.filtered(lambda claim, c=company: claim.company_id == c)) > cap:
                raise UserError(
                    self.env._(
                        "You have already granted %(count)s goodwill coupons this month in %(company)s, "
                        "where an agent may grant %(cap)s a month: ask an After-Sales manager to grant "
                        "this one.",
                        count=count,
                        company=company.name,
                        cap=cap,
                    )
                )

    def action_view_feedback(self):
        self.ensure_one()
        # The claim form's smart button: the back office's, for those who read the claim.
        if not self.env.user._is_internal():
            raise AccessError(self.env._("Only employees open the feedback of a claim."))
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_feedback.aftersales_feedback_action"
        )
        action["domain"] = [("claim_id", "=", self.id)]
        action["context"] = {"default_claim_id": self.id, "default_partner_id": self.partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Customer club
    # ------------------------------------------------------------------

    aftersales_club_tier_id = fields.Many2one(
        "aftersales.club.tier",
        "Club Tier",
        compute="_compute_aftersales_club_tier_id",
        compute_sudo=True,
        help="The customer's tier in the customer club of the claim's company.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_aftersales_club_tier_id(self):
        for claim in self:
            partner = claim.partner_id.with_company(claim.company_id)
            claim.aftersales_club_tier_id = partner.aftersales_club_tier_id

    def write(self, vals):
        result = super().write(vals)
        if "partner_id" in vals:
            self._apply_club_priority()
        return result

    def _apply_sla_priority(self):
        result = super()._apply_sla_priority()
        self._apply_club_priority()
        return result

    def _apply_club_priority(self):
        """A club member's claim gets at least their tier's priority; the service level (and so the
        deadline) follows the priority."""
        companies = self.env["aftersales.club.tier"]._companies_with_claim_priority()
        for claim in self.filtered(lambda c: c.company_id.id in companies and c.partner_id):
            # The customer's tier, whoever records the claim (a portal customer reads no tier).
            floor = claim.sudo().aftersales_club_tier_id.claim_priority
            if floor and int(floor) > int(claim.priority):
                claim.priority = floor

    def _compute_aftersales_call_count(self):
        claims = self.filtered("id")
        (self - claims).aftersales_call_count = 0
        if not claims:
            return
        if not self.env["aftersales.call"].has_access("read"):
            claims.aftersales_call_count = 0
            return
        counts = dict(
            self.env["aftersales.call"]._read_group(
                [("claim_id", "in", claims.ids)], ["claim_id"], ["__count"]
            )
        )
        for claim in claims:
            claim.aftersales_call_count = counts.get(claim, 0)

    def action_view_aftersales_calls(self):
        """The calls about this claim with the company's exchange: after-sales agents and managers."""
        self.ensure_one()
        check_internal_read(self)
        self.env["aftersales.call"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_feedback.aftersales_call_action")
        action["domain"] = [("claim_id", "=", self.id)]
        action["context"] = {"default_claim_id": self.id, "default_partner_id": self.partner_id.id}
        return action
