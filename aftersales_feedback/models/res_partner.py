from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "aftersales.guard.mixin"]
    # Odoo checks a contact's values; the guard holds the club's (and any addon's protected fields).
    _aftersales_check_values = False

    birthday = fields.Date(help="Used to greet the customer on their birthday.")
    referred_by_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        help="The customer who recommended us. Their referral coupon is earned with this customer's "
        "first confirmed order.",
    )
    aftersales_feedback_ids = fields.One2many("aftersales.feedback", "partner_id")
    aftersales_last_score = fields.Integer(
        "Last Score", compute="_compute_aftersales_feedback_stats", help="Score of the latest feedback (1-5)."
    )
    aftersales_last_category = fields.Selection(
        [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")],
        "Last Feedback",
        compute="_compute_aftersales_feedback_stats",
    )
    aftersales_feedback_count = fields.Integer("Feedback Count", compute="_compute_aftersales_feedback_stats")
    aftersales_coupon_count = fields.Integer(
        "After-Sales Coupons", compute="_compute_aftersales_coupon_count"
    )
    # The exchange's calls are matched to customers on it, a batch of numbers at a time.
    phone_sanitized = fields.Char(index="btree_not_null")
    aftersales_call_count = fields.Integer("Calls", compute="_compute_aftersales_call_count")

    def _aftersales_sms_number(self):
        """This partner's number in E.164 when it is a valid number, else False (Odoo's phone
        validation, read with the partner's country, else their company's, else the current one's)."""
        self.ensure_one()
        if not self.phone:
            return False
        country = self.country_id or self.company_id.country_id or self.env.company.country_id
        return self._phone_format(number=self.phone, country=country, force_format="E164")

    @api.constrains("referred_by_id")
    def _check_referred_by_id(self):
        # Our own staff and companies are never customers who referred one: the coupon is a customer's.
        # sudo: whoever sets the referrer, the users and companies behind it are checked (archived too).
        referrers = self.referred_by_id.sudo().with_context(active_test=False)
        staff = referrers.user_ids.filtered(lambda user: not user.share).partner_id
        companies = self.env["res.company"].sudo().search([]).partner_id
        for partner in self.filtered("referred_by_id"):
            if partner.referred_by_id.commercial_partner_id == partner.commercial_partner_id:
                raise ValidationError(
                    self.env._("%(partner)s cannot be their own referrer.", partner=partner.display_name)
                )
            referrer = partner.referred_by_id
            if referrer in staff or referrer.commercial_partner_id in companies:
                raise ValidationError(
                    self.env._(
                        "%(referrer)s is one of our own staff and cannot be the referrer of %(partner)s: "
                        "a referral reward is for customers.",
                        referrer=referrer.display_name,
                        partner=partner.display_name,
                    )
                )

    def _compute_aftersales_feedback_stats(self):
        partners = self.filtered("id")
        (self - partners).update(
            {"aftersales_last_score": 0, "aftersales_last_category": False, "aftersales_feedback_count": 0}
        )
        if not partners:
            return
        groups = self.env["aftersales.feedback"]._read_group(
            [("partner_id", "child_of", partners.commercial_partner_id.ids)],
            ["partner_id"],
            ["__count", "id:max"],
        )
        stats = {}
        for partner, count, last_id in groups:
            commercial = partner.commercial_partner_id
            known = stats.get(commercial.id, (0, 0))
            stats[commercial.id] = (known[0] + count, max(known[1], last_id))
        last = self.env["aftersales.feedback"].browse([s[1] for s in stats.values()])
        last_by_id = {feedback.id: feedback for feedback in last}
        for partner in partners:
            count, last_id = stats.get(partner.commercial_partner_id.id, (0, 0))
            feedback = last_by_id.get(last_id)
            partner.aftersales_feedback_count = count
            partner.aftersales_last_score = feedback.score if feedback else 0
            partner.aftersales_last_category = feedback.category if feedback else False

    def _compute_aftersales_coupon_count(self):
        partners = self.filtered("id")
        (self - partners).aftersales_coupon_count = 0
        if not partners:
            return
        counts = dict(
            self.env["loyalty.card"]
            .sudo()  # the count is shown to anyone who sees the customer; the cards stay protected
            ._read_group(
                [("partner_id", "in", partners.ids), ("aftersales_origin", "!=", False)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in partners:
            partner.aftersales_coupon_count = counts.get(partner, 0)

    def _check_aftersales_viewer(self):
        # The smart buttons' groups, as the customer form shows them.
        user = self.env.user
        if not (
            user.has_group("aftersales_warranty.group_aftersales_user")
            or user.has_group("sales_team.group_sale_salesman")
        ):
            raise AccessError(
                self.env._("Only after-sales agents and salespeople open a customer's after-sales records.")
            )

    def action_view_aftersales_feedback(self):
        self.ensure_one()
        self._check_aftersales_viewer()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_feedback.aftersales_feedback_action"
        )
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        return action

    def action_view_aftersales_coupons(self):
        self.ensure_one()
        self._check_aftersales_viewer()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_feedback.loyalty_card_aftersales_action"
        )
        action["domain"] = [("partner_id", "=", self.id), ("aftersales_origin", "!=", False)]
        return action

    # ------------------------------------------------------------------
    # Who is a customer
    # ------------------------------------------------------------------

    @api.model
    def _aftersales_buyer_domain(self, companies=None):
        """Customers who bought: a confirmed sale order or a posted customer invoice (of ``companies``
        when given). The one definition of a customer for the club and the occasion greetings."""
        orders = Domain("state", "=", "sale")
        invoices = Domain("state", "=", "posted") & Domain("move_type", "=", "out_invoice")
        if companies:
            orders &= Domain("company_id", "in", companies.ids)
            invoices &= Domain("company_id", "in", companies.ids)
        return Domain("sale_order_ids", "any", orders) | Domain("invoice_ids", "any", invoices)

    # ------------------------------------------------------------------
    # Calls
    # ------------------------------------------------------------------

    def _compute_aftersales_call_count(self):
        partners = self.filtered("id")
        (self - partners).aftersales_call_count = 0
        if not partners:
            return
        if not self.env["aftersales.call"].has_access("read"):
            partners.aftersales_call_count = 0
            return
        counts = dict(
            self.env["aftersales.call"]._read_group(
                [("partner_id", "in", partners.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in partners:
            partner.aftersales_call_count = counts.get(partner, 0)

    def action_view_aftersales_calls(self):
        """The customer's calls with the company's exchange: after-sales agents and managers."""
        self.ensure_one()
        self.env["aftersales.call"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_feedback.aftersales_call_action")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
