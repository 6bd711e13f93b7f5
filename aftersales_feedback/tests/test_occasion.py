from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.base.tests.common import BaseCommon

from .common import make_buyers


@tagged("post_install", "-at_install")
class TestOccasion(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Asia/Tehran"
        cls.company._aftersales_ensure_programs()
        cls.iran = cls.env.ref("base.ir")
        cls.Occasion = cls.env["aftersales.occasion"]
        cls.Log = cls.env["aftersales.occasion.log"]
        cls.Occasion.search([]).active = False
        Partner = cls.env["res.partner"]
        cls.reza = Partner.create(
            {"name": "Reza", "email": "reza@example.com", "phone": "0912 345 6789", "country_id": cls.iran.id}
        )
        cls.mina = Partner.create({"name": "Mina", "email": "mina@example.com", "birthday": "1992-02-29"})
        cls.no_contact = Partner.create({"name": "No Contact", "phone": "123"})
        cls.opted_out = Partner.create({"name": "Opted Out", "email": "out@example.com"})
        cls.env["mail.blacklist"].create({"email": "out@example.com"})
        cls.customers = cls.reza | cls.mina | cls.no_contact | cls.opted_out
        make_buyers(cls.customers)
        cls.prospect = Partner.create({"name": "Prospect", "email": "prospect@example.com"})

    def _occasion(self, **vals):
        return self.Occasion.create({"name": "Nowruz", "kind": "fixed_date", "month": "3", "day": 20, **vals})

    def _logs(self, occasion):
        return self.Log.search([("occasion_id", "=", occasion.id)])

    def test_fixed_date_greets_customers_once_a_year(self):
        occasion = self._occasion(days_before=1)
        with freeze_time("2027-03-18 08:00:00"):
            self.Occasion._cron_send_occasion_greetings()
            self.assertFalse(self._logs(occasion), "two days before: nothing")
        with freeze_time("2027-03-19 08:00:00"):
            self.Occasion._cron_send_occasion_greetings()
            self.Occasion._cron_send_occasion_greetings()
        logs = self._logs(occasion)
        self.assertEqual(logs.partner_id, self.customers, "customers only, each once; not the prospect")
        sent = logs.filtered(lambda log: log.state == "sent")
        self.assertEqual(sent.partner_id, self.reza | self.mina)
        self.assertEqual(set(sent.mapped("year")), {2027})
        self.assertEqual(occasion.last_sent_count, 0, "the second run greeted nobody new")
        mails = self.env["mail.mail"].search(
            [("model", "=", "aftersales.occasion.log"), ("res_id", "in", sent.ids)]
        )
        self.assertEqual(mails.recipient_ids, self.reza | self.mina)
        with freeze_time("2028-03-19 08:00:00"):
            occasion._send_greetings()
        self.assertEqual(
            len(self._logs(occasion).filtered(lambda log: log.year == 2028 and log.state == "sent")), 2
        )

    def test_counts_of_the_run(self):
        occasion = self._occasion()
        with freeze_time("2027-03-20 08:00:00"):
            occasion.action_send_now()
        self.assertEqual((occasion.last_sent_count, occasion.last_skipped_count), (2, 2))
        self.assertEqual(occasion.last_run_date, date(2027, 3, 20))
        skipped = self._logs(occasion).filtered(lambda log: log.state == "skipped")
        self.assertEqual(
            {log.partner_id: log.skip_reason for log in skipped},
            {self.no_contact: "no_email", self.opted_out: "opted_out"},
        )

    def test_sms_goes_to_valid_numbers_in_e164(self):
        occasion = self._occasion(channel="sms")
        with freeze_time("2027-03-20 08:00:00"):
            occasion.action_send_now()
        sent = self._logs(occasion).filtered(lambda log: log.state == "sent")
        self.assertEqual(sent.partner_id, self.reza)
        self.assertEqual(sent.sms_number, "+989123456789")
        sms = self.env["sms.sms"].search([("partner_id", "=", self.reza.id)])
        self.assertEqual(sms.number, "+989123456789")
        self.assertIn("Nowruz", sms.body)
        self.assertEqual(
            self._logs(occasion).filtered(lambda log: log.partner_id == self.no_contact).skip_reason,
            "no_phone",
        )

    def test_both_channels_use_what_is_valid(self):
        occasion = self._occasion(channel="both")
        with freeze_time("2027-03-20 08:00:00"):
            occasion.action_send_now()
        channels = {log.partner_id: log.channel for log in self._logs(occasion) if log.state == "sent"}
        self.assertEqual(channels, {self.reza: "both", self.mina: "email"})

    def test_birthday_on_29_february(self):
        occasion = self.Occasion.create({"name": "Birthday", "kind": "birthday"})
        with freeze_time("2027-02-27 08:00:00"):
            occasion.action_send_now()
            self.assertFalse(self._logs(occasion))
        with freeze_time("2027-02-28 08:00:00"):
            occasion.action_send_now()
            occasion.action_send_now()
        self.assertEqual(self._logs(occasion).partner_id, self.mina, "greeted on 28 February in 2027")
        with freeze_time("2027-03-01 08:00:00"):
            occasion.action_send_now()
        self.assertEqual(len(self._logs(occasion)), 1, "not twice")
        with freeze_time("2028-02-28 08:00:00"):
            occasion.action_send_now()
            self.assertEqual(len(self._logs(occasion)), 1, "2028 is a leap year: not on the 28th")
        with freeze_time("2028-02-29 08:00:00"):
            occasion.action_send_now()
        self.assertEqual(self._logs(occasion).mapped("year"), [2028, 2027])

    def test_black_friday_rrule_with_days_before(self):
        occasion = self.Occasion.create(
            {
                "name": "Black Friday",
                "kind": "rrule",
                "rrule": "FREQ=YEARLY;BYMONTH=11;BYDAY=4FR",
                "days_before": 2,
            }
        )
        self.assertEqual(occasion._occurrence(2026), date(2026, 11, 27))
        self.assertEqual(occasion._occurrence(2027), date(2027, 11, 26))
        with freeze_time("2026-11-24 08:00:00"):
            occasion.action_send_now()
            self.assertFalse(self._logs(occasion))
        with freeze_time("2026-11-25 08:00:00"):
            occasion.action_send_now()
        self.assertEqual(len(self._logs(occasion).filtered(lambda log: log.state == "sent")), 2)

    def test_coupon_attached_to_the_greeting(self):
        program = self.company.aftersales_goodwill_program_id
        occasion = self._occasion(program_id=program.id)
        with freeze_time("2027-03-20 08:00:00"):
            occasion.action_send_now()
        sent = self._logs(occasion).filtered(lambda log: log.state == "sent")
        cards = sent.card_id
        self.assertEqual(len(cards), 2)
        self.assertEqual(set(cards.mapped("aftersales_origin")), {"occasion"})
        self.assertEqual(cards.partner_id, self.reza | self.mina)
        mail = self.env["mail.mail"].search(
            [("model", "=", "aftersales.occasion.log"), ("res_id", "=", sent[0].id)]
        )
        self.assertIn(sent[0].card_id.code, mail.body_html)
        self.assertFalse(
            self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "in", cards.ids)]),
            "one message per customer: the greeting carries the code",
        )

    def test_bad_definitions_are_refused_and_nothing_written(self):
        before = self.Occasion.with_context(active_test=False).search_count([])
        for vals, message in (
            ({"month": "2", "day": 31}, "has no day 31"),
            ({"month": "2", "day": 30}, "has no day 30"),
            ({"month": "4", "day": 31}, "has no day 31"),
            ({"month": False}, "choose the month"),
            ({"days_before": -1}, "cannot be negative"),
            ({"kind": "rrule", "rrule": "FREQ=SOMETIMES"}, "not valid"),
            ({"kind": "rrule", "rrule": False}, "write the recurrence rule"),
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                self._occasion(**vals)
        self.assertEqual(self.Occasion.with_context(active_test=False).search_count([]), before)
        self.assertTrue(self._occasion(month="2", day=29), "29 February exists in leap years")

    def test_queries_do_not_grow_with_customers(self):
        occasion = self._occasion()

        def run(count, year):
            partners = self.env["res.partner"].create(
                [{"name": f"C{year}-{i}", "email": f"c{year}{i}@example.com"} for i in range(count)]
            )
            make_buyers(partners)
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(f"{year}-03-20 08:00:00"):
                before = self.env.cr.sql_log_count
                occasion._send_greetings()
                self.env.flush_all()
                queries = self.env.cr.sql_log_count - before
            partners.active = False
            return queries

        small = run(5, 2030)
        large = run(25, 2031)
        self.assertLessEqual(large, small + 6, f"{small} queries for 5 customers, {large} for 25")
