import calendar
from datetime import date, datetime, timedelta

import jdatetime
from dateutil.rrule import rrulestr

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain

from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import system_writes

OCCASION_KINDS = [
    ("fixed_date", "Fixed Date"),
    ("birthday", "Customer Birthday"),
    ("rrule", "Recurrence Rule"),
]
OCCASION_CHANNELS = [("email", "Email"), ("sms", "SMS"), ("both", "Email and SMS")]
MONTHS = [(str(number), calendar.month_name[number]) for number in range(1, 13)]
OCCASION_CALENDARS = [("gregorian", "Gregorian"), ("jalali", "Solar Hijri")]
# The Solar Hijri months, in the order of their numbers (1 = Farvardin): shown instead of the Gregorian
# names when an occasion follows the Solar Hijri calendar.
JALALI_MONTHS = [
    ("1", "Farvardin"),
    ("2", "Ordibehesht"),
    ("3", "Khordad"),
    ("4", "Tir"),
    ("5", "Mordad"),
    ("6", "Shahrivar"),
    ("7", "Mehr"),
    ("8", "Aban"),
    ("9", "Azar"),
    ("10", "Dey"),
    ("11", "Bahman"),
    ("12", "Esfand"),
]


def jalali_month_length(month, year=None):
    """Days in a Solar Hijri month; Esfand has 30 days in a leap year (any year when ``year`` is None)."""
    if month == 12 and (year is None or jdatetime.date(year, 1, 1).isleap()):
        return 30
    return jdatetime.j_days_in_month[month - 1]


def jalali_month_day(day):
    """The Solar Hijri (month, day) of a Gregorian date."""
    jalali = jdatetime.date.fromgregorian(date=day)
    return jalali.month, jalali.day


class AftersalesOccasion(models.Model):
    _name = "aftersales.occasion"
    _description = "Customer Occasion"
    _inherit = ["aftersales.guard.mixin", "mail.thread"]
    _order = "sequence, id"

    # What the last run did, as the greetings set it.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "last_run_date",
            "last_sent_count",
            "last_skipped_count",
        }

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(OCCASION_KINDS, required=True, default="fixed_date", tracking=True)
    calendar = fields.Selection(
        OCCASION_CALENDARS,
        required=True,
        default="gregorian",
        tracking=True,
        help="The calendar of a fixed date's month and day, and of the customers' birthdays:\n"
        "Solar Hijri greets on 1 Farvardin (Nowruz) or on a customer's Solar Hijri birthday every year.",
    )
    month = fields.Selection(
        MONTHS,
        help="Month of a fixed-date occasion in its calendar (1 = January, or Farvardin in Solar Hijri).",
    )
    jalali_month = fields.Selection(
        JALALI_MONTHS,
        "Solar Hijri Month",
        compute="_compute_jalali_month",
        inverse="_inverse_jalali_month",
        help="Month of a fixed-date occasion in the Solar Hijri calendar.",
    )
    day = fields.Integer(
        help="Day of the month of a fixed-date occasion (29 February falls on the 28th in other years,\n"
        "30 Esfand on the 29th)."
    )
    rrule = fields.Char(
        "Recurrence",
        help="RFC 5545 rule giving the date each year,\n"
        "e.g. FREQ=YEARLY;BYMONTH=11;BYDAY=4FR for Black Friday.",
    )
    days_before = fields.Integer(help="Greet this many days before the occasion.")
    channel = fields.Selection(OCCASION_CHANNELS, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template",
        "Email Template",
        domain="[('model', '=', 'aftersales.occasion.log')]",
        default=lambda self: self.env.ref(
            "aftersales_feedback.mail_template_occasion_greeting", raise_if_not_found=False
        ),
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        "SMS Template",
        domain="[('model', '=', 'aftersales.occasion.log')]",
        default=lambda self: self.env.ref(
            "aftersales_feedback.sms_template_occasion_greeting", raise_if_not_found=False
        ),
    )
    program_id = fields.Many2one(
        "loyalty.program",
        "Coupon",
        domain="[('program_type', '=', 'coupons')]",
        help="Optional coupon sent with the greeting.",
    )
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    log_ids = fields.One2many("aftersales.occasion.log", "occasion_id", string="Greetings")
    last_run_date = fields.Date("Last Run", readonly=True)
    last_sent_count = fields.Integer("Greeted at Last Run", readonly=True)
    last_skipped_count = fields.Integer(
        "Skipped at Last Run",
        readonly=True,
        help="Customers without a valid email or number, or who opted out.",
    )
    next_date = fields.Date("Next Occasion", compute="_compute_next_date")

    @api.constrains(
        "kind",
        "calendar",
        "month",
        "day",
        "rrule",
        "days_before",
        "channel",
        "mail_template_id",
        "sms_template_id",
    )
    def _check_definition(self):
        for occasion in self:
            if occasion.days_before < 0:
                raise ValidationError(
                    self.env._("%(name)s: days before cannot be negative.", name=occasion.name)
                )
            if occasion.kind == "fixed_date":
                if not occasion.month or not occasion.day:
                    raise ValidationError(
                        self.env._("%(name)s: choose the month and the day.", name=occasion.name)
                    )
                if occasion.calendar == "jalali":
                    # 30 Esfand is a valid occasion (leap years), 31 Esfand is not.
                    last_day = jalali_month_length(int(occasion.month))
                    month_field = "jalali_month"
                else:
                    # 2024 is a leap year: 29 February is a valid occasion, 30 February is not.
                    last_day = calendar.monthrange(2024, int(occasion.month))[1]
                    month_field = "month"
                if not 1 <= occasion.day <= last_day:
                    raise ValidationError(
                        self.env._(
                            "%(name)s: %(month)s has no day %(day)s.",
                            name=occasion.name,
                            month=dict(self._fields[month_field]._description_selection(self.env))[
                                occasion.month
                            ],
                            day=occasion.day,
                        )
                    )
            elif occasion.kind == "rrule":
                if not occasion.rrule:
                    raise ValidationError(
                        self.env._("%(name)s: write the recurrence rule.", name=occasion.name)
                    )
                try:
                    occasion._occurrence(2026)
                except (ValueError, TypeError) as error:
                    raise ValidationError(
                        self.env._(
                            "%(name)s: the recurrence rule %(rule)s is not valid (%(error)s).",
                            name=occasion.name,
                            rule=occasion.rrule,
                            error=error,
                        )
                    ) from None
            if occasion.channel in ("email", "both") and not occasion.mail_template_id:
                raise ValidationError(self.env._("%(name)s: choose the email template.", name=occasion.name))
            if occasion.channel in ("sms", "both") and not occasion.sms_template_id:
                raise ValidationError(self.env._("%(name)s: choose the SMS template.", name=occasion.name))

    @api.depends("month")
    def _compute_jalali_month(self):
        for occasion in self:
            occasion.jalali_month = occasion.month

    def _inverse_jalali_month(self):
        for occasion in self.filtered(lambda occasion: occasion.calendar == "jalali"):
            occasion.month = occasion.jalali_month

    def _aftersales_prepare_create(self, vals_list):
        for vals in vals_list:
            self._jalali_month_to_month(vals, vals.get("calendar") == "jalali")
        return super()._aftersales_prepare_create(vals_list)

    def _aftersales_prepare_write(self, vals):
        jalali = (
            vals["calendar"] == "jalali" if "calendar" in vals else set(self.mapped("calendar")) == {"jalali"}
        )
        self._jalali_month_to_month(vals, jalali)
        return super()._aftersales_prepare_write(vals)

    @api.model
    def _jalali_month_to_month(self, vals, jalali):
        """The Solar Hijri month chosen in the form is the month, before the constraints check it."""
        if vals.get("jalali_month") and jalali:
            vals["month"] = vals["jalali_month"]

    @api.onchange("jalali_month")
    def _onchange_jalali_month(self):
        if self.calendar == "jalali":
            self.month = self.jalali_month

    @api.onchange("calendar")
    def _onchange_calendar(self):
        # Month 7 is Mehr in one calendar and July in the other: the date is chosen again.
        if self.kind == "fixed_date" and self._origin.calendar and self.calendar != self._origin.calendar:
            self.month = self.jalali_month = False
            self.day = 0

    @api.depends("kind", "calendar", "month", "day", "rrule")
    def _compute_next_date(self):
        today = fields.Date.context_today(self)
        for occasion in self:
            if occasion.kind == "birthday":
                occasion.next_date = False
                continue
            this_year = occasion._occasion_year(today)
            try:
                upcoming = [occasion._occurrence(year) for year in (this_year, this_year + 1)]
            except (ValueError, TypeError):
                # A definition still being typed in the form (no month yet, 31 Esfand): the
                # constraints say what is wrong when it is saved.
                occasion.next_date = False
                continue
            occasion.next_date = next((day for day in upcoming if day and day >= today), False)

    def _occasion_year(self, day):
        """The year ``day`` falls in, in this occasion's calendar: a customer is greeted once per
        occasion and year of it (a Solar Hijri date can fall twice in one Gregorian year)."""
        self.ensure_one()
        if self.calendar == "jalali":
            return jdatetime.date.fromgregorian(date=day).year
        return day.year

    def _occurs_on(self, day):
        """Whether this occasion is on the Gregorian ``day`` (always for birthdays: the customers
        are chosen by their birthday)."""
        self.ensure_one()
        if self.kind == "birthday":
            return True
        return self._occurrence(self._occasion_year(day)) == day

    def _occurrence(self, year):
        """The Gregorian date of this occasion in ``year`` of its calendar (None when the rule gives
        none that year)."""
        self.ensure_one()
        if self.kind == "fixed_date" and not (self.month and self.day):
            return None
        if self.kind == "fixed_date" and self.calendar == "jalali":
            month = int(self.month)
            day = min(self.day, jalali_month_length(month, year))
            return jdatetime.date(year, month, day).togregorian()
        if self.kind == "fixed_date":
            month = int(self.month)
            return date(year, month, min(self.day, calendar.monthrange(year, month)[1]))
        if self.kind == "rrule":
            rule = rrulestr(self.rrule, dtstart=datetime(year, 1, 1))
            found = rule.after(datetime(year, 1, 1), inc=True)
            return found.date() if found and found.year == year else None
        return None

    # ------------------------------------------------------------------
    # The daily greetings
    # ------------------------------------------------------------------

    def action_send_now(self):
        """Greet today's customers of these occasions now, as the daily cron would, and say how it went.

        When customers were due but none of them can be reached (no valid email or number, or opted
        out), nothing is written and the user is told what to fix.
        """
        # The run greets every customer of the company (as superuser, like the cron): the managers'
        # button, as the form shows it.
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_manager"):
            raise AccessError(self.env._("Only after-sales managers send the occasions' greetings."))
        self.check_access("write")
        archived = self.filtered(lambda occasion: not occasion.active)
        if archived:
            raise UserError(
                self.env._("Occasion %(name)s is archived: restore it to send it.", name=archived[0].name)
            )
        results = self._send_greetings(batch_size=1000)
        for occasion, (sent, skipped) in results.items():
            if skipped and not sent:
                raise UserError(
                    self.env._(
                        "No greeting of %(name)s was sent: none of its %(count)s customers today has a "
                        "valid email address or mobile number, or they opted out. Add their contact "
                        "details, then send again.",
                        name=occasion.name,
                        count=skipped,
                    )
                )
        messages = []
        for occasion in self:
            if occasion not in results:
                messages.append(self.env._("%(name)s is not today: nobody was greeted.", name=occasion.name))
                continue
            sent, skipped = results[occasion]
            messages.append(
                self.env._(
                    "%(name)s: %(sent)s customers greeted, %(skipped)s skipped.",
                    name=occasion.name,
                    sent=sent,
                    skipped=skipped,
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if any(skipped for _sent, skipped in results.values()) else "info",
                "message": "\n".join(messages),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_send_occasion_greetings(self, batch_size=1000):
        """Greet each eligible customer once per occasion and year, on the occasion's day."""
        self.search([])._send_greetings(batch_size=batch_size)

    def _send_greetings(self, batch_size=1000):
        """Greet today's customers of each occasion whose day it is; {occasion: (sent, skipped)} of
        those that ran. Customers who cannot be reached are logged as skipped, never emailed, and
        the occasion's chatter says how many."""
        in_cron = bool(self.env.context.get("cron_id"))
        Log = self.env["aftersales.occasion.log"]
        results = {}
        for occasion in self:
            company = occasion.company_id or self.env.company
            today = fields.Date.context_today(self.with_context(tz=company.partner_id.tz or "UTC"))
            target = today + timedelta(days=occasion.days_before)
            if not occasion._occurs_on(target):
                continue
            year = occasion._occasion_year(target)
            sent = skipped = last_id = 0
            while True:
                partners, last_id = occasion._eligible_partners(target, after_id=last_id, limit=batch_size)
                if not last_id:
                    break
                if partners:
                    logs = Log._greet(occasion, partners, year)
                    sent += len(logs.filtered(lambda log: log.state == "sent"))
                    skipped += len(logs.filtered(lambda log: log.state == "skipped"))
                if in_cron and self.env["ir.cron"]._commit_progress(len(partners)) <= 0:
                    break
            with system_writes():
                occasion.write(
                    {"last_run_date": today, "last_sent_count": sent, "last_skipped_count": skipped}
                )
            if skipped:
                occasion.message_post(
                    body=self.env._(
                        "%(skipped)s customers were not greeted: no valid email address or mobile "
                        "number, or they opted out (see Greetings Sent); %(sent)s were greeted.",
                        skipped=skipped,
                        sent=sent,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            results[occasion] = (sent, skipped)
        return results

    def _eligible_partners(self, target, after_id=0, limit=None):
        """The next page (ids above ``after_id``) of customers of this occasion on ``target``, without
        those already greeted (or skipped) for it this year; returns them and the page's last id
        (0 when there is no page). Two indexed queries per page."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo()  # the cron greets every customer of the company
        # A customer is whoever bought (a confirmed order or a posted invoice), invoiced or not yet.
        domain = Domain("active", "=", True) & Domain("id", ">", after_id)
        domain &= Partner._aftersales_buyer_domain(self.company_id or None)
        if self.company_id:
            domain &= Domain("company_id", "in", [False, self.company_id.id])
        if self.kind == "birthday":
            domain &= self._birthday_domain(target)
        page = Partner.search_fetch(domain, ["birthday"], order="id", limit=limit)
        if not page:
            return Partner, 0
        last_id = page[-1].id
        if self.kind == "birthday" and self.calendar == "jalali":
            # The domain found every birthday that can be this Solar Hijri day in some year; keep those
            # that are, in the year each customer was born.
            wanted = self._jalali_birthdays(target)
            page = page.filtered(lambda partner: jalali_month_day(partner.birthday) in wanted)
        done = (
            self.env["aftersales.occasion.log"]
            .sudo()
            .search_fetch(
                [
                    ("occasion_id", "=", self.id),
                    ("year", "=", self._occasion_year(target)),
                    ("partner_id", "in", page.ids),
                ],
                ["partner_id"],
            )
        )
        return page - done.partner_id, last_id

    def _birthday_domain(self, target):
        """The customers born on a day that is ``target``'s birthday in this occasion's calendar."""
        self.ensure_one()
        if self.calendar == "jalali":
            # A Solar Hijri day falls on one of two or three Gregorian days depending on the year.
            pairs = set()
            for month, day in self._jalali_birthdays(target):
                for year in range(1279, jdatetime.date.fromgregorian(date=target).year + 1):  # 1900 onwards
                    if day <= jalali_month_length(month, year):
                        born = jdatetime.date(year, month, day).togregorian()
                        pairs.add((born.month, born.day))
        else:
            pairs = {(target.month, target.day)}
            if target.month == 2 and target.day == 28 and not calendar.isleap(target.year):
                pairs.add((2, 29))  # born on 29 February: greeted on the 28th in other years
        return Domain.OR(
            [("birthday.month_number", "=", month), ("birthday.day_of_month", "=", day)]
            for month, day in sorted(pairs)
        )

    @api.model
    def _jalali_birthdays(self, target):
        """The Solar Hijri (month, day) birthdays greeted on ``target``: born on 30 Esfand of a leap
        year, a customer is greeted on 29 Esfand in common years."""
        today = jdatetime.date.fromgregorian(date=target)
        wanted = {jalali_month_day(target)}
        if wanted == {(12, 29)} and not today.isleap():
            wanted.add((12, 30))
        return wanted

    @api.model
    def _demo_born_today(self, partner_ids, years):
        """Demo data: these customers turn ``years`` today in the Solar Hijri calendar."""
        today = jdatetime.date.fromgregorian(date=fields.Date.context_today(self))
        born = jdatetime.date(
            today.year - years, today.month, min(today.day, 29 if today.month == 12 else 31)
        )
        self.env["res.partner"].browse(partner_ids).birthday = born.togregorian()
