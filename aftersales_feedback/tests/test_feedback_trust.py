"""Trust: every rule of the feedback addon holds where the data is written, for the model calls the
views make and for the same calls sent by hand over JSON-RPC.

- Follow-ups: what the rules derive (document, customer, company, progress) is refused to users; the
  call-outcome dialog works only on follow-ups the user may change, in their companies, and its
  feedback is about the follow-up's own document; a follow-up about a model that does not exist is
  refused with a sentence, never a KeyError.
- Goodwill coupons: not on a rejected or cancelled claim, never to one of our users, within the
  company's number per agent and month (managers are not limited).
- Review coupons: "with photo" is read from the photo, not written.
- Customers without an email address get no email queued to nobody: a click is refused before
  anything is written, a batch leaves a note.
- The managers' buttons are refused to the others by the model too.
"""

import base64
from datetime import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import SQL

from .common import AftersalesFeedbackCommon, make_buyers

PNG_B64 = b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
assert base64.b64decode(PNG_B64).startswith(b"\x89PNG")
MANAGER_GROUP = "aftersales_warranty.group_aftersales_manager"


class TrustCommon(AftersalesFeedbackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Card = cls.env["loyalty.card"]
        cls.Request = cls.env["aftersales.feedback.request"]
        cls.Occasion = cls.env["aftersales.occasion"]
        cls.Occasion.search([]).active = False
        cls.other_company = cls.env["res.company"].create({"name": "Trust Other Co"})
        cls.foreign_claim = (
            cls.env["aftersales.claim"]
            .with_company(cls.other_company)
            .create(
                {
                    "partner_id": cls.other_customer.id,
                    "product_id": cls.product_plain.id,
                    "channel": "phone",
                    "company_id": cls.other_company.id,
                }
            )
        )
        cls.other_salesman = new_test_user(
            cls.env,
            login="trust_other_salesman",
            groups="sales_team.group_sale_salesman",
            name="Other Seller",
        )
        cls.no_email = cls.env["res.partner"].create({"name": "Mute Customer"})
        cls.other_order = cls._sell([(cls.product_plain, 1)], partner=cls.other_customer)

    def _pending_call(self):
        """The salesperson's call after the delivery of the order."""
        rule = self._rule("order_delivered", responsible="salesperson")
        rule._cron_run_followups()
        followup = self._followups(rule)
        self.assertEqual((followup.user_id, followup.res_id), (self.salesman, self.order.id))
        return followup

    def _claim_for(self, partner, user=None):
        return self.Claim.with_user(user or self.agent).create(
            {"partner_id": partner.id, "product_id": self.product_plain.id, "channel": "phone"}
        )

    def _cards(self, origin):
        return self.Card.search([("aftersales_origin", "=", origin)])

    def _mails_to(self, model, records):
        return self.env["mail.mail"].search([("model", "=", model), ("res_id", "in", records.ids)])

    def _chatter(self, record):
        return "\n".join(record.message_ids.mapped("body"))


@tagged("post_install", "-at_install")
class TestFollowupTrust(TrustCommon):
    def test_derived_fields_are_refused_to_users(self):
        followup = self._pending_call()
        derived = ["res_model", "res_id", "state", "outcome", "activity_id", "partner_id", "company_id"]
        before = followup.read(derived)
        for user in (self.salesman, self.agent, self.manager):
            for vals in (
                {"res_model": "aftersales.claim", "res_id": self.foreign_claim.id},
                {"res_id": self.other_order.id},
                {"state": "done"},
                {"activity_id": False},
                {"outcome": "reached"},
                {"company_id": self.other_company.id},
                {"partner_id": self.other_customer.id},
            ):
                with (
                    self.subTest(user=user.login, vals=vals),
                    self.assertRaisesRegex(UserError, "set by the system"),
                    self.env.cr.savepoint(),
                ):
                    followup.with_user(user).write(vals)
        followup.invalidate_recordset()
        self.assertEqual(followup.read(derived), before, "nothing written")
        # What the users do write: the responsible, the due date, the notes.
        followup.with_user(self.salesman).write({"note": "Prefers mornings", "date_deadline": "2026-06-03"})
        self.assertEqual(followup.note, "Prefers mornings")

    def test_protected_fields_through_context_defaults_are_ignored(self):
        """A context is something any caller sends: a default of a protected field is not a value."""
        feedback = (
            self.Feedback.with_user(self.agent)
            .with_context(default_has_photo=True)
            .create({"sale_order_id": self.order.id, "score": 5})
        )
        self.assertFalse(feedback.has_photo)
        self.assertFalse(self._cards("review"))
        request = (
            self.Request.with_user(self.manager)
            .with_context(default_state="done")
            .create({"partner_id": self.customer.id, "company_id": self.company.id})
        )
        self.assertEqual(request.state, "sent")

    def test_nobody_creates_followups_by_hand(self):
        followup = self._pending_call()
        for user in (self.salesman, self.agent, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError), self.env.cr.savepoint():
                self.Followup.with_user(user).create(
                    {
                        "rule_id": followup.rule_id.id,
                        "res_model": "aftersales.claim",
                        "res_id": self._claim().id,
                    }
                )

    def test_unknown_document_model_is_a_clear_error(self):
        followup = self._pending_call()
        for vals in ({"res_model": "no.such.model"}, {"res_model": 42}, {"res_id": -3}, {"res_id": 2**40}):
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                followup.with_user(self.manager).write(vals)
        # Not even the system writes a follow-up about a model that does not exist.
        with (
            self.assertRaisesRegex(ValidationError, "cannot be about 'no.such.model'"),
            self.env.cr.savepoint(),
        ):
            self.Followup.create({"rule_id": followup.rule_id.id, "res_model": "no.such.model", "res_id": 1})
        with self.assertRaisesRegex(ValidationError, "There is no"), self.env.cr.savepoint():
            self.Followup.create(
                {"rule_id": followup.rule_id.id, "res_model": "sale.order", "res_id": 999999}
            )
        # A row written before these checks existed: a sentence, not a KeyError.
        self.env.flush_all()
        self.env.cr.execute(
            SQL("UPDATE aftersales_followup SET res_model = 'no.such.model' WHERE id = %s", followup.id)
        )
        followup.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "no longer exists"), self.env.cr.savepoint():
            followup.with_user(self.salesman)._record_outcome("reached", score=4)
        with self.assertRaisesRegex(UserError, "no longer exists"):
            followup.with_user(self.salesman).action_open_document()
        self.assertFalse(followup.feedback_id)

    def test_outcome_dialog_only_on_followups_the_user_works_on(self):
        followup = self._pending_call()
        Outcome = self.env["aftersales.followup.outcome"]
        # Another salesperson: not their call (the dialog would show the customer's phone).
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Outcome.with_user(self.other_salesman).create({"followup_id": followup.id, "outcome": "reached"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            followup.with_user(self.other_salesman).action_log_outcome()
        # The salesperson's own call, while working in another company only.
        self.salesman.write({"company_ids": [(4, self.other_company.id)]})
        elsewhere = Outcome.with_user(self.salesman).with_context(allowed_company_ids=[self.other_company.id])
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            elsewhere.create({"followup_id": followup.id, "outcome": "reached", "score": "1"})
        self.assertEqual(followup.state, "open")
        self.assertFalse(self.Feedback.search([]))

    def test_outcome_feedback_is_about_the_followups_own_document_and_company(self):
        followup = self._pending_call()
        wizard = (
            self.env["aftersales.followup.outcome"]
            .with_user(self.salesman)
            .create({"followup_id": followup.id, "outcome": "reached", "score": "1"})
        )
        wizard.action_confirm()
        feedback = followup.feedback_id
        self.assertEqual(feedback.sale_order_id, self.order)
        self.assertEqual(feedback.company_id, followup.company_id)
        self.assertEqual(feedback.category, "detractor")

    def test_outcome_refused_when_the_document_is_in_another_company(self):
        """Data the system would never write (a follow-up of company 1 about a claim of company 2):
        the outcome refuses to create feedback on the other company's claim."""
        followup = self._pending_call()
        with self.env.cr.savepoint():
            followup.sudo().write({"res_model": "aftersales.claim", "res_id": self.foreign_claim.id})
        wizard = (
            self.env["aftersales.followup.outcome"]
            .with_user(self.salesman)
            .create({"followup_id": followup.id, "outcome": "reached", "score": "1"})
        )
        with self.assertRaisesRegex(UserError, "its document does not"), self.env.cr.savepoint():
            wizard.action_confirm()
        self.assertFalse(self.Feedback.sudo().search([("claim_id", "=", self.foreign_claim.id)]))
        self.assertEqual(followup.state, "open")

    def test_activity_marked_done_still_counts_as_reached(self):
        followup = self._pending_call()
        followup.activity_id.with_user(self.salesman).action_feedback(feedback="Talked")
        self.assertEqual((followup.state, followup.outcome), ("done", "reached"))
        # The dialog's own "done" does not pass through that path any more: no context flag to abuse.
        other = self._pending_call_again()
        self.env["aftersales.followup.outcome"].with_user(self.salesman).create(
            {"followup_id": other.id, "outcome": "no_answer"}
        ).action_confirm()
        self.assertEqual((other.state, other.outcome, other.attempt_count), ("open", "no_answer", 1))

    def _pending_call_again(self):
        rule = self._rule("order_delivered", responsible="salesperson", name="Second rule")
        rule._cron_run_followups()
        return self._followups(rule)

    def test_outcome_action_of_a_bad_activity_id(self):
        Activity = self.env["mail.activity"].with_user(self.salesman)
        for value in (0, -1, 2**40, "12", True, None):
            with self.subTest(value=value):
                self.assertFalse(Activity.aftersales_followup_outcome_action(value))


@tagged("post_install", "-at_install")
class TestGoodwillTrust(TrustCommon):
    def test_no_coupon_on_rejected_or_cancelled_claims(self):
        for state in ("rejected", "cancelled"):
            claim = self._claim_in_state(state)
            with (
                self.subTest(state=state),
                self.assertRaisesRegex(UserError, "cannot get a goodwill coupon"),
                self.env.cr.savepoint(),
            ):
                claim.with_user(self.agent).action_grant_goodwill_coupon()
        self.assertFalse(self._cards("goodwill"))

    def test_never_to_one_of_our_users(self):
        former = new_test_user(self.env, login="trust_former", groups="base.group_user", name="Former")
        former.partner_id.email = "former@example.com"
        former.active = False
        for partner in (self.agent.partner_id, self.salesman.partner_id, former.partner_id):
            claim = self._claim_for(partner)
            with (
                self.subTest(partner=partner.name),
                self.assertRaisesRegex(UserError, "one of our own users"),
                self.env.cr.savepoint(),
            ):
                claim.with_user(self.manager).action_grant_goodwill_coupon()
        self.assertFalse(self._cards("goodwill"))
        # A portal user is a customer.
        portal = new_test_user(self.env, login="trust_portal", groups="base.group_portal", name="Portal")
        portal.partner_id.email = "portal@example.com"
        self._claim_for(portal.partner_id).with_user(self.agent).action_grant_goodwill_coupon()
        self.assertEqual(self._cards("goodwill").partner_id, portal.partner_id)

    def _grant(self, claim, user, tz="UTC"):
        # The time zone the web client sends with every call: the user's.
        claim.with_user(user).with_context(tz=tz).action_grant_goodwill_coupon()
        # The coupon's date is the database's clock: pinned to the test's (frozen) day.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE loyalty_card SET create_date = %s WHERE id = %s",
                fields.Datetime.now(),
                claim.goodwill_coupon_id.id,
            )
        )
        self.env.invalidate_all()

    def test_monthly_cap_per_agent_then_managers(self):
        self.company.aftersales_goodwill_monthly_cap = 2
        claims = [self._claim_for(self.customer) for _i in range(5)]
        self._grant(claims[0], self.agent)
        self._grant(claims[1], self.agent)
        with (
            self.assertRaisesRegex(UserError, "ask an After-Sales manager to grant this one"),
            self.env.cr.savepoint(),
        ):
            claims[2].with_user(self.agent).action_grant_goodwill_coupon()
        self.assertFalse(claims[2].goodwill_coupon_id)
        # Another agent has their own count; a manager is not limited.
        other_agent = new_test_user(
            self.env,
            login="trust_agent_2",
            groups="aftersales_warranty.group_aftersales_user",
            name="Agent 2",
        )
        self._grant(claims[2], other_agent)
        self._grant(claims[3], self.manager)
        self.assertEqual(len(self._cards("goodwill")), 4)
        # A new calendar month, a new count (in the agent's time zone).
        with freeze_time("2026-06-30 20:00:00"):  # 23:30 on 30 June in Tehran (UTC+03:30)
            with self.assertRaises(UserError), self.env.cr.savepoint():
                claims[4].with_user(self.agent).with_context(tz="Asia/Tehran").action_grant_goodwill_coupon()
        with freeze_time("2026-06-30 21:00:00"):  # 00:30 on 1 July in Tehran
            self._grant(claims[4], self.agent, tz="Asia/Tehran")
        self.assertTrue(claims[4].goodwill_coupon_id)

    def test_monthly_cap_queries_do_not_grow_with_claims(self):
        self.company.aftersales_goodwill_monthly_cap = 10
        claims = self.Claim.concat(*(self._claim_for(self.customer) for _i in range(6)))

        def queries(batch):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            batch.with_user(self.agent)._check_goodwill_monthly_cap()
            return self.env.cr.sql_log_count - before

        queries(claims[:1])  # warm the caches that do not depend on the claims
        self.assertEqual(queries(claims[:1]), queries(claims))

    def test_cap_is_a_setting_and_cannot_be_negative(self):
        settings = self.env["res.config.settings"].create({"aftersales_goodwill_monthly_cap": 7})
        settings.execute()
        self.assertEqual(self.company.aftersales_goodwill_monthly_cap, 7)
        with self.assertRaisesRegex(ValidationError, "cannot be negative"), self.env.cr.savepoint():
            self.company.aftersales_goodwill_monthly_cap = -1

    def test_customer_without_email_refused_before_anything_is_written(self):
        claim = self._claim_for(self.no_email)
        messages = len(claim.message_ids)
        with self.assertRaisesRegex(
            UserError, "Mute Customer has no email address: add one, then grant again"
        ):
            claim.with_user(self.agent).action_grant_goodwill_coupon()
        self.assertFalse(self._cards("goodwill"))
        self.assertEqual(len(claim.message_ids), messages)

    def test_batch_skips_customers_without_email_with_a_note(self):
        reachable, mute = self._claim_for(self.customer), self._claim_for(self.no_email)
        (reachable | mute).with_user(self.agent).action_grant_goodwill_coupon()
        self.assertTrue(reachable.goodwill_coupon_id)
        self.assertFalse(mute.goodwill_coupon_id)
        self.assertIn("No goodwill coupon granted: customer Mute Customer", self._chatter(mute))
        self.assertEqual(len(self._mails_to("loyalty.card", reachable.goodwill_coupon_id)), 1)


@tagged("post_install", "-at_install")
class TestReviewPhotoTrust(TrustCommon):
    def test_with_photo_is_read_from_the_photo(self):
        feedback = self.Feedback.with_user(self.agent).create({"sale_order_id": self.order.id, "score": 5})
        for vals in ({"has_photo": True}, {"category": "detractor"}, {"nps_given": True}):
            with self.subTest(vals=vals), self.assertRaises(UserError), self.env.cr.savepoint():
                feedback.with_user(self.agent).write(vals)
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.Feedback.with_user(self.agent).create(
                {"sale_order_id": self.order.id, "score": 5, "has_photo": True}
            )
        self.assertFalse(self._cards("review"), "no photo, no review coupon")
        feedback.with_user(self.agent).photo = PNG_B64
        self.assertTrue(feedback.has_photo)
        self.assertEqual(self._cards("review").aftersales_feedback_id, feedback)
        feedback.with_user(self.agent).photo = False
        self.assertFalse(feedback.has_photo)

    def test_not_an_image_is_refused(self):
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.Feedback.with_user(self.agent).create(
                {"sale_order_id": self.order.id, "score": 5, "photo": base64.b64encode(b"not an image")}
            )
        self.assertFalse(self._cards("review"))

    def test_review_coupon_of_a_customer_without_email_is_not_emailed(self):
        order = self._sell([(self.product_plain, 1)], partner=self.no_email)
        self.Feedback.create({"sale_order_id": order.id, "score": 5, "photo": PNG_B64})
        card = self._cards("review")
        self.assertEqual(card.partner_id, self.no_email)
        self.assertFalse(self._mails_to("loyalty.card", card), "no email queued to nobody")
        self.assertIn("has no valid email address", self._chatter(card))


@tagged("post_install", "-at_install")
class TestSendingTrust(TrustCommon):
    def test_survey_of_a_customer_without_email_is_a_note_on_the_claim(self):
        claim = self._claim_for(self.no_email)
        claim.action_start_diagnosis()
        claim.action_resolve()
        self.assertEqual(claim.state, "resolved", "the claim is resolved all the same")
        self.assertFalse(self.Request.search([("claim_id", "=", claim.id)]))
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "aftersales.feedback.request")]))
        self.assertIn("No satisfaction survey was sent", self._chatter(claim))

    def _birthday_occasion(self, **vals):
        return self.Occasion.create({"name": "Trust Birthday", "kind": "birthday", **vals})

    def test_send_now_refused_when_nobody_can_be_reached(self):
        occasion = self._birthday_occasion(program_id=self.company.aftersales_goodwill_program_id.id)
        self.no_email.write({"birthday": "1990-06-01"})
        make_buyers(self.no_email)
        cards = self.Card.search_count([])
        with (
            self.assertRaisesRegex(UserError, "none of its 1 customers today has a valid email address"),
            self.env.cr.savepoint(),
        ):
            occasion.with_user(self.manager).action_send_now()
        self.assertFalse(self.env["aftersales.occasion.log"].search([("occasion_id", "=", occasion.id)]))
        self.assertEqual(self.Card.search_count([]), cards, "no coupon for nobody")

    def test_send_now_says_what_was_sent_and_notes_the_skipped(self):
        occasion = self._birthday_occasion()
        self.no_email.write({"birthday": "1990-06-01"})
        self.customer.write({"birthday": "1985-06-01"})
        make_buyers(self.no_email | self.customer)
        result = occasion.with_user(self.manager).action_send_now()
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn("1 customers greeted, 1 skipped", result["params"]["message"])
        self.assertIn("1 customers were not greeted", self._chatter(occasion))
        logs = self.env["aftersales.occasion.log"].search([("occasion_id", "=", occasion.id)])
        self.assertEqual(
            {log.partner_id: log.state for log in logs}, {self.customer: "sent", self.no_email: "skipped"}
        )
        mails = self.env["mail.mail"].search(
            [("model", "=", "aftersales.occasion.log"), ("res_id", "in", logs.ids)]
        )
        self.assertEqual(mails.recipient_ids, self.customer)
        with freeze_time("2026-06-02 08:00:00"):
            result = occasion.with_user(self.manager).action_send_now()
        self.assertIn("0 customers greeted, 0 skipped", result["params"]["message"])


@tagged("post_install", "-at_install")
class TestManagerButtonsTrust(TrustCommon):
    def test_run_and_send_now_are_managers(self):
        rule = self._rule("order_delivered")
        occasion = self.Occasion.create({"name": "Trust day", "kind": "fixed_date", "month": "6", "day": 1})
        for user in (self.agent, self.salesman):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    rule.with_user(user).action_run_now()
                if user == self.agent:  # salespeople do not even read occasions
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        occasion.with_user(user).action_send_now()
        self.assertFalse(self._followups(rule))
        self.assertFalse(self.env["aftersales.occasion.log"].search([("occasion_id", "=", occasion.id)]))
        rule.with_user(self.manager).action_run_now()
        self.assertTrue(self._followups(rule))
        rule.active = False
        with self.assertRaisesRegex(UserError, "archived"), self.env.cr.savepoint():
            rule.with_user(self.manager).action_run_now()

    def test_system_fields_of_occasions_and_greetings(self):
        occasion = self.Occasion.create({"name": "Trust day", "kind": "fixed_date", "month": "6", "day": 1})
        with self.assertRaisesRegex(UserError, "set by the system"), self.env.cr.savepoint():
            occasion.with_user(self.manager).write({"last_sent_count": 5000})
        Log = self.env["aftersales.occasion.log"].with_user(self.manager)
        log_vals = {
            "occasion_id": occasion.id,
            "partner_id": self.customer.id,
            "year": 2026,
            "company_id": self.company.id,
        }
        with self.assertRaisesRegex(UserError, "set by the system"), self.env.cr.savepoint():
            Log.create({**log_vals, "state": "skipped", "sms_number": "+3200000000"})
        log = Log.create(log_vals)
        with self.assertRaisesRegex(UserError, "set by the system"), self.env.cr.savepoint():
            log.write({"sms_number": "+3200000000"})

    def test_survey_cancel_is_a_managers_action(self):
        request = self.Request.create({"partner_id": self.customer.id, "company_id": self.company.id})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            request.with_user(self.agent).action_cancel()
        with self.assertRaisesRegex(UserError, "set by the system"), self.env.cr.savepoint():
            request.with_user(self.manager).write({"state": "cancelled"})
        with self.assertRaisesRegex(UserError, "set by the system"), self.env.cr.savepoint():
            request.with_user(self.manager).write({"access_token": "0" * 36})
        request.with_user(self.manager).action_cancel()
        self.assertEqual(request.state, "cancelled")
        with self.assertRaisesRegex(UserError, "only an unanswered survey"), self.env.cr.savepoint():
            request.with_user(self.manager).action_cancel()

    def test_customer_buttons_follow_the_view_groups(self):
        employee = new_test_user(self.env, login="trust_employee", groups="base.group_user", name="Employee")
        for method in ("action_view_aftersales_feedback", "action_view_aftersales_coupons"):
            with self.subTest(method=method):
                with self.assertRaises(AccessError):
                    getattr(self.customer.with_user(employee), method)()
                self.assertEqual(
                    getattr(self.customer.with_user(self.salesman), method)()["type"], "ir.actions.act_window"
                )

    def test_navigation_buttons_need_the_record(self):
        """The smart buttons open lists of what the user may read of the record they are on."""
        portal = new_test_user(
            self.env, login="trust_portal_nav", groups="base.group_portal", partner_id=self.customer.id
        )
        outsider = new_test_user(
            self.env,
            login="trust_outsider",
            groups="aftersales_warranty.group_aftersales_manager",
            company_id=self.other_company.id,
            company_ids=[self.other_company.id],
        )
        claim = self._claim_for(self.customer)
        followup = self._pending_call()
        rule = followup.rule_id
        with self.assertRaises(AccessError):
            claim.with_user(portal).action_view_feedback()
        for user in (portal, outsider):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    rule.with_user(user).action_view_followups()
                with self.assertRaises(AccessError):
                    followup.with_user(user).action_open_document()
        self.assertEqual(
            claim.with_user(self.salesman).action_view_feedback()["domain"], [("claim_id", "=", claim.id)]
        )
        self.assertEqual(
            rule.with_user(self.salesman).action_view_followups()["domain"], [("rule_id", "=", rule.id)]
        )
        self.assertEqual(followup.with_user(self.salesman).action_open_document()["res_id"], self.order.id)

    def test_opportunity_kind_is_the_rules(self):
        lead = self.env["crm.lead"].with_user(self.salesman).create({"name": "Plain", "type": "opportunity"})
        for vals in ({"aftersales_kind": "renewal"}, {"aftersales_warranty_id": self.warranty.id}):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "set by the follow-up rules"):
                lead.write(vals)
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "set by the follow-up rules"):
                self.env["crm.lead"].with_user(self.salesman).create({"name": "Forged", **vals})
        lead.write({"name": "Still plain", "aftersales_kind": False})
        with self.assertRaisesRegex(UserError, "not about a warranty renewal"):
            lead.action_aftersales_create_extension()


@tagged("post_install", "-at_install")
class TestTrustOverJsonRpc(TrustCommon, HttpCase):
    """The same calls as a script sends them: refused with the user's error, nothing written, and
    no ERROR in the log (no traceback, no failed SQL statement)."""

    def _rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _assert_refused(self, error, model, method, *args, **kwargs):
        with self.assertNoLogs(level="ERROR"), self.assertRaises(JsonRpcException) as caught:
            self._rpc(model, method, *args, **kwargs)
        self.assertEqual(str(caught.exception), f"odoo.exceptions.{error}", f"{model}.{method}{args}")

    def test_followup_fields_over_rpc(self):
        followup = self._pending_call()
        before = followup.read(["res_model", "res_id", "state", "activity_id"])
        self.authenticate("as_salesman", "as_salesman")
        for vals in (
            {"res_model": "aftersales.claim", "res_id": self.foreign_claim.id},
            {"state": "done"},
            {"activity_id": False},
        ):
            with self.subTest(vals=vals):
                self._assert_refused("UserError", "aftersales.followup", "write", [followup.id], vals)
        self.authenticate("as_manager", "as_manager")
        for vals in ({"res_model": "no.such.model"}, {"res_id": 10**30}, {"res_id": "abc"}):
            with self.subTest(vals=vals):
                self._assert_refused("ValidationError", "aftersales.followup", "write", [followup.id], vals)
        self._assert_refused(
            "AccessError",
            "aftersales.followup",
            "create",
            {
                "rule_id": followup.rule_id.id,
                "res_model": "aftersales.claim",
                "res_id": self.foreign_claim.id,
            },
        )
        followup.invalidate_recordset()
        self.assertEqual(followup.read(["res_model", "res_id", "state", "activity_id"]), before)

    def test_outcome_dialog_over_rpc(self):
        followup = self._pending_call()
        self.authenticate("trust_other_salesman", "trust_other_salesman")
        self._assert_refused(
            "AccessError",
            "aftersales.followup.outcome",
            "create",
            {"followup_id": followup.id, "outcome": "reached", "score": "1"},
        )
        self.authenticate("as_salesman", "as_salesman")
        self._assert_refused(
            "ValidationError",
            "aftersales.followup.outcome",
            "create",
            {"followup_id": followup.id, "outcome": "reached", "score": "9"},
        )
        wizard_id = self._rpc(
            "aftersales.followup.outcome",
            "create",
            {"followup_id": followup.id, "outcome": "reached", "score": "2"},
        )
        with self.assertNoLogs(level="ERROR"):
            self._rpc("aftersales.followup.outcome", "action_confirm", [wizard_id])
        followup.invalidate_recordset()
        self.assertEqual(followup.state, "done")
        self.assertEqual(followup.feedback_id.sale_order_id, self.order)
        self.assertEqual(followup.feedback_id.company_id, self.company)
        with self.assertNoLogs(level="ERROR"):
            self.assertFalse(self._rpc("mail.activity", "aftersales_followup_outcome_action", 10**30))

    def test_bad_feedback_values_over_rpc(self):
        feedback = self.Feedback.create({"sale_order_id": self.order.id, "score": 3, "comment": "Fine"})
        count = self.Feedback.search_count([])
        self.authenticate("as_agent", "as_agent")
        for vals in (
            {"comment": "null\x00byte"},
            {"score": True},
            {"score": "5"},
            {"nps": ""},
            {"nps": 10**30},
            {"claim_id": 10**30},
            {"sale_order_id": -1},
            {"partner_id": 999999999},
            {"date": "9999-12-31 00:00:00"},
            {"source": "carrier pigeon"},
        ):
            with self.subTest(vals=vals):
                self._assert_refused(
                    "ValidationError",
                    "aftersales.feedback",
                    "create",
                    {"partner_id": self.customer.id, "score": 4, **vals},
                )
                self._assert_refused("ValidationError", "aftersales.feedback", "write", [feedback.id], vals)
        for vals in ({"has_photo": True}, {"nps_given": True}, {"category": "promoter"}):
            with self.subTest(vals=vals):
                self._assert_refused("UserError", "aftersales.feedback", "write", [feedback.id], vals)
        self._assert_refused(
            "UserError",
            "aftersales.feedback",
            "create",
            {"sale_order_id": self.order.id, "score": 5, "has_photo": True},
        )
        self.assertEqual(self.Feedback.search_count([]), count, "nothing written")
        feedback.invalidate_recordset()
        self.assertEqual((feedback.score, feedback.comment, feedback.has_photo), (3, "Fine", False))
        # A context default is no way round it either.
        feedback_id = self._rpc(
            "aftersales.feedback",
            "create",
            {"sale_order_id": self.order.id, "score": 5},
            context={"default_has_photo": True, "default_category": "detractor"},
        )
        created = self.Feedback.browse(feedback_id)
        self.assertEqual((created.has_photo, created.category), (False, "promoter"))
        self.assertFalse(self._cards("review"), "the review coupon needs a real photo")

    def test_goodwill_over_rpc(self):
        self.company.aftersales_goodwill_monthly_cap = 1
        rejected = self._claim_in_state("rejected")
        employee_claim = self._claim_for(self.salesman.partner_id)
        mute_claim = self._claim_for(self.no_email)
        first, second = self._claim_for(self.customer), self._claim_for(self.customer)
        self.authenticate("as_agent", "as_agent")
        for claim in (rejected, employee_claim, mute_claim):
            with self.subTest(claim=claim.partner_id.name):
                self._assert_refused(
                    "UserError", "aftersales.claim", "action_grant_goodwill_coupon", [claim.id]
                )
        with self.assertNoLogs(level="ERROR"):
            self._rpc("aftersales.claim", "action_grant_goodwill_coupon", [first.id])
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE loyalty_card SET create_date = %s WHERE aftersales_claim_id = %s",
                datetime(2026, 6, 1, 8),
                first.id,
            )
        )
        self._assert_refused("UserError", "aftersales.claim", "action_grant_goodwill_coupon", [second.id])
        self.assertEqual(self._cards("goodwill").aftersales_claim_id, first)
        self.authenticate("as_salesman", "as_salesman")
        self._assert_refused("UserError", "aftersales.claim", "action_grant_goodwill_coupon", [second.id])

    def test_managers_buttons_over_rpc(self):
        rule = self._rule("order_delivered")
        occasion = self.Occasion.create({"name": "Trust day", "kind": "fixed_date", "month": "6", "day": 1})
        request = self.Request.create({"partner_id": self.customer.id, "company_id": self.company.id})
        self.authenticate("as_agent", "as_agent")
        self._assert_refused("AccessError", "aftersales.followup.rule", "action_run_now", [rule.id])
        self._assert_refused("AccessError", "aftersales.occasion", "action_send_now", [occasion.id])
        self._assert_refused("AccessError", "aftersales.feedback.request", "action_cancel", [request.id])
        self.authenticate("as_manager", "as_manager")
        self._assert_refused(
            "UserError", "aftersales.feedback.request", "write", [request.id], {"state": "done"}
        )
        self._assert_refused(
            "UserError", "aftersales.occasion", "write", [occasion.id], {"last_run_date": "2026-06-01"}
        )
        self._assert_refused(
            "ValidationError", "aftersales.occasion", "write", [occasion.id], {"days_before": 2**40}
        )
        self.assertFalse(self._followups(rule))
        request.invalidate_recordset()
        self.assertEqual(request.state, "sent")

    def test_bad_values_of_every_model_over_rpc(self):
        followup = self._pending_call()
        rule = self._rule("promoter")
        occasion = self.Occasion.create({"name": "Trust day", "kind": "fixed_date", "month": "6", "day": 1})
        request = self.Request.create({"partner_id": self.customer.id, "company_id": self.company.id})
        log = self.env["aftersales.occasion.log"].create(
            {
                "occasion_id": occasion.id,
                "partner_id": self.customer.id,
                "year": 2026,
                "company_id": self.company.id,
            }
        )
        cases = [
            (followup, {"note": "call\x00back"}),
            (followup, {"date_deadline": "10000-01-01"}),
            (followup, {"user_id": 999999999}),
            (rule, {"delay_days": True}),
            (rule, {"trigger": "whenever"}),
            (rule, {"name": "Rule\x00"}),
            (rule, {"date_from": "0001-01-01"}),
            (occasion, {"day": "1"}),
            (occasion, {"month": 13}),
            (occasion, {"program_id": 10**12}),
            (log, {"year": "2026"}),
            (log, {"partner_id": 0}),
            (request, {"partner_id": 2**31}),
            (request, {"claim_id": -5}),
        ]
        self.authenticate("as_manager", "as_manager")
        for record, vals in cases:
            with self.subTest(model=record._name, vals=vals):
                before = record.read(list(vals))
                self._assert_refused("ValidationError", record._name, "write", [record.id], vals)
                record.invalidate_recordset()
                self.assertEqual(record.read(list(vals)), before, "nothing written")
        wizards = self.env["aftersales.followup.outcome"].search_count([])
        for vals in ({"followup_id": "abc"}, {"followup_id": followup.id, "callback_date": "0000-00-00"}):
            with self.subTest(vals=vals):
                self._assert_refused(
                    "ValidationError",
                    "aftersales.followup.outcome",
                    "create",
                    {"outcome": "callback", **vals},
                )
        self.assertEqual(self.env["aftersales.followup.outcome"].search_count([]), wizards)
