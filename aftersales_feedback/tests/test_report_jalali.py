from odoo.tools.safe_eval import safe_eval

from odoo.addons.aftersales_warranty.tests.visit_common import tehran

from .common import AftersalesFeedbackCommon


class TestReportJalali(AftersalesFeedbackCommon):
    """The reports group by Solar Hijri month and year, in the reader's zone (issue 33, item 2)."""

    def _claims(self):
        # 29 Esfand 1402, 1 Farvardin 1403, 29 and 30 Esfand 1403 (leap), 1 Farvardin 1404 in Tehran
        for moment in (
            "2024-03-19 12:00",
            "2024-03-20 00:30",
            "2025-03-19 12:00",
            "2025-03-20 23:30",
            "2025-03-21 00:30",
        ):
            self.env["aftersales.claim"].with_user(self.agent).create(
                {
                    "channel": "phone",
                    "date_reported": tehran(moment),
                    "product_id": self.product_no_warranty.id,
                    "partner_id": self.customer.id,
                }
            )

    def test_kpi_read_group_by_jalali_month_and_year(self):
        self._claims()
        Report = self.env["aftersales.kpi.report"].with_user(self.manager).with_context(tz="Asia/Tehran")
        domain = [("kind", "=", "claim_opened"), ("date", ">=", "2024-01-01"), ("date", "<", "2025-06-01")]
        months = Report._read_group(
            domain, ["date_jalali_month"], ["claims_opened:sum"], order="date_jalali_month"
        )
        self.assertEqual(
            months,
            [("1402-12 اسفند", 1), ("1403-01 فروردین", 1), ("1403-12 اسفند", 2), ("1404-01 فروردین", 1)],
        )
        years = Report._read_group(
            domain, ["date_jalali_year"], ["claims_opened:sum"], order="date_jalali_year"
        )
        self.assertEqual(years, [("1402", 1), ("1403", 3), ("1404", 1)])
        # In UTC the two claims just after midnight in Tehran fall on the day before.
        utc = Report.with_context(tz="UTC")._read_group(
            domain, ["date_jalali_month"], ["claims_opened:sum"], order="date_jalali_month"
        )
        self.assertEqual(utc, [("1402-12 اسفند", 2), ("1403-12 اسفند", 3)])
        # Read as a field too.
        row = Report.search(domain, order="date", limit=1)
        self.assertEqual((row.date_jalali_month, row.date_jalali_year), ("1402-12 اسفند", "1402"))

    def test_other_reports_read_their_jalali_groupings(self):
        for model, field in (
            ("aftersales.quality.report", "date_delivered_jalali_month"),
            ("aftersales.call.report", "date_jalali_month"),
            ("aftersales.club.report", "date_jalali_month"),
        ):
            groups = self.env[model].with_user(self.manager).formatted_read_group([], [field], ["__count"])
            self.assertIsInstance(groups, list, model)

    def test_jalali_month_is_the_default_grouping_of_a_persian_user(self):
        actions = {
            "aftersales_feedback.aftersales_kpi_report_action": "search_default_groupby_jalali_month",
            "aftersales_feedback.aftersales_quality_report_action": "search_default_group_jalali_month",
            "aftersales_feedback.aftersales_call_report_action": "search_default_group_jalali_month",
            "aftersales_feedback.aftersales_club_report_action": "search_default_group_jalali_month",
            "aftersales_warranty.aftersales_visit_action_analysis": "search_default_group_jalali_month",
        }
        for xmlid, key in actions.items():
            context = self.env.ref(xmlid).context
            self.assertTrue(safe_eval(context, {"lang": "fa_IR"})[key], xmlid)
            self.assertFalse(safe_eval(context, {"lang": "en_US"})[key], xmlid)
