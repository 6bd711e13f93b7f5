from odoo import api, fields, models
from odoo.exceptions import UserError

AFTERSALES_ORIGINS = [
    ("goodwill", "Goodwill"),
    ("review", "Review Reward"),
    ("referral", "Referral"),
    ("occasion", "Occasion"),
]


class LoyaltyCard(models.Model):
    _name = "loyalty.card"
    _inherit = ["loyalty.card", "aftersales.guard.mixin"]
    # Odoo's loyalty checks a card's values; the guard holds the club's points (see
    # _aftersales_check_protected).
    _aftersales_check_values = False

    aftersales_origin = fields.Selection(AFTERSALES_ORIGINS, "After-Sales Origin", readonly=True, index=True)
    aftersales_claim_id = fields.Many2one(
        "aftersales.claim", "Claim", readonly=True, index="btree_not_null", ondelete="set null"
    )
    aftersales_sale_order_id = fields.Many2one(
        "sale.order", "Rewarded Order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    aftersales_feedback_id = fields.Many2one(
        "aftersales.feedback", "Feedback", readonly=True, index="btree_not_null", ondelete="set null"
    )
    aftersales_referred_partner_id = fields.Many2one(
        "res.partner", "Referred Customer", readonly=True, index="btree_not_null", ondelete="set null"
    )
    aftersales_occasion_id = fields.Many2one(
        "aftersales.occasion", "Occasion", readonly=True, index="btree_not_null", ondelete="set null"
    )
    # One goodwill coupon per claim, one review reward per order, one referral reward per new customer,
    # enforced by the database so that two agents clicking at once cannot both succeed.
    _aftersales_goodwill_unique = models.UniqueIndex(
        "(aftersales_claim_id) WHERE aftersales_origin = 'goodwill'",
        "This claim already has a goodwill coupon.",
    )
    _aftersales_review_unique = models.UniqueIndex(
        "(aftersales_sale_order_id) WHERE aftersales_origin = 'review'",
        "This order has already earned its review reward.",
    )
    _aftersales_referral_unique = models.UniqueIndex(
        "(aftersales_referred_partner_id) WHERE aftersales_origin = 'referral'",
        "This customer's referral has already been rewarded.",
    )

    # ------------------------------------------------------------------
    # Issuing after-sales coupons
    # ------------------------------------------------------------------

    @api.model
    def _aftersales_issue(self, program_field, vals_list):
        """Create one coupon per ``vals`` in the program named by ``program_field`` on each company.

        ``vals`` carry ``partner_id``, ``company_id`` and the origin links. The loyalty program's own
        communication plan emails the code and expiry to the customer.
        """
        if not vals_list:
            return self.browse()
        companies = self.env["res.company"].browse({vals["company_id"] for vals in vals_list})
        missing = companies.filtered(lambda c: not c[program_field])
        if missing:
            raise UserError(
                self.env._(
                    "Choose the %(program)s in the After-Sales settings of %(company)s first.",
                    program=self.env["res.company"]
                    ._fields[program_field]
                    .get_description(self.env)["string"],
                    company=", ".join(missing.mapped("name")),
                )
            )
        to_create = []
        for vals in vals_list:
            company = companies.browse(vals.pop("company_id"))
            to_create.append(
                {
                    "program_id": company[program_field].id,
                    "points": 1,
                    "expiration_date": company._aftersales_coupon_expiry(),
                    **vals,
                }
            )
        # Coupons are issued by a business rule (a resolved claim, a review, a referral), not typed in:
        # the agent or customer behind it needs no right on loyalty programs. The program's email is
        # sent below, only to customers who have an address: none is queued to nobody.
        Card = self.sudo()
        cards = Card.with_context(loyalty_no_mail=True).create(to_create).with_env(Card.env)
        unreachable = cards.filtered(lambda card: not card.partner_id.email_normalized)
        (cards - unreachable)._send_creation_communication()
        if unreachable:
            unreachable._message_log_batch(
                bodies={
                    card.id: self.env._(
                        "The coupon was not emailed: customer %(customer)s has no valid email address.",
                        customer=card.partner_id.display_name,
                    )
                    for card in unreachable
                }
            )
        return cards.sudo(False)

    @api.model
    def _aftersales_grant_review(self, feedbacks):
        """Review reward for each order of ``feedbacks`` that has none yet."""
        orders = feedbacks.sale_order_id
        rewarded = (
            self.sudo()
            .search([("aftersales_origin", "=", "review"), ("aftersales_sale_order_id", "in", orders.ids)])
            .aftersales_sale_order_id
        )
        vals_list, seen = [], set()
        for feedback in feedbacks:
            order = feedback.sale_order_id
            if order in rewarded or order.id in seen:
                continue
            seen.add(order.id)
            vals_list.append(
                {
                    "partner_id": order.partner_id.id,
                    "company_id": order.company_id.id,
                    "aftersales_origin": "review",
                    "aftersales_sale_order_id": order.id,
                    "aftersales_feedback_id": feedback.id,
                }
            )
        return self._aftersales_issue("aftersales_review_program_id", vals_list)

    @api.model
    def _aftersales_grant_referral(self, orders):
        """Referral reward to the referrer of each new customer whose first order ``orders`` confirms."""
        customers = orders.partner_id.commercial_partner_id.filtered("referred_by_id")
        if not customers:
            return self.browse()
        rewarded = (
            self.sudo()
            .search(
                [
                    ("aftersales_origin", "=", "referral"),
                    ("aftersales_referred_partner_id", "in", customers.ids),
                ]
            )
            .aftersales_referred_partner_id
        )
        customers -= rewarded
        if not customers:
            return self.browse()
        # A first order: the customer has no other confirmed order than those being confirmed now.
        earlier = dict(
            self.env["sale.order"]
            .sudo()  # counting the customer's orders whatever the salesperson may read
            ._read_group(
                [
                    ("partner_id", "child_of", customers.ids),
                    ("state", "=", "sale"),
                    ("id", "not in", orders.ids),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        returning = self.env["res.partner"].browse(
            [partner.commercial_partner_id.id for partner, count in earlier.items() if count]
        )
        vals_list = []
        for customer in customers - returning:
            order = orders.filtered(lambda o, c=customer: o.partner_id.commercial_partner_id == c)[:1]
            vals_list.append(
                {
                    "partner_id": customer.referred_by_id.id,
                    "company_id": order.company_id.id,
                    "aftersales_origin": "referral",
                    "aftersales_referred_partner_id": customer.id,
                    "aftersales_sale_order_id": order.id,
                }
            )
        return self._aftersales_issue("aftersales_referral_program_id", vals_list)

    # ------------------------------------------------------------------
    # Customer club
    # ------------------------------------------------------------------

    aftersales_club_tier_id = fields.Many2one(
        "aftersales.club.tier",
        "Club Tier",
        compute="_compute_aftersales_club_tier_id",
        compute_sudo=True,
        help="The member's tier in the club of the card's company.",
    )
    aftersales_club_earned = fields.Float(
        "Points Earned (365 days)", compute="_compute_aftersales_club_tier_id", compute_sudo=True
    )

    @api.depends("partner_id", "program_id")
    def _compute_aftersales_club_tier_id(self):
        earned = self.env["res.partner"]._aftersales_club_earned(self)
        for card in self:
            card.aftersales_club_tier_id = card.partner_id.with_company(
                card.company_id
            ).aftersales_club_tier_id
            card.aftersales_club_earned = earned.get(card.id, 0.0)

    # ------------------------------------------------------------------
    # The club's points: its rules, or a manager's recorded adjustment
    # ------------------------------------------------------------------

    def _aftersales_may_write_protected(self, creating):
        # A manager adjusts a member's points through Odoo's "Update Balance", which records the
        # reason in the card's history.
        return super()._aftersales_may_write_protected(creating) or self.env.user.has_group(
            "aftersales_warranty.group_aftersales_manager"
        )

    def _aftersales_check_protected(self, vals, creating):
        """The points of a club card move by the club's rules (orders, after-sales events, rewards
        spent) or a manager's adjustment: a tier, a claim's priority and longer warranties follow them.
        Other programs' cards are Odoo's."""
        super()._aftersales_check_protected(vals, creating)
        if "points" not in vals or self._aftersales_may_write_protected(creating):
            return
        clubs = self.env["loyalty.program"]._aftersales_club_programs()
        program = self.env["loyalty.program"].browse(vals.get("program_id"))
        club_cards = self.filtered(lambda card: card.program_id in clubs)
        if creating:
            refused = program in clubs and vals["points"]
        else:
            refused = (club_cards or program in clubs) and any(card.points != vals["points"] for card in self)
        if refused:
            raise UserError(
                self.env._(
                    "The points of the customer club move with orders, after-sales events and rewards "
                    "spent: only an After-Sales manager adjusts them, with a reason."
                )
            )
