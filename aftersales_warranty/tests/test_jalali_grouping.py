from datetime import date

from odoo.modules.module import get_module_path, load_script
from odoo.tools import SQL

from ..models.aftersales_jalali_mixin import jalali_month_value, jalali_year_value
from .visit_common import AftersalesVisitCommon, tehran

# Tehran local moments (the company's zone) and their Solar Hijri month and year; 1403 is a leap
# year (Esfand has 30 days), 1402 is not.
DAYS = {
    "2024-03-19 12:00": ("1402-12 اسفند", "1402"),  # 29 Esfand 1402, the last day of 1402
    "2024-03-20 00:30": ("1403-01 فروردین", "1403"),  # 1 Farvardin 1403 (still 03-19 in UTC)
    "2025-03-19 12:00": ("1403-12 اسفند", "1403"),  # 29 Esfand 1403
    "2025-03-20 23:30": ("1403-12 اسفند", "1403"),  # 30 Esfand 1403, leap day (03-20 20:00 UTC)
    "2025-03-21 00:30": ("1404-01 فروردین", "1404"),  # 1 Farvardin 1404 (still 03-20 in UTC)
}


class TestJalaliGrouping(AftersalesVisitCommon):
    """Claims and visits grouped by Solar Hijri month and year (issue 33, item 2)."""

    def _claims(self):
        claims = self.Claim.browse()
        for moment in DAYS:
            claims |= self._claim(date_reported=tehran(moment))
        return claims

    def test_python_values_on_exact_days(self):
        self.assertEqual(jalali_month_value(date(2024, 3, 20)), "1403-01 فروردین")
        self.assertEqual(jalali_month_value(date(2025, 3, 20)), "1403-12 اسفند")
        self.assertEqual(jalali_month_value(date(2025, 3, 21)), "1404-01 فروردین")
        self.assertEqual(jalali_month_value(date(2026, 12, 3)), "1405-09 آذر")
        self.assertEqual(jalali_year_value(date(2024, 3, 19)), "1402")
        self.assertFalse(jalali_month_value(False))

    def test_sql_functions_agree_with_jdatetime(self):
        self.env.cr.execute(
            SQL(
                "SELECT day::date, aftersales_jalali_month(day::date), aftersales_jalali_year(day::date)"
                "  FROM generate_series(DATE '2020-01-01', DATE '2030-12-31', INTERVAL '1 day') day"
            )
        )
        rows = self.env.cr.fetchall()
        self.assertEqual(len(rows), 4018)
        wrong = [row for row in rows if (jalali_month_value(row[0]), jalali_year_value(row[0])) != row[1:]]
        self.assertEqual(wrong, [])

    def test_claim_month_and_year_in_company_zone(self):
        claims = self._claims()
        self.assertEqual(
            [(c.date_reported_jalali_month, c.date_reported_jalali_year) for c in claims],
            list(DAYS.values()),
        )
        # Moved by a day: the month follows.
        claims[1].sudo().date_reported = tehran("2024-03-19 23:00")
        self.assertEqual(claims[1].date_reported_jalali_month, "1402-12 اسفند")

    def test_claims_read_group_by_jalali_month_in_calendar_order(self):
        claims = self._claims()
        groups = self.Claim.with_user(self.manager)._read_group(
            [("id", "in", claims.ids)],
            ["date_reported_jalali_month"],
            ["__count"],
            order="date_reported_jalali_month",
        )
        self.assertEqual(
            groups,
            [("1402-12 اسفند", 1), ("1403-01 فروردین", 1), ("1403-12 اسفند", 2), ("1404-01 فروردین", 1)],
        )
        years = self.Claim.with_user(self.manager).formatted_read_group(
            [("id", "in", claims.ids)], ["date_reported_jalali_year"], ["__count"]
        )
        self.assertEqual(
            [(g["date_reported_jalali_year"], g["__count"]) for g in years],
            [("1402", 1), ("1403", 3), ("1404", 1)],
        )

    def test_visit_month_and_year(self):
        visit = self._visit("2026-12-03 10:00", "2026-12-03 11:00")
        values = lambda: (visit.date_start_jalali_month, visit.date_start_jalali_year)  # noqa: E731
        self.assertEqual(values(), ("1405-09 آذر", "1405"))
        visit.date_start = tehran("2025-03-21 00:30")
        visit.date_end = tehran("2025-03-21 01:30")
        self.assertEqual(values(), ("1404-01 فروردین", "1404"))
        self.assertFalse(self._visit().date_start_jalali_month)

    def test_migration_fills_existing_rows_as_the_fields_compute(self):
        claims = self._claims()
        visit = self._visit("2026-12-03 10:00", "2026-12-03 11:00")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE aftersales_claim SET date_reported_jalali_month = NULL, date_reported_jalali_year = NULL;"
            "UPDATE aftersales_visit SET date_start_jalali_month = NULL, date_start_jalali_year = NULL"
        )
        self.env.invalidate_all()
        script = load_script(
            f"{get_module_path('aftersales_warranty')}/migrations/19.0.1.4.0/pre-migration.py",
            "aftersales_warranty_jalali_migration",
        )
        script.migrate(self.env.cr, "19.0.1.3.0")
        self.assertEqual(
            [(c.date_reported_jalali_month, c.date_reported_jalali_year) for c in claims],
            list(DAYS.values()),
        )
        self.assertEqual(visit.date_start_jalali_month, "1405-09 آذر")
