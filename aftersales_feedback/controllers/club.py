from odoo import http
from odoo.http import request

from odoo.addons.aftersales_warranty.models.ir_qweb_fields import PERSIAN_DIGITS, is_persian
from odoo.addons.portal.controllers.portal import CustomerPortal


class AftersalesClubPortal(CustomerPortal):
    """/my/club: the customer's own club cards, their tier, points, history and how to earn more.

    Cards and history are read as the customer (the portal record rules show their own only); the
    club's set-up (tiers, rules, rewards) is rendered with sudo for the companies of those cards.
    """

    def _aftersales_club_cards(self):
        Card = request.env["loyalty.card"]
        if request.env.user._is_public() or not Card.has_access("read"):
            return Card
        # Which programs are clubs is set-up data the customer may not read.
        clubs = request.env["res.company"].sudo().search([]).aftersales_club_program_id
        return Card.search(
            [("partner_id", "=", request.env.user.partner_id.id), ("program_id", "in", clubs.ids)], order="id"
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_club_count" in counters:
            values["aftersales_club_count"] = len(self._aftersales_club_cards())
        return values

    def _aftersales_club_values(self, card):
        card_sudo = card.sudo()
        company = card_sudo.company_id
        Partner = request.env["res.partner"]
        tiers = (
            request.env["aftersales.club.tier"]
            .sudo()
            .search([("company_id", "=", company.id)])
            .sorted(lambda tier: (tier.min_points, tier.sequence, tier.id))
        )
        earned = Partner.sudo()._aftersales_club_earned(card_sudo).get(card.id, 0.0)
        tier = card_sudo.partner_id.with_company(company).aftersales_club_tier_id
        next_tier = tiers._next_tier(tiers, earned)
        history = request.env["loyalty.history"].search([("card_id", "=", card.id)], limit=50)
        return {
            "card": card_sudo,
            "company": company,
            "tier": tier,
            "tiers": tiers,
            "earned": earned,
            "next_tier": next_tier,
            "next_missing": max(next_tier.min_points - earned, 0.0) if next_tier else 0.0,
            # How far along the way from the current tier's threshold to the next one (0-100).
            "next_progress": self._aftersales_club_progress(tier, next_tier, earned),
            "history": history.sudo(),
            "rules": request.env["aftersales.club.rule"].sudo().search([("company_id", "=", company.id)]),
            "purchase_rules": card_sudo.program_id.rule_ids,
            # Odoo's own labels of a purchase rule are not translated in every language: ours are.
            "purchase_modes": {
                "order": request.env._("per order"),
                "money": request.env._("per unit of currency spent"),
                "unit": request.env._("per unit bought"),
            },
            "rewards": card_sudo.program_id.reward_ids,
        }

    @staticmethod
    def _aftersales_club_progress(tier, next_tier, earned):
        if not next_tier:
            return 100
        start = tier.min_points if tier and tier.min_points < next_tier.min_points else 0.0
        span = next_tier.min_points - start
        if span <= 0:
            return 100
        return max(0, min(100, int((earned - start) * 100 // span)))

    @http.route(["/my/club"], type="http", auth="user", website=True)
    def portal_my_club(self, **kwargs):
        values = self._prepare_portal_layout_values()
        persian = is_persian(request.lang.code)
        values.update(
            {
                # Numbers in the page's own digits: Persian digits in a Persian sentence.
                "club_number": lambda number: (
                    f"{number:g}".translate(PERSIAN_DIGITS) if persian else f"{number:g}"
                ),
                "clubs": [self._aftersales_club_values(card) for card in self._aftersales_club_cards()],
                "page_name": "club",
            }
        )
        return request.render("aftersales_feedback.portal_my_club", values)
