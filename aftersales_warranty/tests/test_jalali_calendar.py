from datetime import date

import jdatetime

from odoo.tests import HttpCase, new_test_user, tagged

from .visit_common import AftersalesVisitCommon


@tagged("post_install", "-at_install")
class TestJalaliCalendar(AftersalesVisitCommon, HttpCase):
    """The calendar views in one calendar: Solar Hijri throughout for a Persian user, Gregorian
    throughout for the others (issue 33, item 1)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        persian = cls.env["res.lang"]._activate_lang("fa_IR")
        # The Iranian week starts on Saturday (as the Jalali picker's).
        persian.week_start = "6"
        cls.persian_agent = new_test_user(
            cls.env,
            login="as_agent_fa_calendar",
            groups="aftersales_warranty.group_aftersales_user,sales_team.group_sale_salesman",
            name="Persian Planner",
            lang="fa_IR",
        )
        visitor = cls.env["res.partner"].create({"name": "JALALI-VISIT Customer", "city": "Tehran"})
        cls.visit = cls._visit("2026-12-03 10:00", "2026-12-03 11:00", partner_id=visitor.id)
        cls.visit.sudo().name = "JALALI-VISIT"  # the event's title the tours look for

    def test_the_visit_day_in_both_calendars(self):
        # The day the tours look for: Thursday 3 December 2026 is 12 Azar 1405, in week 37 of 1405
        # (1 Farvardin 1405, 21 March 2026, is a Saturday).
        self.assertEqual(jdatetime.date.fromgregorian(date=date(2026, 12, 3)), jdatetime.date(1405, 9, 12))
        self.assertEqual(date(2026, 3, 21).weekday(), 5)
        self.assertEqual((date(2026, 12, 3) - date(2026, 3, 21)).days // 7 + 1, 37)
        self.assertEqual(jdatetime.date(1405, 9, 30).togregorian(), date(2026, 12, 21))
        self.assertEqual(jdatetime.date(1405, 12, 29).togregorian(), date(2027, 3, 20))
        self.assertFalse(jdatetime.date(1405, 1, 1).isleap())

    def test_persian_planner_reads_the_solar_hijri_calendar(self):
        self.start_tour("/odoo", "aftersales_jalali_calendar_tour", login="as_agent_fa_calendar")

    def test_english_agent_reads_the_gregorian_calendar(self):
        self.assertFalse(self.agent.lang.startswith("fa"))
        self.start_tour("/odoo", "aftersales_gregorian_calendar_tour", login="as_agent")
