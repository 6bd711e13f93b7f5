from odoo import api, fields, models

from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import system_writes


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        # The order moves its coupons' points by sale_loyalty's own rules (the club's included, whose
        # points users cannot write): the system's write, with no value from the caller.
        with system_writes():
            result = super().action_confirm()
        # A new customer's first confirmed order earns whoever referred them a coupon.
        self.env["loyalty.card"]._aftersales_grant_referral(self.filtered(lambda o: o.state == "sale"))
        self.filtered(lambda order: order.state == "sale")._aftersales_club_on_confirm()
        return result

    def _action_cancel(self):
        # sale_loyalty takes back the points the order gave (the club's included): the system's write.
        with system_writes():
            return super()._action_cancel()

    # ------------------------------------------------------------------
    # Customer club
    # ------------------------------------------------------------------

    aftersales_club_tier_id = fields.Many2one(
        "aftersales.club.tier",
        "Club Tier",
        compute="_compute_aftersales_club_tier_id",
        compute_sudo=True,
        help="The customer's tier in the customer club of the order's company.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_aftersales_club_tier_id(self):
        for order in self:
            order.aftersales_club_tier_id = order.partner_id.with_company(
                order.company_id
            ).aftersales_club_tier_id

    def _aftersales_club_on_confirm(self):
        """A buyer is a member; a warranty extension bought and a referred customer's first order earn
        points; the purchase points of the program's own rules move the tier."""
        if not self:
            return
        Partner = self.env["res.partner"]
        cards = Partner._aftersales_club_enrol([(order.partner_id, order.company_id) for order in self])
        extension_lines = self.order_line.filtered(lambda line: line.product_id.is_warranty_extension)
        Partner._aftersales_club_grant(
            "extension",
            [(line.order_id.partner_id, line.order_id.company_id, line) for line in extension_lines],
        )
        Partner._aftersales_club_grant("referral", self._aftersales_club_first_referred_orders())
        Partner._aftersales_club_update_tiers(self.env["loyalty.card"].browse({c.id for c in cards.values()}))

    def _aftersales_club_first_referred_orders(self):
        """(referrer, company, referred customer) for each referred customer whose first confirmed
        order is among these."""
        customers = self.partner_id.commercial_partner_id.filtered("referred_by_id")
        if not customers:
            return []
        earlier = {
            partner.commercial_partner_id
            for partner, count in self.env["sale.order"]
            .sudo()  # counting the customer's orders whatever the salesperson may read
            ._read_group(
                [
                    ("partner_id", "child_of", customers.ids),
                    ("state", "=", "sale"),
                    ("id", "not in", self.ids),
                ],
                ["partner_id"],
                ["__count"],
            )
            if count
        }
        grants = []
        for customer in customers:
            if customer in earlier:
                continue
            order = self.filtered(lambda o, c=customer: o.partner_id.commercial_partner_id == c)[:1]
            grants.append((customer.referred_by_id, order.company_id, customer))
        return grants
