"""The customer club on the customer: the card and points of the current company's club, the tier,
membership, points granted by business events, and the daily cron that keeps tiers in step."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from odoo.addons.aftersales_warranty.models.aftersales_claim import OPEN_STATES
from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import system_writes

from .aftersales_club_rule import CLUB_ENROLLING_EVENTS, CLUB_EVENT_MODELS

CLUB_WINDOW_DAYS = 365


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Across companies: each company has its own club program, so a customer has one card per
    # company (``loyalty.card`` of that company's program). ``aftersales_club_card_id`` and
    # ``aftersales_club_points`` read the card of the current company (``self.env.company``), and
    # ``aftersales_club_tier_id`` is company-dependent (one stored value per company, in the
    # partner's jsonb column): a card or tier in company A is never seen from company B.

    aftersales_club_card_id = fields.Many2one(
        "loyalty.card",
        "Club Card",
        compute="_compute_aftersales_club_card_id",
        search="_search_aftersales_club_card_id",
        compute_sudo=True,
        help="The customer's card in the customer club of the current company.",
    )
    aftersales_club_points = fields.Float(
        "Club Points", compute="_compute_aftersales_club_card_id", compute_sudo=True, help="Points to spend."
    )
    aftersales_club_tier_id = fields.Many2one(
        "aftersales.club.tier",
        "Club Tier",
        company_dependent=True,
        readonly=True,
        help="Reached with the points earned in the last 365 days; recomputed when points are earned "
        "and every day as old points leave the window.",
    )

    @api.depends_context("company")
    def _compute_aftersales_club_card_id(self):
        program = self.env.company.aftersales_club_program_id
        partners = self.filtered("id")
        cards = (
            self.env["loyalty.card"].search(
                [("program_id", "=", program.id), ("partner_id", "in", partners.ids)]
            )
            if program and partners
            else self.env["loyalty.card"]
        )
        by_partner = {card.partner_id.id: card for card in cards}
        for partner in self:
            card = by_partner.get(partner.id, self.env["loyalty.card"])
            partner.aftersales_club_card_id = card
            partner.aftersales_club_points = card.points

    def _search_aftersales_club_card_id(self, operator, value):
        program = self.env.company.aftersales_club_program_id
        cards = (
            self.env["loyalty.card"]
            .sudo()
            ._search(Domain("program_id", "=", program.id) & Domain("id", operator, value))
        )
        return [("id", "in", cards.subselect("partner_id"))]

    # ------------------------------------------------------------------
    # Membership, points and tiers
    # ------------------------------------------------------------------

    @api.model
    def _aftersales_club_enrol(self, pairs, buyers_only=False):
        """Cards of the (partner, company) ``pairs`` in each company's club, created for those who have
        none; returns {(partner_id, company_id): card}. With ``buyers_only``, partners who never
        bought get no card (and are left out)."""
        Card = self.env["loyalty.card"].sudo()  # membership is a consequence of a sale, not a right
        pairs = {(partner.id, company.id) for partner, company in pairs if partner and company}
        companies = self.env["res.company"].sudo().browse({company_id for _partner, company_id in pairs})
        programs = {company.id: company.aftersales_club_program_id for company in companies}
        pairs = {pair for pair in pairs if programs[pair[1]]}
        if not pairs:
            return {}
        existing = Card.search(
            [
                ("program_id", "in", [program.id for program in programs.values() if program]),
                ("partner_id", "in", list({partner_id for partner_id, _c in pairs})),
            ]
        )
        cards = {(card.partner_id.id, card.company_id.id): card for card in existing}
        missing = [pair for pair in sorted(pairs) if pair not in cards]
        if missing and buyers_only:
            by_company = defaultdict(list)
            for partner_id, company_id in missing:
                by_company[company_id].append(partner_id)
            buyers = set()
            for company_id, partner_ids in by_company.items():
                buyers |= {
                    (partner_id, company_id)
                    for partner_id in self.sudo()
                    .with_context(active_test=False)
                    .search(
                        Domain("id", "in", partner_ids)
                        & self._aftersales_buyer_domain(self.env["res.company"].browse(company_id))
                    )
                    .ids
                }
            missing = [pair for pair in missing if pair in buyers]
        if missing:
            created = Card.with_context(loyalty_no_mail=True).create(
                [
                    {"program_id": programs[company_id].id, "partner_id": partner_id, "points": 0}
                    for partner_id, company_id in missing
                ]
            )
            cards.update(zip(missing, created, strict=True))
        return cards

    @api.model
    def _aftersales_club_grant(self, event, grants):
        """Grant the points of ``event``'s club rules for each (partner, company, record) of ``grants``.

        Once per event and record: a record already granted (by anyone, any time) is skipped, and a
        unique index stops whatever slips past. The points go on the member's card as a
        ``loyalty.history`` line naming the event and the record, and the tier follows. Customers who
        never bought are not members and earn nothing. Returns the history lines created.
        """
        History = self.env["loyalty.history"].sudo()  # the club's ledger, written by business events
        grants = [(partner, company, record) for partner, company, record in grants if partner and company]
        if not grants:
            return History
        model = CLUB_EVENT_MODELS[event]
        companies = self.env["res.company"].sudo().browse({company.id for _p, company, _r in grants})
        points = self.env["aftersales.club.rule"]._points_by_company(event, companies)
        grants = [grant for grant in grants if points.get(grant[1])]
        if not grants:
            return History
        done = set(
            History.search_fetch(
                [
                    ("aftersales_event", "=", event),
                    ("aftersales_res_id", "in", [r.id for _p, _c, r in grants]),
                ],
                ["aftersales_res_id"],
            ).mapped("aftersales_res_id")
        )
        todo, seen = [], set()
        for partner, company, record in grants:
            if record.id in done or record.id in seen:
                continue
            seen.add(record.id)
            todo.append((partner, company, record))
        if not todo:
            return History
        cards = self._aftersales_club_enrol(
            [(p, c) for p, c, _r in todo], buyers_only=event not in CLUB_ENROLLING_EVENTS
        )
        label = dict(History._fields["aftersales_event"]._description_selection(self.env))[event]
        vals_list = []
        for partner, company, record in todo:
            card = cards.get((partner.id, company.id))
            if not card:
                continue
            vals_list.append(
                {
                    "card_id": card.id,
                    "description": self.env._(
                        "Club points for %(event)s: %(record)s",
                        event=label,
                        record=record.sudo().display_name,
                    ),
                    "issued": points[company],
                    "aftersales_event": event,
                    "aftersales_res_model": model,
                    "aftersales_res_id": record.id,
                }
            )
        lines = History.create(vals_list)
        self._aftersales_club_add_points(lines)
        self._aftersales_club_update_tiers(lines.card_id)
        return lines

    @api.model
    def _aftersales_club_add_points(self, lines):
        """Add the points issued by history ``lines`` to their cards, through ``loyalty.card``'s own
        ``write``: the program's "points reached" emails (its communication plan) fire as they do
        for points earned by orders."""
        delta = defaultdict(float)
        for line in lines:
            delta[line.card_id.id] += line.issued
        if not delta:
            return
        cards = self.env["loyalty.card"].sudo().browse(list(delta))  # the club's ledger, as above
        # Read-then-write loses nothing: Odoo's transactions are REPEATABLE READ, so of two grants on
        # one card at once the second to write fails with a serialization error, and the request is
        # retried from the start (odoo.service.model.retrying), reading the first one's points.
        # The history line is the ledger and names the event: no tracking message on the card too.
        for card in cards.with_context(tracking_disable=True):
            card.points += delta[card.id]

    @api.model
    def _aftersales_club_update_tiers(self, cards):
        """Set the tier of each card's member from the points earned in the last 365 days.

        A fixed number of queries whatever the number of cards: one sum over the history, one read
        of the current tiers and one write per tier that changes, per company."""
        cards = cards.sudo().filtered(lambda card: card.program_id.program_type == "loyalty")
        clubs = (
            self.env["res.company"]
            .sudo()
            .search([("aftersales_club_program_id", "in", cards.program_id.ids)])
        )
        cards = cards.filtered(lambda card: card.program_id in clubs.aftersales_club_program_id)
        if not cards:
            return
        earned = self._aftersales_club_earned(cards)
        tiers = self.env["aftersales.club.tier"].sudo().search([("company_id", "in", clubs.ids)])
        for company in clubs:
            company_cards = cards.filtered(
                lambda card, c=company: card.program_id == c.aftersales_club_program_id
            )
            company_tiers = tiers.filtered(lambda tier, c=company: tier.company_id == c).sorted(
                lambda tier: (tier.min_points, tier.sequence, tier.id)
            )
            partners = company_cards.partner_id.sudo().with_company(company).with_context(active_test=False)
            current = {partner.id: partner.aftersales_club_tier_id for partner in partners}
            changes = defaultdict(list)
            for card in company_cards:
                tier = company_tiers._tier_for(company_tiers, earned.get(card.id, 0.0))
                if card.partner_id and current.get(card.partner_id.id) != tier:
                    changes[tier].append(card.partner_id.id)
            with system_writes():
                for tier, partner_ids in changes.items():
                    partners.browse(partner_ids).write({"aftersales_club_tier_id": tier.id})
            # The open claims of members who reached a tier with a priority get it now, as new ones do.
            raised = [pid for tier, pids in changes.items() if tier.claim_priority for pid in pids]
            if raised:
                claims = (
                    self.env["aftersales.claim"]
                    .sudo()
                    .search(
                        [
                            ("company_id", "=", company.id),
                            ("partner_id", "child_of", raised),
                            ("state", "in", OPEN_STATES),
                        ]
                    )
                )
                claims.invalidate_recordset(["aftersales_club_tier_id"])  # the tier it read is gone
                claims._apply_club_priority()

    @api.model
    def _aftersales_club_earned(self, cards):
        """{card id: points earned in the last 365 days} of ``cards``."""
        since = fields.Datetime.now() - timedelta(days=CLUB_WINDOW_DAYS)
        groups = (
            self.env["loyalty.history"]
            .sudo()
            ._read_group(
                [("card_id", "in", cards.ids), ("aftersales_date", ">=", since), ("issued", ">", 0)],
                ["card_id"],
                ["issued:sum"],
            )
        )
        return {card.id: issued for card, issued in groups}

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_aftersales_club(self, batch_size=1000):
        """Enrol every customer who bought and has no card yet, then recompute every member's tier
        as old points leave the 365-day window. In batches, each committed in a cron."""
        in_cron = bool(self.env.context.get("cron_id"))
        Partner = self.sudo().with_context(active_test=False)  # every customer of every company
        Card = self.env["loyalty.card"].sudo()
        clubs = self.env["res.company"].sudo().search([("aftersales_club_program_id", "!=", False)])
        for company in clubs:
            program = company.aftersales_club_program_id
            while True:
                members = Card._search([("program_id", "=", program.id)]).subselect("partner_id")
                buyers = Partner.search(
                    Domain("id", "not in", members) & self._aftersales_buyer_domain(company),
                    order="id",
                    limit=batch_size,
                )
                if not buyers:
                    break
                self._aftersales_club_enrol([(buyer, company) for buyer in buyers])
                if in_cron and self.env["ir.cron"]._commit_progress(len(buyers)) <= 0:
                    return
                if len(buyers) < batch_size:
                    break
        last_id = 0
        programs = clubs.aftersales_club_program_id
        while programs:
            cards = Card.search(
                [("program_id", "in", programs.ids), ("id", ">", last_id)], order="id", limit=batch_size
            )
            if not cards:
                break
            last_id = cards[-1].id
            self._aftersales_club_update_tiers(cards)
            if in_cron and self.env["ir.cron"]._commit_progress(len(cards)) <= 0:
                return
            self.env.invalidate_all()

    @api.model
    def _aftersales_club_demo_members(self, members):
        """Demo data: [(partner id, points earned)] members of the current company's club."""
        company = self.env.company
        partners = self.browse([partner_id for partner_id, _points in members])
        cards = self._aftersales_club_enrol([(partner, company) for partner in partners])
        lines = (
            self.env["loyalty.history"]
            .sudo()
            .create(
                [
                    {
                        "card_id": cards[(partner_id, company.id)].id,
                        "description": self.env._("Points of past purchases"),
                        "issued": points,
                    }
                    for partner_id, points in members
                ]
            )
        )
        self._aftersales_club_add_points(lines)
        self._aftersales_club_update_tiers(lines.card_id)

    # ------------------------------------------------------------------
    # The guard: the tier is the system's
    # ------------------------------------------------------------------

    def _aftersales_protected_fields(self):
        # The tier follows the points: the club's own code writes it (system_writes), nobody else.
        return super()._aftersales_protected_fields() | {"aftersales_club_tier_id"}

    def _aftersales_protected_error(self, field):
        if field.name == "aftersales_club_tier_id":
            return UserError(
                self.env._("The club tier follows the points the customer earned: it cannot be written.")
            )
        return super()._aftersales_protected_error(field)
