from datetime import date

import jdatetime
from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from odoo.addons.base.tests.common import BaseCommon

from .common import make_buyers

# The Gregorian days of the Solar Hijri occasions, 1403-1408 (2024-2029), as the Iranian calendar
# gives them: Nowruz is 20 March in 2024, 2028 and 2029, 21 March in 2025-2027.
NOWRUZ = {1403: "2024-03-20", 1404: "2025-03-21", 1405: "2026-03-21", 1406: "2027-03-21", 1407: "2028-03-20"}
NOWRUZ[1408] = "2029-03-20"
SIZDAH_BEDAR = {1403: "2024-04-01", 1404: "2025-04-02", 1405: "2026-04-02", 1406: "2027-04-02"}
SIZDAH_BEDAR |= {1407: "2028-04-01", 1408: "2029-04-01"}
YALDA = {1403: "2024-12-20", 1404: "2025-12-21", 1405: "2026-12-21", 1406: "2027-12-21", 1407: "2028-12-20"}
YALDA[1408] = "2029-12-20"


def _day_before(day):
    return date.fromordinal(date.fromisoformat(day).toordinal() - 1).isoformat()


@tagged("post_install", "-at_install")
class TestOccasionJalali(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Asia/Tehran"
        cls.company._aftersales_ensure_programs()
        cls.Occasion = cls.env["aftersales.occasion"]
        cls.Log = cls.env["aftersales.occasion.log"]
        cls.Occasion.search([]).active = False
        Partner = cls.env["res.partner"]
        # Born on 15 Shahrivar 1362 (6 September 1983).
        cls.sara = Partner.create({"name": "Sara", "email": "sara@example.com", "birthday": "1983-09-06"})
        # Born on 30 Esfand 1399, a leap year (20 March 2021).
        cls.arash = Partner.create({"name": "Arash", "email": "arash@example.com", "birthday": "2021-03-20"})
        # Born on 29 Esfand 1398 (19 March 2020).
        cls.nima = Partner.create({"name": "Nima", "email": "nima@example.com", "birthday": "2020-03-19"})
        cls.customers = cls.sara | cls.arash | cls.nima
        make_buyers(cls.customers)

    def _occasion(self, name, month, day, **vals):
        return self.Occasion.create(
            {
                "name": name,
                "kind": "fixed_date",
                "calendar": "jalali",
                "month": str(month),
                "day": day,
                **vals,
            }
        )

    def _logs(self, occasion):
        return self.Log.search([("occasion_id", "=", occasion.id)])

    def _run(self, day):
        # 08:00 UTC is 11:30 in Tehran: the same day for the company.
        with freeze_time(f"{day} 08:00:00"):
            self.Occasion._cron_send_occasion_greetings()

    def test_fixed_dates_fall_on_their_solar_hijri_day_1403_to_1408(self):
        for name, month, day, days in (
            ("Nowruz", 1, 1, NOWRUZ),
            ("Sizdah Bedar", 1, 13, SIZDAH_BEDAR),
            ("Yalda", 9, 30, YALDA),
        ):
            occasion = self._occasion(name, month, day)
            for year, gregorian in days.items():
                with self.subTest(occasion=name, year=year):
                    self.assertEqual(jdatetime.date(year, month, day).togregorian().isoformat(), gregorian)
                    with freeze_time(f"{_day_before(_day_before(gregorian))} 08:00:00"):
                        occasion.invalidate_recordset(["next_date"])
                        self.assertEqual(occasion.next_date.isoformat(), gregorian, "the next occasion")
                    self._run(_day_before(gregorian))
                    self.assertFalse(
                        self._logs(occasion).filtered(lambda log, year=year: log.year == year),
                        "not a day early",
                    )
                    self._run(gregorian)
                    self._run(gregorian)
                    logs = self._logs(occasion).filtered(lambda log, year=year: log.year == year)
                    self.assertEqual(
                        logs.partner_id, self.customers, "each customer once, in the cron run twice"
                    )
            self.assertEqual(sorted(set(self._logs(occasion).mapped("year"))), list(range(1403, 1409)))
            occasion.active = False

    def test_days_before_a_solar_hijri_occasion(self):
        occasion = self._occasion("Nowruz", 1, 1, days_before=1)
        self._run("2027-03-19")
        self.assertFalse(self._logs(occasion))
        self._run("2027-03-20")
        self.assertEqual(self._logs(occasion).partner_id, self.customers)
        self.assertEqual(set(self._logs(occasion).mapped("year")), {1406})

    def test_birthdays_on_the_solar_hijri_anniversary(self):
        occasion = self.Occasion.create({"name": "Birthday", "kind": "birthday", "calendar": "jalali"})
        greeted = {}
        for day in (
            "2026-09-05",
            "2026-09-06",  # 15 Shahrivar 1405
            "2028-09-05",  # 15 Shahrivar 1407
            "2028-09-06",
            "2026-03-19",
            "2026-03-20",  # 29 Esfand 1404, a common year: 29 and 30 Esfand
            "2030-03-19",  # 29 Esfand 1408, a leap year: 29 Esfand only
            "2030-03-20",  # 30 Esfand 1408
        ):
            before = self._logs(occasion)
            self._run(day)
            self._run(day)
            greeted[day] = (self._logs(occasion) - before).partner_id
        self.assertEqual(
            greeted,
            {
                "2026-09-05": self.env["res.partner"],
                "2026-09-06": self.sara,
                "2028-09-05": self.sara,
                "2028-09-06": self.env["res.partner"],
                "2026-03-19": self.env["res.partner"],
                "2026-03-20": self.nima | self.arash,
                "2030-03-19": self.nima,
                "2030-03-20": self.arash,
            },
        )
        self.assertEqual(sorted(self._logs(occasion).mapped("year")), [1404, 1404, 1405, 1407, 1408, 1408])

    def test_gregorian_birthdays_unchanged(self):
        occasion = self.Occasion.create({"name": "Birthday", "kind": "birthday"})
        self._run("2028-09-05")
        self.assertFalse(self._logs(occasion))
        self._run("2028-09-06")
        self.assertEqual(self._logs(occasion).partner_id, self.sara)
        self.assertEqual(self._logs(occasion).year, 2028)

    def test_bad_solar_hijri_days_are_refused(self):
        before = self.Occasion.with_context(active_test=False).search_count([])
        for month, day, message in (
            (1, 32, "Farvardin has no day 32"),
            (7, 31, "Mehr has no day 31"),
            (12, 31, "Esfand has no day 31"),
            (12, -1, "Esfand has no day -1"),
        ):
            with (
                self.subTest(month=month, day=day),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                self._occasion("Bad", month, day)
        self.assertEqual(self.Occasion.with_context(active_test=False).search_count([]), before)
        esfand_30 = self._occasion("Last day", 12, 30)
        with freeze_time("2026-01-01 08:00:00"):
            self.assertEqual(esfand_30.next_date, date(2026, 3, 20), "29 Esfand 1404: a common year")
        with freeze_time("2029-06-01 08:00:00"):
            esfand_30.invalidate_recordset(["next_date"])
            self.assertEqual(esfand_30.next_date, date(2030, 3, 20), "30 Esfand 1408: a leap year")

    def test_form_picks_a_solar_hijri_month(self):
        manager = self.env["res.users"].create(
            {
                "name": "Occasion Manager",
                "login": "occasion_manager_jalali",
                "group_ids": [(4, self.env.ref("aftersales_warranty.group_aftersales_manager").id)],
            }
        )
        with Form(self.Occasion.with_user(manager)) as form:
            form.name = "Nowruz"
            form.calendar = "jalali"
            form.jalali_month = "1"
            form.day = 1
        occasion = form.record
        self.assertEqual((occasion.calendar, occasion.month, occasion.jalali_month), ("jalali", "1", "1"))
        with freeze_time("2027-01-10 08:00:00"):
            occasion.invalidate_recordset(["next_date"])
            self.assertEqual(occasion.next_date, date(2027, 3, 21))
        with Form(occasion.with_user(manager)) as form:
            form.jalali_month = "9"
            form.day = 30
        self.assertEqual(occasion.month, "9")
        with freeze_time("2027-01-10 08:00:00"):
            occasion.invalidate_recordset(["next_date"])
            self.assertEqual(occasion.next_date, date(2027, 12, 21), "Yalda 1406")
            with Form(occasion.with_user(manager)) as form:
                form.jalali_month = "7"
                form.day = 10
                self.assertEqual(
                    form.next_date, date(2027, 10, 2), "the form shows 10 Mehr 1406 as it is typed"
                )
                form.calendar = "gregorian"
                self.assertFalse(form.month, "month 7 is Mehr or July: chosen again in the other calendar")
                self.assertFalse(form.next_date)
                form.month = "7"
                form.day = 10
                self.assertEqual(form.next_date, date(2027, 7, 10))
        self.assertEqual((occasion.calendar, occasion.month, occasion.day), ("gregorian", "7", 10))

    def test_queries_do_not_grow_with_birthdays(self):
        occasion = self.Occasion.create({"name": "Birthday", "kind": "birthday", "calendar": "jalali"})

        def run(count, day):
            partners = self.env["res.partner"].create(
                [{"name": f"B{day}-{i}", "email": f"b{i}@example.com", "birthday": day} for i in range(count)]
            )
            make_buyers(partners)
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(f"{day} 08:00:00"):
                before = self.env.cr.sql_log_count
                occasion._send_greetings()
                self.env.flush_all()
                queries = self.env.cr.sql_log_count - before
            self.assertEqual(
                len(self._logs(occasion) & self.Log.search([("partner_id", "in", partners.ids)])), count
            )
            partners.active = False
            return queries

        small = run(5, "2027-05-10")
        large = run(25, "2027-06-10")
        self.assertLessEqual(large, small + 6, f"{small} queries for 5 customers, {large} for 25")
