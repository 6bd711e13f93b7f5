import base64

from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged

from .portal_common import PNG
from .test_certificate_pdf import pdf_to_text, render_pdf
from .visit_common import AftersalesVisitCommon


@tagged("post_install", "-at_install")
class TestVisitOnSite(AftersalesVisitCommon, HttpCase):
    """The technician's side: report, signature, the signed PDF to the customer and the claim,
    and the claim resolved by its visit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"name": "Pars Cooling Co.", "email": "service@parscooling.example.com"})
        cls.spare = cls.env["product.product"].create({"name": "Compressor Relay", "type": "consu"})

    def _claim_visit(self, cause=True, **vals):
        claim = self._claim(description="<p>Blows warm air.</p>", cause_id=cause and self.cause.id)
        claim.action_start_diagnosis()
        context = claim.with_user(self.agent).action_plan_visit()["context"]
        visit = (
            self.Visit.with_user(self.agent)
            .with_context(**context)
            .create(
                {
                    "technician_id": self.technician_b.id,
                    "date_start": "2026-06-02 06:30:00",  # 10:00 in Tehran
                    "date_end": "2026-06-02 08:30:00",
                    **vals,
                }
            )
        )
        visit.action_schedule()
        return claim, visit.with_user(self.technician_b)

    def test_signature_or_reason_required(self):
        _claim, visit = self._claim_visit()
        with self.assertRaises(UserError) as refused:
            visit.action_done()
        self.assertIn("signature", str(refused.exception))
        visit.signature = base64.b64encode(PNG)
        with self.assertRaises(UserError):
            visit.action_done()  # who signed?
        visit.signature = False
        visit.no_signature_reason = "The customer's son was home, not allowed to sign."
        visit.action_done()
        self.assertEqual(visit.state, "done")

    def test_signed_report_to_customer_and_claim_resolved(self):
        claim, visit = self._claim_visit()
        with Form(visit) as form:
            form.report = "<p>Replaced the relay, cleaned the filters.</p>"
            form.unit_fixed = True
            form.signed_by = "Golnar Customer"
        visit.signature = base64.b64encode(PNG)
        parts = visit.action_add_parts()
        self.assertEqual(parts["res_model"], "repair.order")
        self.assertEqual(visit.repair_order_id.aftersales_claim_id, claim)
        visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(claim.state, "resolved", "the visit fixed the unit: its claim is resolved")
        self.assertTrue(visit.first_time_fix)
        # The customer got the report by email, the claim has it attached.
        message = self.env["mail.message"].search(
            [("model", "=", visit._name), ("res_id", "=", visit.id), ("subject", "ilike", "report of visit")]
        )
        self.assertEqual(len(message), 1)
        self.assertIn(self.customer, message.partner_ids)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn(visit.name.replace("/", "-"), message.attachment_ids.name)
        claim_pdf = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "aftersales.claim"),
                ("res_id", "=", claim.id),
                ("name", "ilike", "Visit Report"),
            ]
        )
        self.assertEqual(len(claim_pdf), 1)

    def test_fixed_without_a_cause_waits_for_the_agent(self):
        """The technician closes the visit; the claim, with no cause yet, stays in progress and its
        agent is asked for the cause (as after a finished workshop repair)."""
        claim, visit = self._claim_visit(cause=False, unit_fixed=True, no_signature_reason="Nobody to sign")
        claim.user_id = self.agent
        with self.assertNoLogs("odoo", level="ERROR"):
            visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(claim.state, "in_progress")
        self.assertEqual(claim.activity_ids.summary, "Set the cause, then resolve")
        self.assertEqual(claim.activity_ids.user_id, self.agent)
        claim.with_user(self.agent).cause_id = self.cause
        claim.with_user(self.agent).action_resolve()
        self.assertEqual(claim.state, "resolved")

    def test_unit_not_fixed_keeps_the_claim_open(self):
        claim, visit = self._claim_visit(no_signature_reason="Nobody to sign")
        visit.action_done()
        self.assertEqual(claim.state, "diagnosis")
        self.assertFalse(visit.first_time_fix)

    def test_second_visit_is_not_a_first_time_fix(self):
        claim, first = self._claim_visit(no_signature_reason="Nobody to sign")
        first.action_done()
        second = (
            self.Visit.with_user(self.agent)
            .with_context(**claim.with_user(self.agent).action_plan_visit()["context"])
            .create(
                {
                    "technician_id": self.technician_b.id,
                    "date_start": "2026-06-03 06:30:00",
                    "date_end": "2026-06-03 08:30:00",
                    "unit_fixed": True,
                    "no_signature_reason": "Nobody to sign",
                }
            )
        )
        second.action_schedule()
        second.action_done()
        self.assertEqual(claim.state, "resolved")
        self.assertFalse(second.first_time_fix)
        # The numbers the visits dashboard shows, read as its pivots read them.
        company = [("company_id", "=", self.company.id)]
        repairs = [*company, ("kind", "=", "repair"), ("state", "=", "done"), ("claim_id", "!=", False)]
        [(total,)] = self.Visit._read_group(repairs, [], ["__count"])
        [(fixed,)] = self.Visit._read_group([*repairs, ("first_time_fix", "=", True)], [], ["__count"])
        self.assertEqual(fixed / total, 0.0)
        per = {
            (tech.id, kind): count
            for tech, kind, count in self.Visit._read_group(company, ["technician_id", "kind"], ["__count"])
        }
        self.assertEqual(per[(self.technician_b.id, "repair")], 2)

    def test_pdf_text(self):
        claim, visit = self._claim_visit()
        visit.write(
            {
                "report": "<p>Replaced the relay, cleaned the filters.</p>",
                "signed_by": "Golnar Customer",
                "signature": base64.b64encode(PNG),
            }
        )
        text = pdf_to_text(render_pdf(visit, "aftersales_warranty.report_aftersales_visit"))
        for expected in (
            "Visit Report",
            visit.name,
            "Pars Cooling Co.",
            "Golnar Customer",
            "Replaced the relay, cleaned the filters.",
            "Technician Sara",
            "AC-1",
            claim.name,
            "10:00-12:00",
            "Signed By",
        ):
            self.assertIn(expected, text)

    def test_persian_pdf(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.customer.lang = "fa_IR"
        _claim, visit = self._claim_visit(no_signature_reason="مشتری در منزل نبود")
        text = pdf_to_text(render_pdf(visit, "aftersales_warranty.report_aftersales_visit"))
        self.assertIn("۱۴۰۵", text, "the day in the Solar Hijri calendar")
        self.assertIn("۱۰:۰۰-۱۲:۰۰", text)
