import json

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .claim_common import AftersalesClaimCommon


class FailureCodeCommon(AftersalesClaimCommon):
    """Codes for air conditioners (the claims' product), for phones, and for every product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Code = cls.env["aftersales.failure.code"]
        cls.phones = cls.env["product.category"].create({"name": "Phones"})
        cls.no_cooling = Code.create(
            {
                "code": "S-AC1",
                "name": "Does not cool",
                "kind": "symptom",
                "categ_ids": cls.air_conditioners.ids,
            }
        )
        cls.leak = Code.create(
            {
                "code": "C-AC1",
                "name": "Refrigerant leak",
                "kind": "cause",
                "categ_ids": cls.air_conditioners.ids,
            }
        )
        # For every appliance: a parent category of the air conditioners.
        cls.power_surge = Code.create(
            {"code": "C-ALL1", "name": "Power surge", "kind": "cause", "categ_ids": cls.appliances.ids}
        )
        cls.battery = Code.create(
            {"code": "C-PH1", "name": "Swollen battery", "kind": "cause", "categ_ids": cls.phones.ids}
        )
        cls.any_cause = Code.create({"code": "C-X", "name": "Manufacturing defect", "kind": "cause"})
        cls.replaced_part = Code.create({"code": "R-1", "name": "Part replaced", "kind": "remedy"})


@tagged("post_install", "-at_install")
class TestResolutionGuard(FailureCodeCommon):
    def test_repair_cannot_be_resolved_without_a_cause(self):
        claim = self._claim_in_state("in_progress", cause_id=False)
        self.assertEqual(claim.resolution, "repair")
        with (
            self.assertNoLogs("odoo", level="ERROR"),
            self.assertRaisesRegex(UserError, f"Set the cause of claim {claim.name}"),
            self.env.cr.savepoint(),
        ):
            claim.action_resolve()
        self.assertEqual(claim.state, "in_progress")
        self.assertFalse(claim.date_resolved)
        claim.cause_id = self.leak
        claim.action_resolve()
        self.assertEqual((claim.state, claim.resolution), ("resolved", "repair"))
        with self.assertRaisesRegex(ValidationError, "its cause cannot be removed"), self.env.cr.savepoint():
            claim.cause_id = False
        self.assertEqual(claim.cause_id, self.leak)

    def test_replacement_cannot_be_resolved_without_a_cause(self):
        self._add_stock(self.product_serial, lot_names=["AC-NEW"])
        claim = self._claim_in_state("diagnosis")
        claim.action_replace()
        with self.assertRaisesRegex(UserError, "Set the cause"), self.env.cr.savepoint():
            claim.action_resolve()
        claim.cause_id = self.any_cause
        claim.action_resolve()
        self.assertEqual((claim.state, claim.resolution), ("resolved", "replace"))

    def test_advice_and_refund_need_no_cause(self):
        advice = self._claim_in_state("diagnosis")
        advice.action_resolve()
        self.assertEqual((advice.state, advice.resolution), ("resolved", "advice"))
        refund = self._claim_in_state("diagnosis", lot_id=self.lot_2.id)
        refund.action_refund()
        # The unit coming back resolves the refund (issue 25: never before its return is done).
        self._validate(self._pickings(refund)[0])
        self.assertEqual((refund.state, refund.resolution), ("resolved", "refund"))

    def test_guard_over_rpc(self):
        claim = self._claim_in_state("in_progress", cause_id=False)
        claim.flush_recordset()
        self.env.invalidate_all()
        with self.assertRaisesRegex(UserError, "Set the cause"), self.env.cr.savepoint():
            self.env["aftersales.claim"].with_user(self.agent).browse(claim.id).action_resolve()
        self.assertEqual(claim.state, "in_progress")

    def test_guard_through_the_form(self):
        claim = self._claim_in_state("in_progress", cause_id=False)
        with Form(claim.with_user(self.agent)) as form:
            self.assertTrue(form._view["fields"]["cause_id"])
            form.symptom_id = self.no_cooling
        with self.assertRaisesRegex(UserError, "Set the cause"), self.env.cr.savepoint():
            claim.with_user(self.agent).action_resolve()
        with Form(claim.with_user(self.agent)) as form:
            form.cause_id = self.leak
            form.remedy_id = self.replaced_part
        claim.with_user(self.agent).action_resolve()
        self.assertEqual(claim.state, "resolved")
        self.assertEqual(
            (claim.symptom_id, claim.cause_id, claim.remedy_id),
            (self.no_cooling, self.leak, self.replaced_part),
        )

    def test_a_finished_repair_without_cause_waits_for_the_agent(self):
        claim = self._claim_in_state("in_progress", cause_id=False)
        repair = claim.repair_order_ids
        repair.action_repair_start()
        repair.move_ids.picked = True
        repair.action_repair_end()
        self.assertEqual(repair.state, "done", "the workshop is not blocked")
        self.assertEqual(claim.state, "in_progress", "no claim is resolved without its cause")
        activity = claim.activity_ids
        self.assertEqual(activity.user_id, self.agent)
        self.assertEqual(activity.summary, "Set the cause, then resolve")
        claim.cause_id = self.leak
        claim.action_resolve()
        self.assertEqual(claim.state, "resolved")

    def test_the_set_cause_todo_closes_when_the_claim_is_resolved(self):
        set_cause = self.env.ref("aftersales_warranty.mail_activity_type_set_cause")
        claim = self._claim_in_state("in_progress", cause_id=False)
        repair = claim.repair_order_ids
        repair.action_repair_start()
        repair.move_ids.picked = True
        repair.action_repair_end()
        todo = claim.activity_ids
        self.assertEqual(todo.activity_type_id, set_cause)
        claim.with_user(self.agent).cause_id = self.leak
        claim.with_user(self.agent).action_resolve()
        self.assertEqual(claim.state, "resolved")
        self.assertFalse(claim.activity_ids, "the to-do is done, not left open on a resolved claim")
        self.assertFalse(todo.active, "kept as a done activity")
        done = claim.message_ids.filtered(lambda m: m.mail_activity_type_id == set_cause)
        self.assertEqual(len(done), 1, "the chatter records the to-do as done")

    def test_a_finished_repair_with_its_cause_resolves_the_claim(self):
        claim = self._claim_in_state("in_progress", cause_id=self.leak.id)
        repair = claim.repair_order_ids
        repair.action_repair_start()
        repair.move_ids.picked = True
        repair.action_repair_end()
        self.assertEqual(claim.state, "resolved")


@tagged("post_install", "-at_install")
class TestFailureCodeDomains(FailureCodeCommon):
    def test_codes_follow_the_kind_and_the_category(self):
        claim = self._claim()
        self.assertEqual(claim.failure_categ_ids, self.appliances | self.air_conditioners)
        Code = self.env["aftersales.failure.code"]
        domain = [
            ("kind", "=", "cause"),
            "|",
            ("categ_ids", "=", False),
            ("categ_ids", "in", claim.failure_categ_ids.ids),
        ]
        self.assertEqual(
            set(Code.search(domain).ids)
            & {self.leak.id, self.power_surge.id, self.battery.id, self.any_cause.id},
            {self.leak.id, self.power_surge.id, self.any_cause.id},
            "the air conditioners' causes, the appliances' and the universal one; not the phones'",
        )
        for code in (self.leak, self.power_surge, self.any_cause):
            claim.cause_id = code
        with (
            self.assertNoLogs("odoo", level="ERROR"),
            self.assertRaisesRegex(ValidationError, "does not apply to"),
            self.env.cr.savepoint(),
        ):
            claim.cause_id = self.battery
        with self.assertRaisesRegex(ValidationError, "is not a Cause code"), self.env.cr.savepoint():
            claim.cause_id = self.no_cooling
        with self.assertRaisesRegex(ValidationError, "is not a Symptom code"), self.env.cr.savepoint():
            claim.symptom_id = self.leak
        self.assertEqual(claim.cause_id, self.any_cause)

    def test_the_form_domain_names_the_category(self):
        claim = self._claim()
        form = Form(claim.with_user(self.agent))
        self.assertIn("failure_categ_ids", form._view["fields"])
        field_node = form._view["tree"].find(".//field[@name='cause_id']")
        self.assertIn("'kind', '=', 'cause'", self.Claim._fields["cause_id"].domain)
        self.assertIsNotNone(field_node)

    def test_kind_of_a_used_code_cannot_change(self):
        claim = self._claim()
        claim.cause_id = self.leak
        with self.assertRaisesRegex(ValidationError, "is not a Cause code"), self.env.cr.savepoint():
            self.leak.with_user(self.manager).kind = "symptom"
        self.assertEqual(self.leak.kind, "cause")

    def test_code_unique_per_kind_and_company(self):
        with (
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
            self.assertLogs("odoo.sql_db", "ERROR"),
        ):
            self.env["aftersales.failure.code"].create({"code": "C-AC1", "name": "Twice", "kind": "cause"})
        same_code_other_kind = self.env["aftersales.failure.code"].create(
            {"code": "C-AC1", "name": "A symptom", "kind": "symptom"}
        )
        self.assertTrue(same_code_other_kind)


@tagged("post_install", "-at_install")
class TestFailureCodeAccess(FailureCodeCommon):
    def test_agents_read_managers_configure(self):
        Code = self.env["aftersales.failure.code"]
        self.assertIn(self.leak, Code.with_user(self.agent).search([]))
        self.assertEqual(self.leak.with_user(self.agent).display_name, "[C-AC1] Refrigerant leak")
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Code.with_user(self.agent).create({"code": "X", "name": "Agent's", "kind": "cause"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.leak.with_user(self.agent).name = "Renamed"
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Code.with_user(self.stock_user).search([])
        code = Code.with_user(self.manager).create({"code": "C-NEW", "name": "Loose wire", "kind": "cause"})
        code.with_user(self.manager).active = False
        self.assertFalse(code.active)
        # The salesman reads the claims he sells for, and so the codes shown on them.
        self.assertTrue(self.leak.with_user(self.salesman).name)

    def test_agent_codes_claims(self):
        claim = self._claim()
        claim.with_user(self.agent).write({"symptom_id": self.no_cooling.id, "cause_id": self.leak.id})
        self.assertEqual(claim.cause_id, self.leak)
        self.assertEqual(self.leak.claim_count, 1)

    def test_codes_are_per_company(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        foreign = self.env["aftersales.failure.code"].create(
            {"code": "C-OTHER", "name": "Other's cause", "kind": "cause", "company_id": other.id}
        )
        self.assertNotIn(foreign, self.env["aftersales.failure.code"].with_user(self.agent).search([]))
        claim = self._claim()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            claim.cause_id = foreign
        self.assertFalse(claim.cause_id)

    def test_bad_values_over_the_guard(self):
        claim = self._claim()
        with self.assertRaisesRegex(ValidationError, "there is no record"), self.env.cr.savepoint():
            claim.with_user(self.agent).write({"cause_id": 999999999})
        with self.assertRaisesRegex(ValidationError, "cannot take the value"), self.env.cr.savepoint():
            self.env["aftersales.failure.code"].with_user(self.manager).create(
                {"code": "C-Y", "name": "Bad kind", "kind": "fault"}
            )
        with self.assertRaisesRegex(ValidationError, "needs a code"), self.env.cr.savepoint():
            self.env["aftersales.failure.code"].with_user(self.manager).create(
                {"code": "  ", "name": "Blank", "kind": "cause"}
            )


@tagged("post_install", "-at_install")
class TestPortalSymptomInWords(FailureCodeCommon, HttpCase):
    """The customer says what is wrong in words; the codes are the agent's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="as_portal_codes", groups="base.group_portal", partner_id=cls.customer.id
        )

    def test_portal_form_asks_for_the_symptom_in_words(self):
        self.Claim.sudo().search([("lot_id", "=", self.lot.id)]).write({"state": "cancelled"})
        self.authenticate("as_portal_codes", "as_portal_codes")
        with freeze_time("2026-06-01 08:00:00"):
            page = self.url_open(f"/my/warranties/{self.warranty.id}")
            self.assertEqual(page.status_code, 200)
            self.assertIn("in your own words", page.text)
            self.assertNotIn("symptom_id", page.text)
            response = self.url_open(
                f"/my/warranties/{self.warranty.id}/report",
                data={
                    "csrf_token": http.Request.csrf_token(self),
                    "description": "It blows warm air.",
                    "symptom_id": str(self.no_cooling.id),
                    "cause_id": str(self.leak.id),
                },
                allow_redirects=False,
            )
        self.assertEqual(response.status_code, 303)
        claim = self.Claim.sudo().search([("lot_id", "=", self.lot.id), ("channel", "=", "portal")])
        self.assertEqual(len(claim), 1, json.dumps(response.text[:200]))
        self.assertIn("warm air", claim.description)
        self.assertFalse(claim.symptom_id or claim.cause_id, "the customer's words, the agent's codes")
