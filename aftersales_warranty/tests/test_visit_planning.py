from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .visit_common import AftersalesVisitCommon, tehran


@tagged("post_install", "-at_install")
class TestVisitPlanning(AftersalesVisitCommon):
    def _scheduled(self, start, end, technician=None, **vals):
        visit = self._visit(start, end, technician=technician, **vals)
        visit.with_user(self.agent).action_schedule()
        return visit

    def test_no_double_booking(self):
        first = self._scheduled("2026-06-02 09:00", "2026-06-02 11:00")
        second = self._visit("2026-06-02 10:00", "2026-06-02 12:00")
        with self.assertNoLogs("odoo", level="ERROR"), self.assertRaises(ValidationError) as refused:
            second.with_user(self.agent).action_schedule()
        self.assertIn(first.name, str(refused.exception))
        self.assertIn("Technician Sara", str(refused.exception))
        self.assertEqual(second.state, "draft")
        # Back to back is fine, and so is another technician at the same time.
        self._scheduled("2026-06-02 11:00", "2026-06-02 12:00")
        self._scheduled("2026-06-02 09:00", "2026-06-02 11:00", technician=self.technician)
        # A scheduled visit moved onto another one is refused too.
        with self.assertRaises(ValidationError) as refused, self.env.cr.savepoint():
            first.with_user(self.agent).write({"date_end": tehran("2026-06-02 11:30")})
        self.assertIn("already has visit", str(refused.exception))

    def test_cancelled_visit_frees_its_time(self):
        first = self._scheduled("2026-06-02 09:00", "2026-06-02 11:00")
        first.with_user(self.agent).action_cancel()
        self._scheduled("2026-06-02 09:00", "2026-06-02 11:00")

    def test_working_hours(self):
        # Reza's own calendar: mornings only; Sara's is the company's, until 17:00.
        with self.assertRaises(ValidationError) as refused, self.env.cr.savepoint():
            self._scheduled("2026-06-02 11:00", "2026-06-02 13:00", technician=self.technician)
        self.assertIn("outside Technician Reza's working hours", str(refused.exception))
        self._scheduled("2026-06-02 11:00", "2026-06-02 13:00", technician=self.technician_b)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self._scheduled("2026-06-02 16:00", "2026-06-02 18:00", technician=self.technician_b)
        # Thursday is not a working day.
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self._scheduled("2026-06-04 09:00", "2026-06-04 10:00")
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self._scheduled("2026-06-02 06:00", "2026-06-02 08:30")

    def test_schedule_needs_technician_and_time(self):
        visit = self._visit(technician=False)
        with self.assertRaises(ValidationError):
            visit.with_user(self.agent).action_schedule()
        self.assertEqual(visit.state, "draft")

    def test_maximum_visits_per_day(self):
        for hour in (8, 10, 12):
            self._scheduled(f"2026-06-02 {hour:02d}:00", f"2026-06-02 {hour + 1:02d}:00")
        fourth = self._visit("2026-06-02 14:00", "2026-06-02 15:00")
        with self.assertRaises(ValidationError) as refused:
            fourth.with_user(self.agent).action_schedule()
        self.assertIn("already has 3 visits", str(refused.exception))
        self.company.aftersales_visit_max_per_day = 0  # no limit
        fourth.with_user(self.agent).action_schedule()
        self.assertEqual(fourth.state, "scheduled")

    def test_earliest_free_slot(self):
        # Now: Monday 11:30 in Tehran. Reza's morning ends at 12:00: too short for two hours;
        # Sara is free at 11:30 (rounded to the quarter) until 17:00.
        technician, start, end = self.Visit._earliest_free_slot(self.company)
        self.assertEqual(technician, self.technician_b)
        self.assertEqual((start, end), (tehran("2026-06-01 11:30"), tehran("2026-06-01 13:30")))
        self._scheduled("2026-06-01 11:30", "2026-06-01 16:30")
        technician, start, end = self.Visit._earliest_free_slot(self.company)
        # Sara is busy until 16:30 (too late for two hours); Tuesday 08:00, the first of the two
        # (both free then): the earliest start wins.
        self.assertEqual(start, tehran("2026-06-02 08:00"))
        self.assertIn(technician, self.technician | self.technician_b)

    def test_urgent_claim_is_offered_the_earliest_slot(self):
        claim = self._claim(priority="3")
        action = claim.with_user(self.agent).action_plan_visit()
        context = action["context"]
        self.assertEqual(action["res_model"], "aftersales.visit")
        self.assertEqual(action["view_mode"].split(",")[0], "calendar")
        self.assertEqual(context["default_kind"], "repair")
        self.assertEqual(context["default_claim_id"], claim.id)
        self.assertEqual(context["default_technician_id"], self.technician_b.id)
        self.assertEqual(context["default_date_start"], "2026-06-01 08:00:00")  # 11:30 in Tehran
        visit = self.Visit.with_user(self.agent).with_context(**context).create({})
        self.assertEqual((visit.kind, visit.claim_id, visit.partner_id), ("repair", claim, claim.partner_id))
        self.assertEqual(visit.lot_id, claim.lot_id)
        visit.with_user(self.agent).action_schedule()
        self.assertEqual(claim.visit_count, 1)
        # A normal claim: the agent picks the time.
        normal = self._claim(lot_id=self.lot_2.id)
        context = normal.with_user(self.agent).action_plan_visit()["context"]
        self.assertNotIn("default_date_start", context)

    def test_plan_visit_refused(self):
        claim = self._claim()
        claim.action_cancel()
        with self.assertRaises(UserError):
            claim.with_user(self.agent).action_plan_visit()
        with self.assertRaises(UserError):
            self._claim(lot_id=self.lot_2.id).with_user(self.salesman).action_plan_visit()
