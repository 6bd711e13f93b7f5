import json
import random
from datetime import UTC, date, datetime

import jdatetime
from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AftersalesWarrantyCommon

PERSIAN_DIGITS = str.maketrans("0123456789", "".join(chr(0x06F0 + digit) for digit in range(10)))


def _browser_time(moment):
    """(hour, minute) of the UTC ``moment`` in the zone of this machine, which is the zone of the
    browser the tours run in (the web client shows and picks datetimes in the browser's zone)."""
    local = moment.replace(tzinfo=UTC).astimezone()
    return local.hour, local.minute


def _as_utc(day, hour, minute):
    """The UTC moment of ``day`` at ``hour:minute`` in the browser's zone (see above)."""
    local = datetime(day.year, day.month, day.day, hour, minute).astimezone()
    return local.astimezone(UTC).replace(tzinfo=None)


def _persian_digits(text):
    return text.translate(PERSIAN_DIGITS)


def _persian(jalali_date):
    """(short, long) text of a jdatetime date as a Persian user reads it, in Persian digits:
    1406/01/01 and "1 Farvardin 1406" (the month's Persian name)."""
    month_name = jalali_date.strftime("%B")
    short = jalali_date.strftime("%Y/%m/%d")
    long = f"{jalali_date.day} {month_name} {jalali_date.year}"
    return [_persian_digits(short), _persian_digits(long)]


# Runs in the browser: the web client's Jalali module against jdatetime's dates (__DATA__).
JS_AGREEMENT_CHECK = """
const jalali = odoo.loader.modules.get("@aftersales_warranty/core/jalali");
const { DateTime } = luxon;
const data = __DATA__;
const errors = [];
const pad = (number) => String(number).padStart(2, "0");
const iso = (g) => `${g.year}-${pad(g.month)}-${pad(g.day)}`;
const dayMs = (isoDate) => Date.parse(`${isoDate}T00:00:00Z`);
for (const [year, nowruz, leap] of data.years) {
    if (jalali.isJalaliLeapYear(year) !== leap) {
        errors.push(`${year}: leap ${!leap} instead of ${leap}`);
    }
    let expected = dayMs(nowruz);
    for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= jalali.jalaliMonthLength(year, month); day++) {
            const gregorian = iso(jalali.jalaliToGregorian(year, month, day));
            if (dayMs(gregorian) !== expected) {
                errors.push(`${year}/${month}/${day}: ${gregorian}`);
            }
            const back = jalali.gregorianToJalali(...gregorian.split("-").map(Number));
            if (back.year !== year || back.month !== month || back.day !== day) {
                errors.push(`${gregorian}: ${back.year}/${back.month}/${back.day}`);
            }
            expected += 86400000;
        }
    }
    if (errors.length > 20) {
        break;
    }
}
for (const [gregorian, year, month, day] of data.samples) {
    const got = jalali.gregorianToJalali(...gregorian.split("-").map(Number));
    if (got.year !== year || got.month !== month || got.day !== day) {
        errors.push(`${gregorian}: ${got.year}/${got.month}/${got.day}, not ${year}/${month}/${day}`);
    }
    if (iso(jalali.jalaliToGregorian(year, month, day)) !== gregorian) {
        errors.push(`${year}/${month}/${day}: not ${gregorian}`);
    }
}
for (const [gregorian, [short, long]] of Object.entries(data.formats)) {
    const value = DateTime.fromISO(gregorian);
    const got = [jalali.formatJalali(value), jalali.formatJalali(value, { long: true })];
    if (got[0] !== short || got[1] !== long) {
        errors.push(`${gregorian} shown as ${got}`);
    }
    for (const text of [short, jalali.toLatinDigits(short)]) {
        const parsed = jalali.parseJalali(text);
        if (!parsed || parsed.toISODate() !== gregorian) {
            errors.push(`${text} read as ${parsed && parsed.toISODate()}`);
        }
    }
}
const datetime = jalali.parseJalali(data.datetimes.typed, { type: "datetime" });
if (!datetime || datetime.toFormat("yyyy-MM-dd HH:mm") !== "2026-12-01 14:05") {
    errors.push(`datetime read as ${datetime}`);
}
if (jalali.formatJalali(datetime, { type: "datetime" }) !== data.datetimes.shown) {
    errors.push(`datetime shown as ${jalali.formatJalali(datetime, { type: "datetime" })}`);
}
// 1405 is a common year: no 30 Esfand. Invalid days, times and Gregorian years are refused.
for (const text of ["1405/12/30", "1405/13/01", "1405/00/10", "1405/07/31", "2026/12/01",
                    "1405/09/10 24:00", "10 Azar", "1405/09"]) {
    const parsed = jalali.parseJalali(text, { type: "datetime" });
    if (parsed !== null) {
        errors.push(`${text} accepted as ${parsed}`);
    }
}
if (jalali.parseJalali("  ") !== false) {
    errors.push("an empty text is not an empty date");
}
if (errors.length) {
    console.error(`Jalali calendar mismatches: ${errors.slice(0, 20).join("; ")}`);
} else {
    console.log("test successful");
}
"""


@tagged("post_install", "-at_install")
class TestJalaliDateWidget(AftersalesWarrantyCommon, HttpCase):
    """The back office's after-sales date widget: Solar Hijri for a Persian user, Odoo's for others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        # Moving a claim's deadline is a manager's decision (issue 27): the tours type one.
        cls.persian_agent = new_test_user(
            cls.env,
            login="as_agent_fa",
            groups="aftersales_warranty.group_aftersales_manager,sales_team.group_sale_salesman",
            name="Persian Agent",
            lang="fa_IR",
        )
        cls.english_manager = new_test_user(
            cls.env,
            login="as_manager_en",
            groups="aftersales_warranty.group_aftersales_manager,sales_team.group_sale_salesman",
            name="English Manager",
            lang="en_US",
        )
        cls.lot = cls._add_stock(cls.product_serial, lot_names=["JALALI-SN"])
        with freeze_time("2026-03-21 09:00:00"):
            order = cls._sell([(cls.product_serial, 1)])
            cls._deliver(order)
        cls.warranty = cls.lot.warranty_id
        cls.claim = cls.env["aftersales.claim"].create(
            {
                "lot_id": cls.lot.id,
                "partner_id": cls.customer.id,
                "date_reported": "2026-11-20 09:00:00",
            }
        )
        cls.claim.date_deadline = "2026-11-22 09:00:00"

    def _claim_url(self):
        return f"/odoo/action-aftersales_warranty.aftersales_claim_action/{self.claim.id}"

    def test_persian_agent_picks_and_types_jalali_dates(self):
        self.claim.date_deadline = fields.Datetime.now()  # the picker highlights today
        self.start_tour(self._claim_url(), "aftersales_jalali_claim_tour", login="as_agent_fa")
        # Picked 15 Farvardin 1406 as the reported date (it keeps its time of day), typed
        # "1406/1/20 10:30" as the deadline: the record holds the Gregorian moments of those Jalali
        # days, as jdatetime converts them.
        reported_day = jdatetime.date(1406, 1, 15).togregorian()
        deadline_day = jdatetime.date(1406, 1, 20).togregorian()
        self.assertEqual((reported_day, deadline_day), (date(2027, 4, 4), date(2027, 4, 9)))
        reported_time = _browser_time(datetime(2026, 11, 20, 9, 0))
        self.assertEqual(self.claim.date_reported, _as_utc(reported_day, *reported_time))
        self.assertEqual(self.claim.date_deadline, _as_utc(deadline_day, 10, 30))

    def test_persian_user_reads_warranty_dates_in_jalali(self):
        self.assertEqual(self.warranty.date_end, date(2027, 3, 21))
        self.assertEqual(
            jdatetime.date.fromgregorian(date=self.warranty.date_end), jdatetime.date(1406, 1, 1)
        )
        self.start_tour(
            "/odoo/action-aftersales_warranty.aftersales_warranty_action",
            "aftersales_jalali_warranty_tour",
            login="as_agent_fa",
        )

    def test_english_agent_keeps_odoo_date_widget(self):
        self.assertFalse(self.english_manager.lang.startswith("fa"))
        self.start_tour(self._claim_url(), "aftersales_date_english_tour", login="as_manager_en")
        deadline_time = _browser_time(datetime(2026, 11, 22, 9, 0))
        self.assertEqual(self.claim.date_deadline, _as_utc(date(2026, 11, 25), *deadline_time))

    def test_js_calendar_agrees_with_jdatetime(self):
        """The browser's Jalali arithmetic gives jdatetime's dates on every day of 1300-1500 AP."""
        years = [
            [year, jdatetime.date(year, 1, 1).togregorian().isoformat(), jdatetime.date(year, 1, 1).isleap()]
            for year in range(1300, 1501)
        ]
        rng = random.Random(16)
        first, last = date(1921, 3, 21).toordinal(), date(2122, 3, 20).toordinal()
        samples = []
        for _i in range(300):
            day = date.fromordinal(rng.randint(first, last))
            jalali = jdatetime.date.fromgregorian(date=day)
            samples.append([day.isoformat(), jalali.year, jalali.month, jalali.day])
        # Gregorian ISO date: (short, long) text, as in _persian().
        expected_formats = {
            iso: _persian(jdatetime.date.fromgregorian(date=date.fromisoformat(iso), locale="fa_IR"))
            for iso in ("2027-03-21", "2026-12-01", "2028-03-19", "2025-03-20", "2024-12-20")
        }
        self.assertEqual(
            expected_formats["2027-03-21"], [_persian_digits("1406/01/01"), _persian_digits("1 فروردین 1406")]
        )
        datetimes = {
            "typed": _persian_digits("1405/9/10 14:05"),
            "shown": _persian_digits("1405/09/10 14:05"),
        }
        data = {"years": years, "samples": samples, "formats": expected_formats, "datetimes": datetimes}
        code = JS_AGREEMENT_CHECK.replace("__DATA__", json.dumps(data))
        self.browser_js("/odoo", code, ready="odoo.isReady === true", login="as_agent")
