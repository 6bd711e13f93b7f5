"""Solar Hijri (Jalali) month and year groupings for the reports of a Persian user.

A Jalali month is not a union of Gregorian months, so Odoo's ``date:month`` grouping cannot give it:
the models offer Char fields whose values sort in calendar order (``1405-09 آذر``, ``1405``).

- Real tables (claims, visits) store them, computed in Python with jdatetime in the company's zone.
- SQL views (the reports) compute them in SQL with ``aftersales_jalali_month(date)`` and
  ``aftersales_jalali_year(date)``, in the reading user's zone (as Odoo's own ``date:month``), through
  ``aftersales.jalali.report.mixin``: no column is added to the views' queries.

The SQL functions port jdatetime's ``jalali_core`` (FarsiWeb's 33-year cycles), like the web client's
``core/jalali.js``: the browser, Python and PostgreSQL agree on every day.
"""

import jdatetime
import pytz

from odoo import models
from odoo.tools import SQL

# Calendar data of the Persian locale, as the web client's JALALI_MONTH_NAMES.
JALALI_MONTH_NAMES = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)

_SQL_MONTH_NAMES = ", ".join(f"'{name}'" for name in JALALI_MONTH_NAMES)

# Immutable (a pure function of the date), so usable in indexes and by the planner. Created by
# aftersales_warranty (install, update, migration); used by the report views of aftersales_feedback.
JALALI_SQL_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION aftersales_jalali_ymd(gdate date) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
-- [year, month, day] of the Solar Hijri date of a Gregorian date (jdatetime's algorithm).
DECLARE
    month_days integer[] := ARRAY[31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 29];
    day_no integer := gdate - DATE '1600-03-20';  -- 1 Farvardin 979
    cycles integer;
    jy integer;
    jm integer := 12;
BEGIN
    cycles := floor(day_no / 12053.0);
    day_no := day_no - 12053 * cycles;
    jy := 979 + 33 * cycles + 4 * (day_no / 1461);
    day_no := day_no % 1461;
    IF day_no >= 366 THEN
        day_no := day_no - 1;
        jy := jy + day_no / 365;
        day_no := day_no % 365;
    END IF;
    FOR i IN 1..11 LOOP
        IF day_no < month_days[i] THEN
            jm := i;
            EXIT;
        END IF;
        day_no := day_no - month_days[i];
    END LOOP;
    RETURN ARRAY[jy, jm, day_no + 1];
END;
$$;

CREATE OR REPLACE FUNCTION aftersales_jalali_month(gdate date) RETURNS varchar
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    -- e.g. '1405-09 آذر': sorts in calendar order, reads as the month
    SELECT lpad(j.ymd[1]::text, 4, '0') || '-' || lpad(j.ymd[2]::text, 2, '0') || ' '
           || (ARRAY[{_SQL_MONTH_NAMES}])[j.ymd[2]]
      FROM (SELECT aftersales_jalali_ymd(gdate) AS ymd) j
$$;

CREATE OR REPLACE FUNCTION aftersales_jalali_year(gdate date) RETURNS varchar
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT lpad((aftersales_jalali_ymd(gdate))[1]::text, 4, '0')
$$;
"""


def create_jalali_sql_functions(cr):
    """Create (or replace) the SQL functions of the Solar Hijri groupings."""
    cr.execute(JALALI_SQL_FUNCTIONS)


def jalali_month_value(day):
    """The Solar Hijri month grouping of a Gregorian ``day``: ``1405-09 آذر`` (False for none)."""
    if not day:
        return False
    jalali = jdatetime.date.fromgregorian(date=day)
    return f"{jalali.year:04d}-{jalali.month:02d} {JALALI_MONTH_NAMES[jalali.month - 1]}"


def jalali_company_tz(company):
    """The zone a company's months are counted in: its own (its contact's, as the service levels'
    seasons and the warranties' dates are), else UTC."""
    tz = company.partner_id.tz
    return tz if tz in pytz.all_timezones_set else "UTC"


def jalali_company_day(moment, company):
    """The day of a stored (UTC) datetime in the company's zone (False for none)."""
    if not moment:
        return False
    zone = pytz.timezone(jalali_company_tz(company))
    return pytz.utc.localize(moment).astimezone(zone).date()


def jalali_year_value(day):
    """The Solar Hijri year grouping of a Gregorian ``day``: ``1405`` (False for none)."""
    if not day:
        return False
    return f"{jdatetime.date.fromgregorian(date=day).year:04d}"


class AftersalesJalaliMixin(models.AbstractModel):
    """Creates the SQL functions of the Solar Hijri groupings (on install and update)."""

    _name = "aftersales.jalali.mixin"
    _description = "Solar Hijri Groupings"

    def init(self):
        res = super().init()
        if self._name == "aftersales.jalali.mixin":
            create_jalali_sql_functions(self.env.cr)
        return res


class AftersalesJalaliReportMixin(models.AbstractModel):
    """Solar Hijri groupings of an SQL view: the fields named in ``_jalali_groupings`` are computed in
    SQL from a date or datetime field of the view, in the reading user's zone."""

    _name = "aftersales.jalali.report.mixin"
    _description = "Solar Hijri Groupings of a Report"

    # {field name: (name of the view's date or datetime field, "month" or "year")}
    _jalali_groupings = {}

    def _field_to_sql(self, alias, field_expr, query=None):
        grouping = self._jalali_groupings.get(field_expr)
        if not grouping:
            return super()._field_to_sql(alias, field_expr, query)
        source, unit = grouping
        self._check_field_access(self._fields[field_expr], "read")
        value = super()._field_to_sql(alias, source, query)
        if self._fields[source].type == "datetime":
            tz = self.env.context.get("tz") or self.env.user.tz
            tz = tz if tz in pytz.all_timezones_set else "UTC"
            value = SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)", value, tz)
        function = "aftersales_jalali_month" if unit == "month" else "aftersales_jalali_year"
        return SQL("%s((%s)::date)", SQL.identifier(function), value)
