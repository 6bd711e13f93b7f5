from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .visit_common import AftersalesVisitCommon, tehran

ALLOWED = {
    "draft": {"action_schedule", "action_cancel"},
    "scheduled": {"action_schedule", "action_done", "action_no_show", "action_cancel"},
    "done": set(),
    "no_show": set(),
    "cancelled": set(),
}
TARGET = {
    "action_schedule": "scheduled",
    "action_done": "done",
    "action_no_show": "no_show",
    "action_cancel": "cancelled",
}
STATE_LABELS = {
    "draft": "Draft",
    "scheduled": "Scheduled",
    "done": "Done",
    "no_show": "No-Show",
    "cancelled": "Cancelled",
}


@tagged("post_install", "-at_install")
class TestVisitTransitions(AftersalesVisitCommon):
    def _visit_in(self, state, day="2026-06-02"):
        visit = self._visit(f"{day} 09:00", f"{day} 11:00", no_signature_reason="Customer away")
        if state in ("scheduled", "done", "no_show"):
            visit.with_user(self.agent).action_schedule()
        if state == "done":
            visit.action_done()
        elif state == "no_show":
            visit.action_no_show()
        elif state == "cancelled":
            visit.with_user(self.agent).action_cancel()
        self.assertEqual(visit.state, state)
        return visit

    def test_every_transition(self):
        for state, allowed in ALLOWED.items():
            for action, target in TARGET.items():
                with self.subTest(state=state, action=action):
                    savepoint = self.env.cr.savepoint()
                    try:
                        visit = self._visit_in(state)
                        if action in allowed:
                            getattr(visit.with_user(self.agent), action)()
                            self.assertEqual(visit.state, target)
                        else:
                            with self.assertRaises(UserError) as refused:
                                getattr(visit.with_user(self.agent), action)()
                            self.assertIn(f"is {STATE_LABELS[state]}: it cannot", str(refused.exception))
                            self.assertEqual(visit.state, state)
                    finally:
                        savepoint.close(rollback=True)
                        self.env.invalidate_all()

    def test_schedule_through_the_form(self):
        with Form(self.Visit.with_user(self.agent)) as form:
            form.kind = "install"
            form.partner_id = self.customer
            form.technician_id = self.technician_b
            form.date_start = tehran("2026-06-02 10:00")
        visit = form.record
        self.assertEqual(visit.date_end, tehran("2026-06-02 12:00"), "two hours by default")
        self.assertEqual(visit.address_id, self.customer_shipping, "the customer's delivery address")
        self.assertTrue(visit.name.startswith("VIS/"))
        visit.with_user(self.agent).action_schedule()
        self.assertEqual(visit.state, "scheduled")
        self.assertEqual(visit.time_window, "10:00-12:00")

    def test_references_of_a_batch_in_one_statement(self):
        """A batch of visits (the maintenance cron's) draws its references together: the statements of
        a create do not grow with the number of visits, and the references follow each other."""

        def create(count):
            before = self.env.cr.sql_log_count
            visits = self.Visit.create(
                [{"partner_id": self.customer.id, "kind": "maintenance"} for _index in range(count)]
            )
            self.env.flush_all()
            return visits, self.env.cr.sql_log_count - before

        create(2)  # caches warmed
        few, few_queries = create(3)
        many, many_queries = create(12)
        self.assertEqual(many_queries, few_queries)
        numbers = [int(name.rsplit("/", 1)[1]) for name in (few + many).mapped("name")]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 15)))
        self.assertTrue(all(name.startswith("VIS/") for name in (few + many).mapped("name")))

    def test_state_and_name_cannot_be_written(self):
        visit = self._visit("2026-06-02 09:00", "2026-06-02 11:00")
        for vals in (
            {"state": "done"},
            {"name": "X"},
            {"customer_confirmed": True},
            {"first_time_fix": True},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                visit.with_user(self.agent).write(vals)
        self.assertEqual(visit.state, "draft")
        with self.assertRaises(UserError):
            self.Visit.with_user(self.agent).create({"partner_id": self.customer.id, "state": "done"})

    def test_only_drafts_are_deleted(self):
        visit = self._visit_in("scheduled")
        with self.assertRaises(UserError):
            visit.with_user(self.manager).unlink()
        draft = self._visit("2026-06-03 09:00", "2026-06-03 11:00")
        draft.with_user(self.manager).unlink()
        self.assertFalse(draft.exists())

    def test_done_visit_is_not_replanned(self):
        visit = self._visit_in("done")
        with self.assertRaises(UserError):
            visit.with_user(self.agent).write({"date_start": tehran("2026-06-03 09:00")})

    def test_end_after_start(self):
        with self.assertRaises(ValidationError):
            self._visit("2026-06-02 11:00", "2026-06-02 09:00")

    def test_technicians_do_not_plan(self):
        visit = self._visit("2026-06-02 09:00", "2026-06-02 11:00", technician=self.technician)
        with self.assertRaises(UserError):
            visit.with_user(self.technician).action_schedule()
        visit.with_user(self.agent).action_schedule()
        with self.assertRaises(UserError):
            visit.with_user(self.technician).action_cancel()
        self.assertEqual(visit.state, "scheduled")


@tagged("post_install", "-at_install")
class TestVisitCalendarEvent(AftersalesVisitCommon):
    def test_event_follows_the_visit(self):
        visit = self._visit("2026-06-02 09:00", "2026-06-02 11:00")
        self.assertFalse(visit.calendar_event_id, "a draft is not in the calendar yet")
        visit.with_user(self.agent).action_schedule()
        event = visit.calendar_event_id
        self.assertEqual((event.start, event.stop), (tehran("2026-06-02 09:00"), tehran("2026-06-02 11:00")))
        self.assertEqual(event.user_id, self.technician_b)
        self.assertIn(self.technician_b.partner_id, event.partner_ids)
        self.assertIn(visit.name, event.name)
        # Moved by the agent: the event moves.
        visit.with_user(self.agent).write(
            {"date_start": tehran("2026-06-03 13:00"), "date_end": tehran("2026-06-03 15:00")}
        )
        self.assertEqual((event.start, event.stop), (tehran("2026-06-03 13:00"), tehran("2026-06-03 15:00")))
        # Reza works mornings only: not at 13:00.
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            visit.with_user(self.agent).technician_id = self.technician
        visit.invalidate_recordset()
        # Given to another technician: the event goes to their calendar.
        visit.with_user(self.agent).write(
            {
                "technician_id": self.technician.id,
                "date_start": tehran("2026-06-03 09:00"),
                "date_end": tehran("2026-06-03 11:00"),
            }
        )
        self.assertEqual(event.user_id, self.technician)
        self.assertEqual(event.start, tehran("2026-06-03 09:00"))

    def test_event_moved_in_the_calendar_moves_the_visit(self):
        visit = self._visit("2026-06-02 09:00", "2026-06-02 11:00")
        visit.with_user(self.agent).action_schedule()
        event = visit.calendar_event_id.with_user(self.technician_b)
        event.write({"start": tehran("2026-06-02 14:00"), "stop": tehran("2026-06-02 16:00")})
        self.assertEqual(
            (visit.date_start, visit.date_end), (tehran("2026-06-02 14:00"), tehran("2026-06-02 16:00"))
        )

    def test_event_moved_to_a_refused_time_is_refused(self):
        visit = self._visit("2026-06-02 09:00", "2026-06-02 11:00")
        visit.with_user(self.agent).action_schedule()
        other = self._visit("2026-06-02 14:00", "2026-06-02 16:00")
        other.with_user(self.agent).action_schedule()
        event = visit.calendar_event_id.with_user(self.technician_b)
        with self.assertRaises(ValidationError) as refused, self.env.cr.savepoint():
            event.write({"start": tehran("2026-06-02 15:00"), "stop": tehran("2026-06-02 17:00")})
        self.assertIn(other.name, str(refused.exception))
        visit.invalidate_recordset()
        event.invalidate_recordset()
        self.assertEqual(visit.date_start, tehran("2026-06-02 09:00"))
        self.assertEqual(event.start, tehran("2026-06-02 09:00"))

    def test_cancel_removes_the_event(self):
        visit = self._visit("2026-06-02 09:00", "2026-06-02 11:00")
        visit.with_user(self.agent).action_schedule()
        event = visit.calendar_event_id
        with self.assertRaises(UserError):
            event.with_user(self.technician_b).unlink()
        visit.with_user(self.agent).action_cancel()
        self.assertFalse(event.exists())
        self.assertFalse(visit.calendar_event_id)


@tagged("post_install", "-at_install")
class TestVisitReminder(AftersalesVisitCommon):
    def test_reminder_once_the_day_before(self):
        tomorrow = self._visit("2026-06-02 09:00", "2026-06-02 11:00")
        later = self._visit("2026-06-06 09:00", "2026-06-06 11:00")
        (tomorrow | later).with_user(self.agent).action_schedule()
        Message = self.env["mail.message"]
        template = self.env.ref("aftersales_warranty.mail_template_visit_reminder")

        def reminders(visit):
            return Message.search_count(
                [("model", "=", visit._name), ("res_id", "=", visit.id), ("subject", "ilike", "reminder")]
            )

        self.Visit._cron_send_visit_reminders()
        self.assertTrue(tomorrow.reminder_sent)
        self.assertFalse(later.reminder_sent, "not reminded four days ahead")
        self.assertEqual(reminders(tomorrow), 1)
        self.Visit._cron_send_visit_reminders()
        self.assertEqual(reminders(tomorrow), 1, "reminded once")
        self.assertTrue(template)
        with freeze_time("2026-06-05 08:00:00"):
            self.Visit._cron_send_visit_reminders()
        self.assertTrue(later.reminder_sent)
        self.assertEqual(reminders(later), 1)
