import json

from odoo.tests import HttpCase, new_test_user, tagged

from .common import AftersalesFeedbackCommon
from .test_kpi import OPEN_DASHBOARD


@tagged("post_install", "-at_install")
class TestVisitNotices(AftersalesFeedbackCommon):
    """The customer of a visit is emailed and texted the day and the time window (Solar Hijri for
    a Persian customer), and reminded the day before, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.company.resource_calendar_id = False  # any time is working time
        cls.company.partner_id.tz = "Asia/Tehran"
        cls.persian = cls.env["res.partner"].create(
            {
                "name": "Persian Customer",
                "phone": "0912 123 4567",
                "email": "persian@example.com",
                "country_id": cls.env.ref("base.ir").id,
                "lang": "fa_IR",
            }
        )
        cls.technician = new_test_user(
            cls.env,
            login="fb_technician",
            groups="aftersales_warranty.group_aftersales_technician",
            name="Reza",
        )

    def _scheduled(self, partner, start="2026-06-02 06:30:00", end="2026-06-02 08:30:00"):
        visit = (
            self.env["aftersales.visit"]
            .with_user(self.agent)
            .create(
                {
                    "partner_id": partner.id,
                    "technician_id": self.technician.id,
                    "date_start": start,
                    "date_end": end,
                }
            )
        )
        visit.action_schedule()
        return visit

    def _sms(self, partner):
        return self.env["sms.sms"].sudo().search([("partner_id", "=", partner.id)], order="id")

    def test_scheduled_email_and_sms_in_persian(self):
        visit = self._scheduled(self.persian)
        sms = self._sms(self.persian)
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.number, "+989121234567")
        # Tuesday 2026-06-02, 12 Khordad 1405, 10:00 to 12:00 in Tehran.
        self.assertIn("۱۲ خرداد ۱۴۰۵", sms.body)
        self.assertIn("۱۰:۰۰-۱۲:۰۰", sms.body)
        self.assertIn(f"/my/visits/{visit.id}", sms.body)
        email = visit.message_ids.filtered(
            lambda m: m.message_type == "comment" and self.persian in m.partner_ids
        )
        self.assertEqual(len(email), 1)
        self.assertIn("۱۲ خرداد ۱۴۰۵", email.body)

    def test_reminder_sms_once(self):
        visit = self._scheduled(self.customer)  # Belgian mobile +32 470 12 34 56
        self.assertEqual(len(self._sms(self.customer)), 1)
        self.env["aftersales.visit"]._cron_send_visit_reminders()
        self.env["aftersales.visit"]._cron_send_visit_reminders()
        sms = self._sms(self.customer)
        self.assertEqual(len(sms), 2, "the scheduling text and one reminder")
        self.assertIn("reminder", sms[-1].body)
        self.assertTrue(visit.reminder_sent)


@tagged("post_install", "-at_install")
class TestVisitDashboard(AftersalesFeedbackCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id = False
        cls.technician = new_test_user(
            cls.env,
            login="kpi_technician",
            groups="aftersales_warranty.group_aftersales_technician",
            name="Reza",
        )
        Visit = cls.env["aftersales.visit"]
        claim = cls._claim_static()
        # Claim reported 2026-06-01 08:00; first visit 24 h later fixes nothing, the second (48 h) does.
        cls.first, cls.second, cls.missed, cls.install = Visit.create(
            [
                {
                    "claim_id": claim.id,
                    "technician_id": cls.technician.id,
                    "date_start": "2026-06-02 08:00:00",
                    "date_end": "2026-06-02 09:00:00",
                    "no_signature_reason": "Away",
                },
                {
                    "claim_id": claim.id,
                    "technician_id": cls.technician.id,
                    "date_start": "2026-06-03 08:00:00",
                    "date_end": "2026-06-03 09:00:00",
                    "no_signature_reason": "Away",
                    "unit_fixed": True,
                },
                {
                    "kind": "maintenance",
                    "partner_id": cls.customer.id,
                    "technician_id": cls.technician.id,
                    "date_start": "2026-06-04 08:00:00",
                    "date_end": "2026-06-04 09:00:00",
                },
                {
                    "kind": "install",
                    "partner_id": cls.customer.id,
                    "technician_id": cls.agent.id,
                    "date_start": "2026-06-04 08:00:00",
                    "date_end": "2026-06-04 09:00:00",
                },
            ]
        )
        (cls.first | cls.second | cls.missed | cls.install).action_schedule()
        cls.first.action_done()
        cls.second.action_done()
        cls.missed.action_no_show()

    @classmethod
    def _claim_static(cls):
        # Diagnosed: what failed is known, so the visit that fixes the unit resolves the claim.
        cause = cls.env["aftersales.failure.code"].create(
            {"code": "KPI-C1", "name": "Worn relay", "kind": "cause"}
        )
        claim = cls.env["aftersales.claim"].create(
            {
                "lot_id": cls.lot.id,
                "channel": "phone",
                "date_reported": "2026-06-01 08:00:00",
                "cause_id": cause.id,
            }
        )
        claim.action_start_diagnosis()
        return claim

    def test_kpis(self):
        # The KPIs as users read them: the visits dashboard's pivots and chart (formatted_read_group).
        Visit = self.env["aftersales.visit"].with_user(self.agent)
        company = [("company_id", "=", self.company.id)]

        def total(domain, measure="__count"):
            [row] = Visit.formatted_read_group([*company, *domain], [], [measure])
            return row[measure]

        per = {
            (row["technician_id"][0], row["kind"]): row["__count"]
            for row in Visit.formatted_read_group(company, ["technician_id", "kind"], ["__count"])
        }
        self.assertEqual(per[(self.technician.id, "repair")], 2)
        self.assertEqual(per[(self.technician.id, "maintenance")], 1)
        self.assertEqual(per[(self.agent.id, "install")], 1)
        repairs = [("kind", "=", "repair"), ("state", "=", "done"), ("claim_id", "!=", False)]
        rate = total([*repairs, ("first_time_fix", "=", True)]) / total(repairs)
        self.assertEqual(rate, 0.0, "fixed at the second visit")
        self.assertEqual(total([("state", "=", "no_show")]), 1)
        lead_time = [("claim_id", "!=", False), ("state", "in", ("scheduled", "done", "no_show"))]
        self.assertEqual(total(lead_time, "lead_time_hours:median"), 36.0, "median of 24 and 48 hours")
        self.assertEqual(self.second.claim_id.state, "resolved")

    def test_dashboard(self):
        dashboard = self.env.ref("aftersales_feedback.spreadsheet_dashboard_aftersales_visits")
        self.assertEqual(
            dashboard.dashboard_group_id, self.env.ref("aftersales_feedback.dashboard_group_aftersales")
        )
        data = json.loads(dashboard.spreadsheet_data)
        Visit = self.env["aftersales.visit"].with_user(self.agent)
        values = {}
        for pivot_id, pivot in data["pivots"].items():
            self.assertEqual(pivot["model"], "aftersales.visit")
            measures = [
                "__count"
                if m["fieldName"] == "__count"
                else f"{m['fieldName']}:{Visit._fields[m['fieldName']].aggregator}"
                for m in pivot["measures"]
            ]
            [row] = Visit.formatted_read_group(pivot["domain"], [], measures)
            values[pivot_id] = row[measures[0]]
        self.assertEqual(values, {"1": 4, "2": 2, "3": 0, "4": 1, "5": 36.0})
        chart = next(f for f in data["sheets"][0]["figures"] if f["data"]["type"] == "odoo_bar")
        self.assertEqual(chart["data"]["metaData"]["groupBy"], ["technician_id", "kind"])
        for figure in data["sheets"][0]["figures"]:
            self.assertEqual(figure["data"].get("chartId"), figure["id"])

    def test_dashboard_draws_every_figure(self):
        self.browser_js(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            OPEN_DASHBOARD.replace('data-name="After-Sales"', 'data-name="Service Visits"') % {"figures": 5},
            ready="!!document.querySelector('.o_search_panel')",
            login="as_agent",
        )
