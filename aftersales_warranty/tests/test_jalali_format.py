from datetime import date, datetime

from freezegun import freeze_time
from lxml import html

from odoo.tests import TransactionCase, tagged
from odoo.tools import format_date, format_datetime

from odoo.addons.aftersales_warranty.models.ir_qweb_fields import PERSIAN_MONTHS, format_aftersales_date

from .common import AftersalesWarrantyCommon

# Persian digits (U+06F0 to U+06F9): fa("15 اسفند 1406") is the date as a Persian reader sees it.
FA_DIGITS = str.maketrans("0123456789", "".join(chr(0x06F0 + digit) for digit in range(10)))
PERSIAN_DIGIT = "[\u06f0-\u06f9]"


def fa(text):
    return text.translate(FA_DIGITS)


# Gregorian day -> (long, short) Solar Hijri forms, as an Iranian calendar prints them.
KNOWN_DAYS = {
    date(2027, 3, 21): (fa("1 فروردین 1406"), fa("1406/01/01")),  # Nowruz 1406
    date(2028, 3, 5): (fa("15 اسفند 1406"), fa("1406/12/15")),
    date(2028, 3, 19): (fa("29 اسفند 1406"), fa("1406/12/29")),  # 1406 is a common year: its last day
    date(2028, 3, 20): (fa("1 فروردین 1407"), fa("1407/01/01")),  # Nowruz on 20 March in 2028
    date(2025, 3, 20): (fa("30 اسفند 1403"), fa("1403/12/30")),  # 1403 is a leap year
    date(2024, 12, 20): (fa("30 آذر 1403"), fa("1403/09/30")),  # Yalda 2024
    date(2026, 9, 6): (fa("15 شهریور 1405"), fa("1405/06/15")),
    date(2028, 9, 5): (fa("15 شهریور 1407"), fa("1407/06/15")),
    date(2026, 10, 23): (fa("1 آبان 1405"), fa("1405/08/01")),
}


@tagged("post_install", "-at_install")
class TestJalaliFormat(TransactionCase):
    """format_aftersales_date: Solar Hijri with Persian digits for Persian, Odoo's format otherwise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["res.lang"]._activate_lang("fr_FR")

    def test_known_days(self):
        for day, (long, short) in KNOWN_DAYS.items():
            with self.subTest(day=day):
                self.assertEqual(format_aftersales_date(self.env, day, "fa_IR"), long)
                self.assertEqual(format_aftersales_date(self.env, day, "fa_IR", "long"), long)
                self.assertEqual(format_aftersales_date(self.env, day, "fa_IR", "short"), short)
                # A date as Odoo's ORM reads and writes it, and the bare language code.
                self.assertEqual(format_aftersales_date(self.env, day.isoformat(), "fa"), long)

    def test_persian_month_names(self):
        self.assertEqual(
            PERSIAN_MONTHS,
            tuple("فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند".split()),
        )
        # The first day of each month of 1406, as an Iranian calendar prints it.
        firsts = [
            date(2027, 3, 21), date(2027, 4, 21), date(2027, 5, 22), date(2027, 6, 22),
            date(2027, 7, 23), date(2027, 8, 23), date(2027, 9, 23), date(2027, 10, 23),
            date(2027, 11, 22), date(2027, 12, 22), date(2028, 1, 21), date(2028, 2, 20),
        ]  # fmt: skip
        for day, month in zip(firsts, PERSIAN_MONTHS, strict=True):
            self.assertEqual(format_aftersales_date(self.env, day, "fa_IR"), fa(f"1 {month} 1406"))

    def test_datetimes_near_midnight_in_tehran(self):
        # Tehran is UTC+03:30: 20:29 UTC is still 4 March (14 Esfand), 20:30 UTC is 5 March.
        before, after = datetime(2028, 3, 4, 20, 29), datetime(2028, 3, 4, 20, 30)
        self.assertEqual(
            format_aftersales_date(self.env, before, "fa_IR", tz="Asia/Tehran"), fa("14 اسفند 1406")
        )
        self.assertEqual(
            format_aftersales_date(self.env, after, "fa_IR", tz="Asia/Tehran"), fa("15 اسفند 1406")
        )
        self.assertEqual(format_aftersales_date(self.env, after, "fa_IR", tz="UTC"), fa("14 اسفند 1406"))
        self.assertEqual(
            format_aftersales_date(self.env, "2028-03-04 20:30:00", "fa_IR", "short", tz="Asia/Tehran"),
            fa("1406/12/15"),
        )
        self.assertEqual(
            format_aftersales_date(self.env, after, "fa_IR", "datetime", tz="Asia/Tehran"),
            fa("15 اسفند 1406، 00:00"),
        )
        # Nowruz starts at midnight in Tehran, not in UTC.
        self.assertEqual(
            format_aftersales_date(self.env, datetime(2027, 3, 20, 20, 30), "fa_IR", tz="Asia/Tehran"),
            fa("1 فروردین 1406"),
        )
        # Without a zone named: the context's, as Odoo's own formatting.
        tehran = self.env(context={"lang": "fa_IR", "tz": "Asia/Tehran"})
        self.assertEqual(format_aftersales_date(tehran, after), fa("15 اسفند 1406"))
        self.assertEqual(
            format_aftersales_date(tehran(context={"lang": "fa_IR", "tz": "UTC"}), after), fa("14 اسفند 1406")
        )

    def test_language_from_the_context(self):
        day = date(2028, 3, 5)
        self.assertEqual(
            format_aftersales_date(self.env(context={"lang": "fa_IR"}), day), fa("15 اسفند 1406")
        )
        english = self.env(context={"lang": "en_US"})
        self.assertEqual(format_aftersales_date(english, day), "03/05/2028")
        # An explicit language wins over the context's.
        self.assertEqual(format_aftersales_date(english, day, lang_code="fa_IR"), fa("15 اسفند 1406"))

    def test_other_languages_keep_their_format(self):
        day = date(2028, 3, 5)
        for lang in ("en_US", "fr_FR"):
            with self.subTest(lang=lang):
                usual = format_date(self.env, day, lang_code=lang)
                self.assertEqual(format_aftersales_date(self.env, day, lang), usual)
                self.assertEqual(format_aftersales_date(self.env, day, lang, "short"), usual)
        self.assertEqual(format_aftersales_date(self.env, day, "en_US"), "03/05/2028")
        self.assertEqual(format_aftersales_date(self.env, day, "fr_FR"), "05/03/2028")
        # An LDML pattern goes to Odoo's format_date as it is.
        self.assertEqual(format_aftersales_date(self.env, day, "en_US", "MMMM d, y"), "March 5, 2028")
        # A datetime: the day in the zone (Tehran), or Odoo's date and time without seconds.
        moment = datetime(2028, 3, 4, 20, 30)
        self.assertEqual(format_aftersales_date(self.env, moment, "en_US", tz="Asia/Tehran"), "03/05/2028")
        self.assertEqual(
            format_aftersales_date(self.env, moment, "en_US", "datetime", tz="Asia/Tehran"),
            format_datetime(self.env, moment, tz="Asia/Tehran", dt_format="short", lang_code="en_US"),
        )
        self.assertNotRegex(format_aftersales_date(self.env, day, "en_US"), PERSIAN_DIGIT)

    def test_empty_values(self):
        for value in (False, None, ""):
            self.assertEqual(format_aftersales_date(self.env, value, "fa_IR"), "")
            self.assertEqual(format_aftersales_date(self.env, value, "en_US"), "")


@tagged("post_install", "-at_install")
class TestJalaliRendering(AftersalesWarrantyCommon):
    """The same formatter in QWeb (the aftersales_date widget) and in mail and SMS templates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        # The Persian templates, as a Persian customer receives them (setup/run loads them too).
        cls.env["ir.module.module"]._load_module_terms(["aftersales_warranty"], ["fa_IR"], overwrite=True)
        cls.persian_customer = cls.env["res.partner"].create(
            {"name": "Golnar Rezaei", "lang": "fa_IR", "tz": "Asia/Tehran", "email": "golnar.fa@example.com"}
        )
        cls.customer.write({"lang": "en_US", "tz": "Asia/Tehran"})
        cls._add_stock(cls.product_serial, lot_names=["JF-1", "JF-2"])
        with freeze_time("2027-03-05 09:00:00"):
            cls.persian_order = cls._sell([(cls.product_serial, 1)], partner=cls.persian_customer)
            cls._deliver(cls.persian_order)
            cls.english_order = cls._sell([(cls.product_serial, 1)])
            cls._deliver(cls.english_order)
        cls.persian_warranty = cls.persian_order.warranty_ids
        cls.english_warranty = cls.english_order.warranty_ids

    def _qweb(self, template, lang, **values):
        return str(
            self.env["ir.qweb"]
            .with_context(lang=lang)
            ._render(html.fragment_fromstring(template, create_parent="div"), values)
        )

    def test_warranty_dates(self):
        # Delivered on 2027-03-05 (14 Esfand 1405), twelve months of cover.
        self.assertEqual(self.persian_warranty.date_start, date(2027, 3, 5))
        self.assertEqual(self.persian_warranty.date_end, date(2028, 3, 5))

    def test_qweb_widget_on_a_field_and_a_value(self):
        field = """<span t-field="warranty.date_end" t-options="{'widget': 'aftersales_date'}"/>"""
        warranty = self.persian_warranty
        self.assertIn(fa("15 اسفند 1406"), self._qweb(field, "fa_IR", warranty=warranty))
        english = self._qweb(field, "en_US", warranty=warranty)
        self.assertIn(format_date(self.env, warranty.date_end, lang_code="en_US"), english)
        self.assertNotRegex(english, PERSIAN_DIGIT)
        value = """<span t-out="day" t-options="{'widget': 'aftersales_date', 'date_format': 'short'}"/>"""
        self.assertIn(fa("1406/12/15"), self._qweb(value, "fa_IR", day=date(2028, 3, 5)))
        self.assertIn("03/05/2028", self._qweb(value, "en_US", day=date(2028, 3, 5)))
        # A datetime field: the day in the reader's zone (the context's, as Odoo's datetime widget).
        claim = self.env["aftersales.claim"].create(
            {"partner_id": self.persian_customer.id, "channel": "phone"}
        )
        claim.date_deadline = datetime(2028, 3, 4, 20, 30)
        deadline = """<span t-field="claim.date_deadline" t-options="{'widget': 'aftersales_date'}"/>"""
        rendered = str(
            self.env["ir.qweb"]
            .with_context(lang="fa_IR", tz="Asia/Tehran")
            ._render(html.fragment_fromstring(deadline, create_parent="div"), {"claim": claim})
        )
        self.assertIn(fa("15 اسفند 1406"), rendered)

    def test_inline_template_follows_the_language(self):
        template = (
            "{{ format_aftersales_date(object.date_end) }} | "
            "{{ format_aftersales_date(object.date_end, 'short') }}"
        )
        Template = self.env["mail.template"]
        warranty = self.persian_warranty
        rendered = Template.with_context(lang="fa_IR")._render_template(
            template, "aftersales.warranty", warranty.ids
        )[warranty.id]
        self.assertEqual(rendered, fa("15 اسفند 1406 | 1406/12/15"))
        rendered = Template.with_context(lang="en_US")._render_template(
            template, "aftersales.warranty", warranty.ids
        )[warranty.id]
        self.assertEqual(rendered, "03/05/2028 | 03/05/2028")
        forced = Template.with_context(lang="en_US")._render_template(
            "{{ format_aftersales_date(object.date_end, lang_code='fa_IR') }}",
            "aftersales.warranty",
            warranty.ids,
        )[warranty.id]
        self.assertEqual(forced, fa("15 اسفند 1406"))

    def test_certificate_email_in_the_recipient_language(self):
        template = self.env.ref("aftersales_warranty.mail_template_warranty_certificate")
        orders = self.persian_order | self.english_order
        bodies = template._render_field("body_html", orders.ids, compute_lang=True)
        self.assertIn("تحت پوشش تا", bodies[self.persian_order.id], "the Persian email")
        self.assertIn(fa("15 اسفند 1406"), bodies[self.persian_order.id])
        self.assertIn("03/05/2028", bodies[self.english_order.id])
        self.assertNotRegex(bodies[self.english_order.id], PERSIAN_DIGIT)

    def test_claim_received_email_in_the_recipient_language_and_zone(self):
        Claim = self.env["aftersales.claim"]
        claims = Claim.create(
            [
                {"partner_id": partner.id, "channel": "phone", "date_deadline": datetime(2028, 3, 4, 20, 30)}
                for partner in (self.persian_customer, self.customer)
            ]
        )
        persian, english = claims
        self.assertEqual(persian.date_deadline, datetime(2028, 3, 4, 20, 30))
        Claim._cron_send_claim_acknowledgments()
        received = persian.message_ids.filtered(lambda m: persian.name in (m.subject or ""))
        self.assertEqual(len(received), 1)
        self.assertIn("تلاش ما این است که تا", str(received.body), "the Persian email")
        # Midnight in Tehran, the customer's zone: 5 March (15 Esfand), not 4 March as in UTC.
        self.assertIn(fa("15 اسفند 1406، 00:00"), str(received.body))
        received = english.message_ids.filtered(lambda m: "we received your claim" in (m.subject or ""))
        self.assertEqual(len(received), 1)
        self.assertIn(
            format_datetime(
                self.env, english.date_deadline, tz="Asia/Tehran", dt_format="short", lang_code="en_US"
            ),
            str(received.body),
        )
        self.assertNotRegex(str(received.body), PERSIAN_DIGIT)
