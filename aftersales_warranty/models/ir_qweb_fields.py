"""Dates as the reader reads them: Solar Hijri with Persian digits for a Persian reader, the
language's usual format for everybody else.

One formatter, ``format_aftersales_date``, serves every place the addons show a date to a person:
QWeb (``t-options="{'widget': 'aftersales_date'}"``), mail and SMS templates
(``format_aftersales_date(...)`` in their render context) and Python (import it from here).
"""

from datetime import datetime

import jdatetime
import pytz

from odoo import api, fields, models
from odoo.tools.misc import format_date, format_datetime, get_lang

# Extended Arabic-Indic digits, U+06F0 to U+06F9, as Persian writes them.
PERSIAN_DIGITS = str.maketrans("0123456789", "".join(chr(0x06F0 + digit) for digit in range(10)))
# Persian (fa) writes the month names below; jdatetime's own list, checked against it by the tests.
PERSIAN_MONTHS = tuple(jdatetime.date.j_months_fa)
# The named formats: "long" (15 Esfand 1406), "short" (1406/12/15), "datetime" (long and hh:mm).
DATE_FORMATS = ("long", "short", "datetime")


def is_persian(lang_code):
    """Whether ``lang_code`` (``fa_IR``, ``fa``, ...) is a Persian language."""
    return bool(lang_code) and lang_code.replace("-", "_").split("_")[0].lower() == "fa"


def _zone(env, tz=None):
    """The time zone ``tz`` names (if it is one), else the context's, then the user's (UTC
    without either)."""
    if tz and tz in pytz.all_timezones_set:
        return pytz.timezone(tz)
    return env.tz


def format_jalali(value, date_format="long"):
    """A date, or a local datetime, in the Solar Hijri calendar with Persian digits."""
    day = value.date() if isinstance(value, datetime) else value
    jalali = jdatetime.date.fromgregorian(date=day)
    if date_format == "short":
        text = f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}"
    else:
        text = f"{jalali.day} {PERSIAN_MONTHS[jalali.month - 1]} {jalali.year}"
        if date_format == "datetime" and isinstance(value, datetime):
            text = f"{text}\u060c {value.hour:02d}:{value.minute:02d}"  # Arabic comma
    return text.translate(PERSIAN_DIGITS)


def format_aftersales_date(env, value, lang_code=None, date_format="long", tz=None):
    """``value`` (a date, a datetime in UTC as Odoo stores it, or their string form) as the reader
    of language ``lang_code`` (default: the context's language) reads it.

    * Persian (``fa*``): the Solar Hijri date, Persian month names and digits: ``long`` ->
      "15 Esfand 1406", ``short`` -> "1406/12/15", ``datetime`` -> "15 Esfand 1406, 14:30" (the
      Persian comma), all written in Persian.
    * Any other language: what Odoo's ``format_date`` shows in the language's usual date format
      (``long`` and ``short``), or Odoo's ``format_datetime`` without seconds (``datetime``); any
      other ``date_format`` is an LDML pattern for ``format_date``.

    A datetime is first moved to the time zone ``tz`` (default: the context's, then the user's),
    as Odoo's own formatting does. An empty value gives an empty string.
    """
    if not value:
        return ""
    if isinstance(value, str):
        value = fields.Datetime.to_datetime(value) if len(value) > 10 else fields.Date.to_date(value)
    zone = _zone(env, tz)
    local = value
    if isinstance(value, datetime):
        if value.tzinfo:
            value = value.astimezone(pytz.utc).replace(tzinfo=None)
        local = pytz.utc.localize(value).astimezone(zone)
    code = lang_code or get_lang(env).code
    if is_persian(code):
        return format_jalali(local, date_format if date_format in DATE_FORMATS else "long")
    if date_format == "datetime" and isinstance(local, datetime):
        return format_datetime(env, value, tz=zone.zone, dt_format="short", lang_code=code)
    day = local.date() if isinstance(local, datetime) else local
    pattern = False if date_format in DATE_FORMATS else date_format
    return format_date(env, day, lang_code=code, date_format=pattern)


class IrQwebFieldAftersalesDate(models.AbstractModel):
    """``t-options="{'widget': 'aftersales_date'}"`` on a date or datetime (``t-field`` or
    ``t-out``): the date in the rendering language (the report's ``t-lang``, the page's language),
    through ``format_aftersales_date``. Options: ``date_format`` (long, short, datetime), ``lang``,
    ``tz_name``."""

    _name = "ir.qweb.field.aftersales_date"
    _description = "QWeb Field After-Sales Date"
    _inherit = ["ir.qweb.field.date"]

    @api.model
    def value_to_html(self, value, options):
        return format_aftersales_date(
            self.env,
            value,
            lang_code=options.get("lang") or None,
            date_format=options.get("date_format") or options.get("format") or "long",
            tz=options.get("tz_name") or None,
        )
