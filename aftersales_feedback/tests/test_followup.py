from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import AftersalesFeedbackCommon


class TestFollowup(AftersalesFeedbackCommon):
    def _activities(self, model, res_id):
        """The open call activities of a record."""
        return self.env["mail.activity"].search(
            [("res_model", "=", model), ("res_id", "=", res_id), ("activity_type_id", "=", self.call_type.id)]
        )

    def _run_over_new_deliveries(self, rule, count):
        """Deliver ``count`` new orders of one unit, run ``rule``: its queries, and the orders."""
        with freeze_time("2026-05-20 09:00:00"):
            orders = self.env["sale.order"].concat(
                *(self._sell([(self.product_plain, 1)]) for _i in range(count))
            )
            for order in orders:
                self._deliver(order)
        self.env.flush_all()
        self.env.invalidate_all()
        queries_before = self.env.cr.sql_log_count
        rule._run(batch_size=1000)
        self.env.flush_all()
        return self.env.cr.sql_log_count - queries_before, orders

    def test_order_delivered_call_for_the_salesperson_once(self):
        rule = self._rule("order_delivered", delay_days=3, responsible="salesperson")
        with freeze_time("2026-01-12 10:00:00"):
            rule._cron_run_followups()
            self.assertFalse(self._followups(rule), "not before the delay")
        with freeze_time("2026-01-13 10:00:00"):
            self.Rule._cron_run_followups()
            self.Rule._cron_run_followups()
        followup = self._followups(rule)
        self.assertEqual(len(followup), 1, "the cron twice gives one follow-up")
        self.assertEqual((followup.res_model, followup.res_id), ("sale.order", self.order.id))
        self.assertEqual(followup.user_id, self.salesman)
        self.assertEqual(followup.outcome, "pending")
        activity = followup.activity_id
        self.assertEqual(activity.activity_type_id, self.call_type)
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual((activity.res_model, activity.res_id), ("sale.order", self.order.id))
        self.assertEqual(len(self._activities("sale.order", self.order.id)), 1)

    def test_rule_applies_from_its_start_date(self):
        rule = self._rule("order_delivered", date_from="2026-02-01")
        rule._cron_run_followups()
        self.assertFalse(self._followups(rule), "a delivery before the rule's start is not followed")

    def test_claim_resolved_call_for_the_agent_with_survey(self):
        rule = self._rule("claim_resolved", delay_days=2, responsible="claim_agent", send_rating_request=True)
        claim = self._claim_in_state("resolved")
        requests_before = self.env["aftersales.feedback.request"].search_count([])
        with freeze_time("2026-06-02 10:00:00"):
            self.Rule._cron_run_followups()
            self.assertFalse(self._followups(rule))
        with freeze_time("2026-06-03 10:00:00"):
            self.Rule._cron_run_followups()
            self.Rule._cron_run_followups()
        followup = self._followups(rule)
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.res_id, claim.id)
        self.assertEqual(followup.user_id, claim.user_id)
        self.assertEqual(
            self.env["aftersales.feedback.request"].search_count([]),
            requests_before + 1,
            "the rule emails the survey once",
        )

    def test_warranty_expiring_opens_renewal_opportunity(self):
        rule = self._rule("warranty_expiring", delay_days=30, create_opportunity=True)
        with freeze_time("2026-12-10 09:00:00"):
            self.Rule._cron_run_followups()
            self.assertFalse(self._followups(rule), "more than 30 days before the end")
        with freeze_time("2026-12-12 09:00:00"):
            self.Rule._cron_run_followups()
            self.Rule._cron_run_followups()
            followups = self._followups(rule)
            self.assertEqual(len(followups), 2, "one per warranty of the two units")
            leads = followups.lead_id
            self.assertEqual(len(leads), 2, "a renewal opportunity per warranty")
            lead = followups.filtered(lambda f: f.res_id == self.warranty.id).lead_id
            self.assertEqual(lead.aftersales_kind, "renewal")
            self.assertEqual(lead.aftersales_warranty_id, self.warranty)
            self.assertEqual(lead.expected_revenue, self.extension_product.lst_price)
            self.assertEqual(lead.type, "opportunity")
            self.assertEqual(lead.user_id, self.salesman)
            activity = followups.activity_id.filtered(lambda a: a.res_id == lead.id)
            self.assertEqual(activity.res_model, "crm.lead")
            self.assertIn(self.warranty, lead.aftersales_warranty_ids)
            action = lead.with_user(self.manager).action_aftersales_create_extension()
            quotation = self.env["sale.order"].browse(action["res_id"])
            self.assertEqual(quotation.order_line.product_id, self.extension_product)
            self.assertEqual(quotation.order_line.warranty_target_id, self.warranty)
            self.assertEqual(quotation.opportunity_id, lead)

    def test_detractor_opens_winback_for_team_leader(self):
        rule = self._rule("detractor", responsible="team_leader", create_opportunity=True)
        self.Feedback.create({"sale_order_id": self.order.id, "score": 5, "nps": 2})
        self.Feedback.create({"claim_id": self._claim().id, "score": 1})
        self.Rule._cron_run_followups()
        self.Rule._cron_run_followups()
        followups = self._followups(rule)
        self.assertEqual(len(followups), 2, "one per detractor feedback")
        lead = followups.lead_id
        self.assertEqual(len(lead), 1, "the customer's win-back opportunity is shared")
        self.assertEqual(lead.aftersales_kind, "winback")
        self.assertEqual(lead.priority, "3")
        self.assertEqual(lead.user_id, self.team_leader)
        self.assertEqual(set(followups.activity_id.mapped("date_deadline")), {date(2026, 6, 1)})
        self.assertEqual(lead.aftersales_last_category, "detractor")

    def test_promoter_feedback_gets_a_call(self):
        rule = self._rule("promoter", delay_days=1)
        self.Feedback.create({"sale_order_id": self.order.id, "score": 5})
        self.Rule._cron_run_followups()
        self.assertFalse(self._followups(rule))
        with freeze_time("2026-06-02 09:00:00"):
            self.Rule._cron_run_followups()
        self.assertEqual(len(self._followups(rule)), 1)

    def _pending_call(self):
        rule = self._rule("order_delivered", responsible="salesperson")
        rule._cron_run_followups()
        return self._followups(rule)

    def _log_outcome(self, followup, user=None, **vals):
        action = followup.with_user(user or self.salesman).action_log_outcome()
        form = Form(
            self.env["aftersales.followup.outcome"]
            .with_user(user or self.salesman)
            .with_context(**action["context"])
        )
        for name, value in vals.items():
            setattr(form, name, value)
        form.save().action_confirm()

    def test_reached_call_records_score_as_feedback(self):
        followup = self._pending_call()
        activity = followup.activity_id
        self._log_outcome(followup, outcome="reached", score="4", nps="9", comment="Happy with the unit")
        self.assertEqual(followup.outcome, "reached")
        self.assertEqual(followup.state, "done")
        self.assertFalse(activity.active, "the call activity is done")
        feedback = followup.feedback_id
        self.assertEqual((feedback.score, feedback.nps, feedback.source), (4, 9, "call"))
        self.assertEqual(feedback.sale_order_id, self.order)
        self.assertEqual(feedback.category, "promoter")

    def test_reached_without_score_is_refused(self):
        followup = self._pending_call()
        with self.assertRaisesRegex(UserError, "score from 1 to 5"), self.env.cr.savepoint():
            followup._record_outcome("reached")
        self.assertEqual(followup.outcome, "pending")
        self.assertTrue(followup.activity_id)

    def test_three_unanswered_calls_stop_and_are_reported(self):
        followup = self._pending_call()
        for attempt in (1, 2):
            self._log_outcome(followup, outcome="no_answer")
            self.assertEqual(followup.state, "open")
            self.assertEqual(followup.attempt_count, attempt)
            self.assertEqual(followup.activity_id.date_deadline, date(2026, 6, 2), "try again tomorrow")
        self._log_outcome(followup, outcome="no_answer")
        self.assertEqual(followup.state, "stopped")
        self.assertFalse(followup.activity_id.active, "the last call is done, none is scheduled")
        self.assertFalse(self._activities("sale.order", self.order.id))
        unreachable = self.Followup.search([("state", "=", "stopped"), ("outcome", "=", "no_answer")])
        self.assertEqual(unreachable, followup)
        self.assertIn("did not answer 3 calls", followup.message_ids[:1].body)
        with self.assertRaisesRegex(UserError, "already finished"):
            followup.action_log_outcome()

    def test_callback_reschedules_and_wrong_number_stops(self):
        followup = self._pending_call()
        self._log_outcome(followup, outcome="callback", callback_date=date(2026, 6, 5))
        self.assertEqual(followup.state, "open")
        self.assertEqual(followup.activity_id.date_deadline, date(2026, 6, 5))
        with self.assertRaisesRegex(UserError, "call the customer back"), self.env.cr.savepoint():
            followup._record_outcome("callback", callback_date=date(2026, 5, 1))
        self._log_outcome(followup, outcome="wrong_number")
        self.assertEqual(followup.state, "stopped")
        self.assertFalse(followup.activity_id.active, "the last call is done, none is scheduled")

    def test_activity_marked_done_elsewhere_counts_as_reached(self):
        followup = self._pending_call()
        followup.activity_id.action_feedback(feedback="Talked to the customer")
        self.assertEqual(followup.state, "done")
        self.assertEqual(followup.outcome, "reached")
        self.assertFalse(followup.feedback_id)

    def test_mark_done_opens_the_outcome_dialog(self):
        followup = self._pending_call()
        action = (
            self.env["mail.activity"]
            .with_user(self.salesman)
            .aftersales_followup_outcome_action(followup.activity_id.id)
        )
        self.assertEqual(action["res_model"], "aftersales.followup.outcome")
        self.assertEqual(action["context"]["default_followup_id"], followup.id)
        other = self.order.activity_schedule("mail.mail_activity_data_todo", user_id=self.salesman.id)
        self.assertFalse(self.env["mail.activity"].aftersales_followup_outcome_action(other.id))

    def test_salesperson_sees_only_own_followups(self):
        followup = self._pending_call()
        other_salesman = self.env["res.users"].create(
            {
                "name": "Other Salesman",
                "login": "as_other_salesman",
                "group_ids": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        self.assertEqual(self.Followup.with_user(self.salesman).search([]), followup)
        self.assertFalse(self.Followup.with_user(other_salesman).search([]))
        self.assertEqual(self.Followup.with_user(self.agent).search([("id", "=", followup.id)]), followup)
        with self.assertRaises(AccessError):
            self.Followup.with_user(self.salesman).create(
                {"rule_id": followup.rule_id.id, "res_model": "sale.order", "res_id": self.order.id}
            )

    def test_bad_rule_values(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"), self.env.cr.savepoint():
            self._rule("order_delivered", delay_days=-1)
        with self.assertRaisesRegex(ValidationError, "choose the user"), self.env.cr.savepoint():
            self._rule("order_delivered", responsible="user")
        self.assertFalse(self.Rule.search([("active", "=", True)]))

    def test_cron_queries_do_not_grow_with_orders(self):
        rule = self._rule("order_delivered")
        self._add_stock(self.product_plain, 100)

        def run_with(count):
            queries, orders = self._run_over_new_deliveries(rule, count)
            return queries, len(self._followups(rule).filtered(lambda f: f.res_id in orders.ids))

        small, small_made = run_with(3)
        large, large_made = run_with(12)
        self.assertEqual((small_made, large_made), (3, 12))
        self.assertLessEqual(large, small + 4, f"{small} queries for 3 orders, {large} for 12")

    def test_cron_assigns_without_an_email_per_record(self):
        """The activity is the responsible's notice: no "You have been assigned" email per follow-up
        or opportunity, the responsible follows each, and the queries do not grow with them."""
        self._add_stock(self.product_plain, 100)
        mails = self.env["mail.mail"].search([]).ids

        for create_opportunity in (False, True):
            with self.subTest(create_opportunity=create_opportunity):
                rule = self._rule(
                    "order_delivered",
                    responsible="user",
                    user_id=self.salesman.id,
                    create_opportunity=create_opportunity,
                )
                small = self._run_over_new_deliveries(rule, 2)[0]
                large = self._run_over_new_deliveries(rule, 10)[0]
                self.assertLessEqual(large, small + 4, f"{small} queries for 2 orders, {large} for 10")
                followups = self._followups(rule)
                self.assertEqual(set(followups.user_id.ids), {self.salesman.id})
                targets = followups.lead_id if create_opportunity else followups
                self.assertTrue(targets)
                for target in targets:
                    self.assertIn(self.salesman.partner_id, target.message_partner_ids)
                if create_opportunity:
                    self.assertIn(
                        f"Opened by the follow-up rule {rule.name}", targets[:1].message_ids[:1].body
                    )
        self.assertFalse(
            self.env["mail.mail"].search(
                [("id", "not in", mails), ("recipient_ids", "in", self.salesman.partner_id.ids)]
            ),
            "no email per assignment",
        )

    def test_cron_out_of_time_asks_the_scheduler_to_continue(self):
        """When its time is up the run says work remains, so the scheduler calls it again today."""
        rule = self._rule("order_delivered")
        self._add_stock(self.product_plain, 10)
        with freeze_time("2026-05-20 09:00:00"):
            for _i in range(3):
                self._deliver(self._sell([(self.product_plain, 1)]))
        reports = []

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            reports.append((processed, remaining))
            return 0  # no time left

        cron = self.env.ref("aftersales_feedback.ir_cron_run_followups")
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress):
            for _run in range(2):
                rule.with_context(cron_id=cron.id)._run(batch_size=2)
            self.assertEqual(reports, [(2, 1), (2, 1)], "a page each, then stops with work left")
            self.assertEqual(len(self._followups(rule)), 4, "the January order and the three new")
            rule.with_context(cron_id=cron.id)._run(batch_size=2)
        self.assertEqual(reports[-1], (0, 0), "done: nothing remains")
        self.assertEqual(len(self._followups(rule)), 4)

    def test_cron_in_small_batches_follows_each_record_once(self):
        rule = self._rule("order_delivered")
        self._add_stock(self.product_plain, 10)
        with freeze_time("2026-05-20 09:00:00"):
            orders = self.env["sale.order"].concat(
                *(self._sell([(self.product_plain, 1)]) for _i in range(5))
            )
            for order in orders:
                self._deliver(order)
        rule._run(batch_size=2)
        followups = self._followups(rule)
        self.assertEqual(len(followups), 6, "the five orders and the January one")
        self.assertEqual(len(set(followups.mapped("res_id"))), 6)
        rule._run(batch_size=2)
        self.assertEqual(len(self._followups(rule)), 6)


@tagged("post_install", "-at_install")
class TestFollowupUi(AftersalesFeedbackCommon, HttpCase):
    def test_mark_done_asks_the_outcome_in_the_browser(self):
        rule = self._rule(
            "order_delivered",
            name="Call after delivery",
            user_id=self.env.ref("base.user_admin").id,
            responsible="user",
        )
        rule._cron_run_followups()
        followup = self._followups(rule)
        self.assertTrue(followup.activity_id)
        self.start_tour(
            f"/odoo/sale.order/{self.order.id}", "aftersales_followup_outcome_tour", login="admin"
        )
        followup.invalidate_recordset()
        self.assertEqual((followup.state, followup.outcome), ("done", "reached"))
        self.assertEqual(followup.feedback_id.score, 4)
        self.assertEqual(followup.feedback_id.source, "call")
