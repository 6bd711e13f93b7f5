import json
from pathlib import Path

import polib
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from ..hooks import _aftersales_club_setup
from .club_common import AftersalesClubCommon
from .test_coupon import PNG_B64

ROOT = Path(__file__).resolve().parents[1]


@tagged("post_install", "-at_install")
class TestClub(AftersalesClubCommon):
    # ------------------------------------------------------------------
    # The program
    # ------------------------------------------------------------------

    def test_every_company_has_its_club_program(self):
        self.assertEqual(self.club.program_type, "loyalty")
        self.assertEqual(self.club.company_id, self.company)
        self.assertTrue(self.club.reward_ids, "a default reward to spend points on")
        self.assertTrue(self.club.rule_ids, "purchases earn points through the program's own rules")
        other = self.env["res.company"].create({"name": "Club Branch"})
        self.assertEqual(other.aftersales_club_program_id.company_id, other)
        self.assertEqual(other.aftersales_club_program_id.program_type, "loyalty")
        programs = self.env["loyalty.program"].search_count([("aftersales_is_club", "=", True)])
        (self.company | other)._aftersales_ensure_club()
        self.assertEqual(
            self.env["loyalty.program"].search_count([("aftersales_is_club", "=", True)]),
            programs,
            "ensuring twice creates nothing",
        )

    def test_buyer_is_a_member_and_purchases_earn_points(self):
        card = self._card(self.customer)
        self.assertTrue(card, "a confirmed order made the customer a member")
        self.assertEqual(self.customer.aftersales_club_card_id, card)
        self.assertEqual(self.customer.aftersales_club_tier_id, self.silver)
        before = card.points
        self._sell([(self.product_no_warranty, 1)])
        self.assertEqual(card.points, before + 10, "10 points per order from the program's rule")
        self.assertFalse(self._card(self.other_customer), "who never bought is not a member")

    def test_posted_invoice_makes_a_member(self):
        buyer = self.env["res.partner"].create({"name": "Invoice Buyer"})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": buyer.id,
                "invoice_line_ids": [Command.create({"name": "Service", "quantity": 1, "price_unit": 100})],
            }
        )
        self.assertFalse(self._card(buyer))
        invoice.action_post()
        self.assertTrue(self._card(buyer))
        self.assertEqual(buyer.aftersales_club_tier_id, self.silver)

    # ------------------------------------------------------------------
    # Events, each granted once
    # ------------------------------------------------------------------

    def test_feedback_and_photo_review_are_granted_once(self):
        card = self._card(self.customer)
        before = card.points
        with self.assertNoLogs("odoo", level="ERROR"):
            feedback = self.Feedback.with_user(self.agent).create(
                {"partner_id": self.customer.id, "score": 5, "source": "call", "company_id": self.company.id}
            )
        lines = self._history(self.customer, "feedback")
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines.aftersales_res_model, "aftersales.feedback")
        self.assertEqual(lines.aftersales_res_id, feedback.id)
        self.assertEqual(lines.issued, 20)
        self.assertEqual(card.points, before + 20)
        self.assertFalse(self._history(self.customer, "photo_review"))
        feedback.with_user(self.agent).photo = PNG_B64
        feedback.with_user(self.agent).photo = PNG_B64
        feedback._grant_club_points()  # run again: nothing more
        self.env["res.partner"]._cron_aftersales_club()
        self.assertEqual(len(self._history(self.customer, "feedback")), 1)
        self.assertEqual(len(self._history(self.customer, "photo_review")), 1)
        self.assertEqual(card.points, before + 70)

    def test_points_reached_email_of_the_program_fires(self):
        # The manager adds a "points reached" email to the club program: points granted by the
        # club's events reach it through the card, as points of orders do.
        template = self.env.ref("loyalty.mail_template_loyalty_card")
        card = self._card(self.customer)
        milestone = card.points + 60
        self.club.communication_plan_ids = [
            Command.create({"trigger": "points_reach", "points": milestone, "mail_template_id": template.id})
        ]
        mails = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        feedback = self.Feedback.with_user(self.agent).create(
            {"partner_id": self.customer.id, "score": 5, "source": "call", "company_id": self.company.id}
        )
        self.assertEqual(
            self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)]),
            mails,
            "20 points: the milestone is not reached yet",
        )
        feedback.with_user(self.agent).photo = PNG_B64  # 50 more: the milestone is passed
        new = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)]) - mails
        self.assertEqual(len(new), 1, "the program's own email, once")
        self.assertEqual(card.points, milestone + 10)
        self.assertFalse(
            card.message_ids.tracking_value_ids, "the history line is the ledger: no tracking on the card"
        )

    def test_grant_twice_is_refused_by_the_database(self):
        # Two transactions granting at once both pass the search: the unique index stops the second.
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'loyalty_history' AND indexname = %s",
            ["loyalty_history_aftersales_event_unique"],
        )
        [(definition,)] = self.env.cr.fetchall()
        self.assertIn("UNIQUE", definition)
        self.assertIn("(aftersales_event, aftersales_res_id)", definition)

    def test_non_member_earns_nothing(self):
        self.Feedback.create(
            {"partner_id": self.other_customer.id, "score": 5, "company_id": self.company.id}
        )
        self.assertFalse(self._card(self.other_customer))
        self.assertFalse(
            self.env["loyalty.history"]
            .search([("aftersales_event", "=", "feedback")])
            .filtered(lambda line: line.card_id.partner_id == self.other_customer)
        )

    def test_referral_first_order_only(self):
        friend = self.env["res.partner"].create({"name": "Friend", "referred_by_id": self.customer.id})
        card = self._card(self.customer)
        before = card.points
        order = self._sell([(self.product_no_warranty, 1)], partner=friend)
        lines = self._history(self.customer, "referral")
        self.assertEqual(len(lines), 1)
        self.assertEqual((lines.aftersales_res_model, lines.aftersales_res_id), ("res.partner", friend.id))
        self._sell([(self.product_no_warranty, 1)], partner=friend)
        self.env["res.partner"]._aftersales_club_grant(
            "referral", [(self.customer, self.company, friend)]
        )  # whoever runs it again
        self.assertEqual(len(self._history(self.customer, "referral")), 1)
        self.assertEqual(card.points, before + 100)
        self.assertEqual(order.state, "sale")

    def test_warranty_extension_bought(self):
        card = self._card(self.customer)
        before = card.points
        order = self._sell([(self.extension_product, 1)])
        lines = self._history(self.customer, "extension")
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines.aftersales_res_id, order.order_line.id)
        order._aftersales_club_on_confirm()
        self.assertEqual(len(self._history(self.customer, "extension")), 1)
        self.assertEqual(card.points, before + 80 + 10, "the extension and the order's own 10 points")

    def test_birthday_greeting_earns_points_once_and_uninvoiced_buyer_is_greeted(self):
        Occasion = self.env["aftersales.occasion"]
        Occasion.search([]).active = False
        occasion = Occasion.create({"name": "Birthday", "kind": "birthday", "channel": "email"})
        # Bought (a confirmed order, delivered) but not invoiced: customer_rank is still 0.
        self.customer.birthday = "1990-06-01"
        self.customer.customer_rank = 0
        prospect = self.env["res.partner"].create(
            {"name": "Prospect", "email": "prospect@example.com", "birthday": "1991-06-01"}
        )
        self.assertFalse(self.order.invoice_ids)
        Occasion._cron_send_occasion_greetings()
        Occasion._cron_send_occasion_greetings()
        logs = self.env["aftersales.occasion.log"].search([("occasion_id", "=", occasion.id)])
        self.assertEqual(logs.partner_id, self.customer, "the buyer is greeted, the prospect is not")
        self.assertNotIn(prospect, logs.partner_id)
        lines = self._history(self.customer, "birthday")
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines.aftersales_res_id, logs.id)

    # ------------------------------------------------------------------
    # Tiers
    # ------------------------------------------------------------------

    def test_tiers_follow_the_365_day_window(self):
        with freeze_time("2026-06-01 08:00:00"):
            card = self._give_points(self.customer, 400)
        self.assertEqual(self.customer.aftersales_club_tier_id, self.gold)
        with freeze_time("2026-09-01 08:00:00"):
            card = self._give_points(self.customer, 700)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.aftersales_club_tier_id, self.platinum)
        with freeze_time("2027-06-02 08:00:00"):  # the 400 points of June 2026 left the window
            self.env["res.partner"]._cron_aftersales_club()
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.aftersales_club_tier_id, self.gold)
            self.env["res.partner"]._cron_aftersales_club()  # again: no change
            self.assertEqual(self.customer.aftersales_club_tier_id, self.gold)
        with freeze_time("2027-09-02 08:00:00"):
            self.env["res.partner"]._cron_aftersales_club()
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.aftersales_club_tier_id, self.silver)
        self.assertGreater(card.points, 1000, "the balance stays: points to spend never expire here")

    def test_spending_points_never_demotes(self):
        card = self._give_points(self.customer, 350)
        self.assertEqual(self.customer.aftersales_club_tier_id, self.gold)
        order = self._sell([(self.product_no_warranty, 2)], confirm=False)
        order._update_programs_and_rewards()
        rewards = order._get_claimable_rewards()
        self.assertIn(card, rewards)
        order._apply_program_reward(rewards[card][:1], card)
        order.action_confirm()
        self.env["res.partner"]._cron_aftersales_club()
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.aftersales_club_tier_id, self.gold)

    def test_reward_lowers_the_order_total_and_the_card_points(self):
        card = self._give_points(self.customer, 150)
        points = card.points
        order = self._sell([(self.product_no_warranty, 4)], confirm=False)
        total = order.amount_total
        order._update_programs_and_rewards()
        rewards = order._get_claimable_rewards()
        reward = rewards[card].filtered(lambda r: r.required_points == 100)
        self.assertTrue(reward)
        order._apply_program_reward(reward, card)
        self.assertAlmostEqual(order.amount_total, total * 0.9, places=2, msg="10 % off for 100 points")
        order.action_confirm()
        self.assertEqual(card.points, points - 100 + 10, "100 spent, 10 earned by the order")
        spent = self.env["aftersales.club.report"].search(
            [("kind", "=", "spent"), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(sum(spent.mapped("points_spent")), 100)

    def test_tier_cannot_be_written_by_users(self):
        with self.assertRaises(UserError):
            self.customer.with_user(self.manager).write({"aftersales_club_tier_id": self.platinum.id})
        self.assertEqual(self.customer.aftersales_club_tier_id, self.silver)

    def test_tiers_are_per_company(self):
        self._give_points(self.customer, 1200)
        self.assertEqual(self.customer.aftersales_club_tier_id, self.platinum)
        branch = self.env["res.company"].create({"name": "Other Branch"})
        self.assertFalse(self.customer.with_company(branch).aftersales_club_tier_id)
        self.assertFalse(self.customer.with_company(branch).aftersales_club_card_id)
        self.assertEqual(
            self.customer.with_company(self.company).aftersales_club_points, self._card(self.customer).points
        )

    def test_tier_values_are_checked(self):
        with self.assertRaises(ValidationError):
            self.env["aftersales.club.tier"].create({"name": "Bad", "warranty_bonus_months": -1})
        with self.assertRaises(ValidationError):
            self.env["aftersales.club.rule"].create({"event": "feedback", "points": 0})
        with self.assertRaises(ValidationError):
            self.env["aftersales.club.rule"].create({"event": "nothing", "points": 5})

    # ------------------------------------------------------------------
    # After-sales benefits
    # ------------------------------------------------------------------

    def test_bonus_months_on_a_real_delivery(self):
        self._give_points(self.customer, 400)  # Gold: 3 bonus months
        self._add_stock(self.product_serial, lot_names=["CLUB-1"])
        order = self._sell([(self.product_serial, 1)])
        self._deliver(order)
        warranty = order.warranty_ids.filtered(lambda w: w.state == "active")
        self.assertEqual(warranty.club_bonus_months, 3)
        self.assertEqual(str(warranty.date_end_base), "2027-06-01")
        self.assertEqual(str(warranty.date_end), "2027-09-01", "policy end plus 3 months")
        with self.assertRaises(UserError):
            warranty.with_user(self.manager).write({"club_bonus_months": 12})

    def test_member_claim_priority_and_deadline(self):
        self.env["aftersales.claim.sla"].create(
            [
                {"name": "Normal", "claim_priority": "1", "resolve_hours": 72},
                {"name": "Urgent", "claim_priority": "3", "resolve_hours": 8},
            ]
        )
        normal = self._claim(partner_id=self.customer.id)
        self.assertEqual(normal.priority, "1")
        self.assertEqual((normal.date_deadline - normal.date_reported).total_seconds(), 72 * 3600)
        normal.action_cancel()
        self._give_points(self.customer, 1200)  # Platinum: urgent
        claim = self._claim(partner_id=self.customer.id)
        self.assertEqual(claim.aftersales_club_tier_id, self.platinum)
        self.assertEqual(claim.priority, "3")
        self.assertEqual((claim.date_deadline - claim.date_reported).total_seconds(), 8 * 3600)

    def test_open_claim_raised_when_the_member_reaches_a_tier(self):
        """A claim opened before the member reached Platinum gets Platinum's priority and deadline
        when the points come; a closed claim keeps its own."""
        self.env["aftersales.claim.sla"].create(
            [
                {"name": "Normal", "claim_priority": "1", "resolve_hours": 72},
                {"name": "Urgent", "claim_priority": "3", "resolve_hours": 8},
            ]
        )
        open_claim = self._claim(partner_id=self.customer.id)
        self.assertEqual(open_claim.priority, "1")
        self._give_points(self.customer, 1200)  # Platinum: urgent
        self.assertEqual(open_claim.priority, "3")
        self.assertEqual((open_claim.date_deadline - open_claim.date_reported).total_seconds(), 8 * 3600)

    def test_tier_shown_on_order_claim_and_lead(self):
        self._give_points(self.customer, 400)
        order = self._sell([(self.product_no_warranty, 1)], confirm=False)
        self.assertEqual(order.with_user(self.salesman).aftersales_club_tier_id, self.gold)
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.customer
        self.assertEqual(form.aftersales_club_tier_id, self.gold)
        lead = self.env["crm.lead"].create({"name": "Renewal", "partner_id": self.customer.id})
        self.assertEqual(lead.with_user(self.salesman).aftersales_club_tier_id, self.gold)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_agents_read_managers_configure(self):
        Tier = self.env["aftersales.club.tier"]
        Rule = self.env["aftersales.club.rule"]
        self.assertEqual(Tier.with_user(self.agent).search([]), self.silver | self.gold | self.platinum)
        self.assertTrue(Rule.with_user(self.agent).search([]))
        with self.assertRaises(AccessError):
            self.gold.with_user(self.agent).write({"min_points": 1})
        with self.assertRaises(AccessError):
            Rule.with_user(self.agent).create({"event": "feedback", "points": 5})
        self.gold.with_user(self.manager).write({"min_points": 250})
        Rule.with_user(self.manager).create({"event": "feedback", "points": 5})
        reward = self.club.reward_ids[:1]
        reward.with_user(self.manager).write({"required_points": 80})
        self.assertEqual(reward.required_points, 80)
        with self.assertRaises(AccessError):
            reward.with_user(self.agent).write({"required_points": 1})
        self.assertTrue(
            self.env["loyalty.history"]
            .with_user(self.agent)
            .search([("card_id", "=", self._card(self.customer).id)])
        )

    def test_portal_reads_only_its_own_card_and_history(self):
        self._give_points(self.customer, 50)
        other = self.env["res.partner"].create({"name": "Other Member", "email": "other@example.com"})
        self._sell([(self.product_no_warranty, 1)], partner=other)
        portal = new_test_user(
            self.env, login="club_portal", groups="base.group_portal", partner_id=self.customer.id
        )
        cards = self.env["loyalty.card"].with_user(portal).search([])
        self.assertEqual(cards.partner_id, self.customer)
        history = self.env["loyalty.history"].with_user(portal).search([])
        self.assertEqual(history.card_id.partner_id, self.customer)
        with self.assertRaises(AccessError):
            self._card(other).with_user(portal).read(["points"])
        with self.assertRaises(AccessError):
            self.env["aftersales.club.rule"].with_user(portal).search([])

    # ------------------------------------------------------------------
    # Upgrade and KPIs
    # ------------------------------------------------------------------

    def test_upgrade_setup_is_idempotent(self):
        branch = self.env["res.company"].create({"name": "Upgraded Branch"})
        branch.aftersales_club_program_id = False  # as a company of the previous release
        _aftersales_club_setup(self.env)
        program = branch.aftersales_club_program_id
        self.assertTrue(program)
        _aftersales_club_setup(self.env)  # the migration run again: nothing new
        self.assertEqual(branch.aftersales_club_program_id, program)
        self.assertEqual(self.company.aftersales_club_program_id, self.club)

    def test_kpis_and_dashboard(self):
        self._give_points(self.customer, 400)
        self.Feedback.create({"partner_id": self.customer.id, "score": 5, "company_id": self.company.id})
        Report = self.env["aftersales.club.report"].with_user(self.agent)
        members = dict(Report._read_group([("kind", "=", "member")], ["tier_id"], ["member_count:sum"]))
        self.assertEqual(members.get(self.gold), 1)
        earned = dict(Report._read_group([("kind", "=", "earned")], ["event"], ["points_earned:sum"]))
        self.assertEqual(earned.get("feedback"), 20)
        self.assertGreaterEqual(earned.get("purchase"), 400)
        dashboard = self.env.ref("aftersales_feedback.spreadsheet_dashboard_aftersales_club")
        self.assertEqual(
            dashboard.dashboard_group_id, self.env.ref("aftersales_feedback.dashboard_group_aftersales")
        )
        data = json.loads(dashboard.spreadsheet_data)
        for pivot in data["pivots"].values():
            Model = self.env[pivot["model"]].with_user(self.agent)
            aggregates = [
                f"{m['fieldName']}:{Model._fields[m['fieldName']].aggregator}" for m in pivot["measures"]
            ]
            groupby = [row["fieldName"] for row in pivot["rows"]]
            self.assertTrue(Model.formatted_read_group(pivot["domain"], groupby, aggregates))


@tagged("post_install", "-at_install")
class TestClubLanguages(AftersalesClubCommon):
    def test_program_speaks_a_language_loaded_after_it(self):
        """The program is made at install, Persian is loaded later (``setup/run``): its name and
        point name (the portal's home shows them) are translated then; a name chosen is kept."""
        other = self.env["res.company"].create({"name": "Renamed Club Co."})
        other._aftersales_ensure_club()
        other.aftersales_club_program_id.name = "Pars Stars"
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(["aftersales_feedback"], ["fa_IR"])
        fa = {entry.msgid: entry.msgstr for entry in polib.pofile(str(ROOT / "i18n" / "fa.po"))}
        program = self.club.with_context(lang="fa_IR")
        self.assertEqual(program.name, fa["Customer Club"])
        self.assertEqual(program.portal_point_name, fa["Club points"])
        self.assertEqual(other.aftersales_club_program_id.with_context(lang="fa_IR").name, "Pars Stars")


@tagged("post_install", "-at_install")
class TestClubTierMembers(AftersalesClubCommon):
    def test_member_count_per_tier(self):
        other = self.env["res.partner"].create({"name": "Second Member"})
        self._give_points(self.customer, 400)  # Gold
        self._give_points(other, 1500)  # Platinum
        tiers = self.silver | self.gold | self.platinum
        tiers.invalidate_recordset(["member_count"])
        self.assertEqual(tiers.mapped("member_count"), [0, 1, 1])
        self._give_points(self.customer, 700)  # 1,100 in the window: Platinum too
        tiers.invalidate_recordset(["member_count"])
        self.assertEqual(tiers.mapped("member_count"), [0, 0, 2])
