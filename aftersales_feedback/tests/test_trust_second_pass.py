"""Issue 27, "Trust, second pass": each rule holds whatever road a value takes to the database (a
nested x2many command, a ``create``, a neighbouring model), tried as the role that found the hole.
The races (items 3, 9, 11) are in test_concurrency_quota.py, the webhook's answers (10, 11) over HTTP
in test_call_webhook_trust.py, the nested commands of every protected field in test_rpc_matrix.py."""

import base64

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.aftersales_warranty.tests.visit_common import AftersalesVisitCommon

from .club_common import AftersalesClubCommon

PNG_B64 = b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


@tagged("post_install", "-at_install")
class TestTrustSecondPass(AftersalesClubCommon, AftersalesVisitCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_technician = new_test_user(
            cls.env, login="trust2_portal", groups="base.group_portal", name="Portal Person"
        )

    def _visit_in(self, state, day="2026-06-02"):
        visit = self._visit(f"{day} 09:00", f"{day} 11:00", no_signature_reason="Customer away")
        if state in ("scheduled", "done"):
            visit.with_user(self.agent).action_schedule()
        if state == "done":
            visit.with_user(self.agent).write({"signature": PNG_B64, "signed_by": "The Customer"})
            visit.with_user(self.agent).action_done()
        return visit

    def _visit_values(self, visit):
        visit.invalidate_recordset()
        return visit.sudo().read(["state", "name", "first_time_fix", "signed_by", "technician_id"])[0]

    # ------------------------------------------------------------------
    # 1. Nested commands meet the nested model's rules (as an agent)
    # ------------------------------------------------------------------

    def test_01_nested_update_in_a_claim_create_is_refused(self):
        visit = self._visit_in("scheduled")
        before = self._visit_values(visit)
        command = Command.update(visit.id, {"state": "done", "first_time_fix": True, "name": "HACKED"})
        with self.assertRaisesRegex(UserError, "is set by the system"), self.env.cr.savepoint():
            self._claim(visit_ids=[command])
        self.assertEqual(self._visit_values(visit), before)

    def test_01_nested_create_of_a_done_visit_is_refused(self):
        command = Command.create({"partner_id": self.customer.id, "state": "done", "first_time_fix": True})
        with self.assertRaisesRegex(UserError, "is set by the system"), self.env.cr.savepoint():
            self._claim(visit_ids=[command])
        self.assertFalse(self.Visit.sudo().search([("first_time_fix", "=", True)]))
        # A nested draft visit, with nothing the system derives, is the agent's to plan.
        claim = self._claim(visit_ids=[Command.create({"partner_id": self.customer.id})])
        self.assertEqual(claim.visit_ids.state, "draft")

    def test_01_signed_visit_evidence_cannot_be_rewritten_through_its_claim(self):
        visit = self._visit_in("done")
        claim = self._claim()
        before = self._visit_values(visit)
        for vals in (
            {"signed_by": "Forged"},
            {"technician_id": self.technician.id},
            {"state": "scheduled"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError), self.env.cr.savepoint():
                claim.with_user(self.agent).write({"visit_ids": [Command.update(visit.id, vals)]})
        self.assertEqual(self._visit_values(visit), before)

    def test_01_protected_fields_are_a_method_extended_by_each_addon(self):
        warranty_fields = self.env["aftersales.warranty"]._aftersales_protected_fields()
        self.assertIn("state", warranty_fields, "the warranty addon's own")
        self.assertIn("club_bonus_months", warranty_fields, "the feedback addon's, added with super()")
        self.assertIn("aftersales_club_tier_id", self.env["res.partner"]._aftersales_protected_fields())
        self.assertIn("under_warranty", self.env["repair.order"]._aftersales_protected_fields())

    # ------------------------------------------------------------------
    # 2. The club's tier and points (as a salesperson)
    # ------------------------------------------------------------------

    def test_02_club_tier_and_points_are_not_writable(self):
        Partner = self.env["res.partner"].with_user(self.salesman)
        with self.assertRaisesRegex(UserError, "club tier follows the points"), self.env.cr.savepoint():
            Partner.create({"name": "Forged VIP", "aftersales_club_tier_id": self.platinum.id})
        # The same inside a company's contacts: test_rpc_matrix.test_nested_commands (res.partner runs
        # its nested commands as the request's user, which only an RPC call shows).
        self.assertFalse(self.env["res.partner"].search([("name", "in", ("Forged VIP", "VIP"))]))
        card = self._card(self.customer)
        points = card.points
        with self.assertRaises(UserError), self.env.cr.savepoint():
            card.with_user(self.salesman).write({"points": 99999})
        History = self.env["loyalty.history"].with_user(self.salesman)
        with self.assertRaises(UserError), self.env.cr.savepoint():
            History.create({"card_id": card.id, "issued": 99999, "description": "Forged"})
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.env["loyalty.card"].with_user(self.salesman).create(
                {"program_id": self.club.id, "partner_id": self.other_customer.id, "points": 99999}
            )
        self.env["res.partner"]._cron_aftersales_club()
        self.assertEqual(card.points, points)
        self.assertEqual(self.customer.aftersales_club_tier_id, self.silver)
        # A manager's adjustment, with its reason, through Odoo's own "Update Balance".
        wizard = (
            self.env["loyalty.card.update.balance"]
            .with_user(self.manager)
            .create({"card_id": card.id, "new_balance": points + 10, "description": "Lost order"})
        )
        wizard.action_update_card_point()
        self.assertEqual(card.points, points + 10)
        self.assertEqual(card.history_ids.sorted("id")[-1:].description, "Lost order")

    # ------------------------------------------------------------------
    # 4. A free repair by creating it (as an agent)
    # ------------------------------------------------------------------

    def test_04_repair_of_a_claim_is_created_as_its_claim_is_covered(self):
        claim = self._claim_in_state("awaiting_approval")
        self.assertFalse(claim.under_warranty)
        Repair = self.env["repair.order"].with_user(self.agent)
        vals = {"product_id": self.product_serial.id, "partner_id": self.customer.id}
        with self.assertRaisesRegex(AccessError, "only an After-Sales manager"), self.env.cr.savepoint():
            Repair.create({**vals, "aftersales_claim_id": claim.id, "under_warranty": True})
        self.assertEqual(len(claim.repair_order_ids), 1)
        repair = Repair.create({**vals, "aftersales_claim_id": claim.id, "under_warranty": False})
        self.assertFalse(repair.under_warranty)
        plain = Repair.create({**vals, "under_warranty": True})
        self.assertTrue(plain.under_warranty, "a repair of no claim is Odoo's, as before")
        with self.assertRaisesRegex(AccessError, "only an After-Sales manager"), self.env.cr.savepoint():
            plain.write({"aftersales_claim_id": claim.id})  # a free repair brought to a paid claim
        self.assertFalse(plain.aftersales_claim_id)

    # ------------------------------------------------------------------
    # 5. What a customer answered is the customer's (as an agent)
    # ------------------------------------------------------------------

    def test_05_agents_do_not_invent_or_rewrite_customer_answers(self):
        Feedback = self.Feedback.with_user(self.agent)
        for source in ("email", "portal"):
            with self.subTest(source=source), self.assertRaises(UserError), self.env.cr.savepoint():
                Feedback.create(
                    {"sale_order_id": self.order.id, "score": 5, "photo": PNG_B64, "source": source}
                )
        self.assertFalse(self._cards("review"))
        self.assertFalse(self._history(self.customer, "photo_review"))
        answer = self.Feedback.sudo().create(
            {"sale_order_id": self.order.id, "score": 2, "comment": "Slow", "source": "email"}
        )
        for vals in ({"score": 5}, {"comment": "Great"}, {"source": "call"}, {"photo": PNG_B64}):
            with self.subTest(vals=vals), self.assertRaises(UserError), self.env.cr.savepoint():
                answer.with_user(self.agent).write(vals)
        self.assertEqual((answer.score, answer.comment, answer.source), (2, "Slow", "email"))
        call = Feedback.create({"sale_order_id": self.order.id, "score": 3})
        call.write({"score": 4, "comment": "Said on the phone"})
        self.assertEqual(call.score, 4, "what an agent recorded from a call stays the agent's to correct")

    def _cards(self, origin):
        return self.env["loyalty.card"].search([("aftersales_origin", "=", origin)])

    # ------------------------------------------------------------------
    # 6. Referral to staff (as a salesperson)
    # ------------------------------------------------------------------

    def test_06_staff_are_not_referrers(self):
        Partner = self.env["res.partner"].with_user(self.salesman)
        with self.assertRaisesRegex(ValidationError, "one of our own staff"), self.env.cr.savepoint():
            Partner.create({"name": "New Customer", "referred_by_id": self.salesman.partner_id.id})
        with self.assertRaisesRegex(ValidationError, "one of our own staff"), self.env.cr.savepoint():
            Partner.create({"name": "New Customer", "referred_by_id": self.company.partner_id.id})
        new = Partner.create({"name": "New Customer", "referred_by_id": self.other_customer.id})
        self.assertEqual(new.referred_by_id, self.other_customer)

    # ------------------------------------------------------------------
    # 7-8. Technicians (as an agent, then as the technician)
    # ------------------------------------------------------------------

    def test_07_a_portal_user_is_no_technician(self):
        with self.assertRaisesRegex(ValidationError, "is a portal user"), self.env.cr.savepoint():
            self._visit("2026-06-02 09:00", "2026-06-02 11:00", technician=self.portal_technician)
        visit = self._visit("2026-06-02 09:00", "2026-06-02 11:00")
        with self.assertRaisesRegex(ValidationError, "is a portal user"), self.env.cr.savepoint():
            visit.with_user(self.agent).write({"technician_id": self.portal_technician.id})
        self.assertEqual(visit.technician_id, self.technician_b)

    def test_08_a_technician_fills_in_the_site_not_the_plan(self):
        visit = self._visit("2026-06-02 09:00", "2026-06-02 11:00", technician=self.technician)
        visit.with_user(self.agent).action_schedule()
        mine = visit.with_user(self.technician)
        for vals in (
            {"partner_id": self.other_customer.id},
            {"kind": "maintenance"},
            {"claim_id": self._claim().id},
            {"address_id": self.other_customer.id},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "planned by the after-sales agents"),
            ):
                with self.env.cr.savepoint():
                    mine.write(vals)
        self.assertEqual(visit.partner_id, self.customer)
        mine.write({"report": "<p>Compressor replaced</p>", "unit_fixed": True, "signed_by": "The Customer"})
        self.assertTrue(visit.unit_fixed)

    # ------------------------------------------------------------------
    # 12. A file that is not base64 (as an agent)
    # ------------------------------------------------------------------

    def test_12_invalid_base64_is_a_clear_refusal(self):
        visit = self._visit("2026-06-02 09:00", "2026-06-02 11:00")
        with self.assertNoLogs("odoo", level="ERROR"):
            with self.assertRaisesRegex(ValidationError, "cannot take the value"), self.env.cr.savepoint():
                visit.with_user(self.agent).write({"signature": "not base64!"})
            with self.assertRaisesRegex(ValidationError, "cannot take the value"), self.env.cr.savepoint():
                self.Feedback.with_user(self.agent).create(
                    {"sale_order_id": self.order.id, "score": 4, "photo": "%%%"}
                )
        self.assertFalse(visit.signature)
        visit.with_user(self.agent).write({"signature": base64.b64encode(b"a signature").decode()})
        self.assertTrue(visit.signature)

    # ------------------------------------------------------------------
    # 13. Survey tokens (as an agent)
    # ------------------------------------------------------------------

    def test_13_agents_do_not_read_survey_tokens(self):
        request = self.env["aftersales.feedback.request"].create(
            {"partner_id": self.customer.id, "company_id": self.company.id}
        )
        with self.assertRaises(AccessError):
            request.with_user(self.agent).read(["access_token"])
        with self.assertRaises(AccessError):
            self.env["aftersales.feedback.request"].with_user(self.agent).search_read(
                [("id", "=", request.id)], ["access_token"]
            )
        self.assertTrue(request.sudo().access_token)

    # ------------------------------------------------------------------
    # 14. The deadline (as an agent, then a manager)
    # ------------------------------------------------------------------

    def test_14_only_a_manager_moves_a_deadline(self):
        claim = self._claim()
        deadline = claim.date_deadline
        with self.assertRaisesRegex(AccessError, "Only an After-Sales manager can move the deadline"):
            claim.with_user(self.agent).write({"date_deadline": "2999-01-01 00:00:00"})
        with self.assertRaisesRegex(AccessError, "Only an After-Sales manager can move the deadline"):
            claim.with_user(self.agent).write({"priority": "1", "date_deadline": "2999-01-01 00:00:00"})
        self.assertEqual(claim.date_deadline, deadline)
        claim.with_user(self.agent).write({"priority": "1", "date_deadline": deadline})  # the form's echo
        claim.with_user(self.manager).write({"date_deadline": "2026-12-31 00:00:00"})
        self.assertEqual(str(claim.date_deadline), "2026-12-31 00:00:00")

    # ------------------------------------------------------------------
    # 16. Formulas in the exchange's numbers (the webhook's and Master.csv's rows)
    # ------------------------------------------------------------------

    def test_16_numbers_are_never_stored_as_formulas(self):
        rows = [
            {
                "src": "=cmd|' /C calc'!A0",
                "dst": "@SUM(1+1)",
                "start": "2026-05-31 09:00:00",
                "disposition": "ANSWERED",
                "uniqueid": "formula.1",
            },
            {
                "src": "+989121234567",
                "dst": "-1",
                "start": "2026-05-31 09:05:00",
                "disposition": "ANSWERED",
                "uniqueid": "formula.2",
            },
        ]
        _result, calls = self.env["aftersales.call"]._aftersales_intake(self.company, rows, "webhook")
        self.assertEqual(calls[0].caller_number, "'=cmd|' /C calc'!A0")
        self.assertEqual(calls[0].called_number, "'@SUM(1+1)")
        self.assertEqual(calls[1].caller_number, "+989121234567", "a number in E.164 stays as it is")
        self.assertEqual(calls[1].called_number, "'-1")
        typed = self.env["aftersales.call"].with_user(self.manager).create({"caller_number": "=1+1"})
        self.assertEqual(typed.caller_number, "'=1+1", "a call logged by hand too")
