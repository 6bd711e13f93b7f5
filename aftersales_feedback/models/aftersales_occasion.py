import calendar
from datetime import date, datetime, timedelta

import phonenumbers
from dateutil.rrule import rrulestr

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import system_writes

OCCASION_KINDS = [
    ("fixed_date", "Fixed Date"),
    ("birthday", "Customer Birthday"),
    ("rrule", "Recurrence Rule"),
]
OCCASION_CHANNELS = [("email", "Email"), ("sms", "SMS"), ("both", "Email and SMS")]
MONTHS = [(str(number), calendar.month_name[number]) for number in range(1, 13)]


class AftersalesOccasion(models.Model):
    _name = "aftersales.occasion"
    _description = "Customer Occasion"
    _inherit = ["aftersales.guard.mixin", "mail.thread"]
    _order = "sequence, id"
    # What the last run did, as the greetings set it.
    _aftersales_protected_fields = ("last_run_date", "last_sent_count", "last_skipped_count")

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(OCCASION_KINDS, required=True, default="fixed_date", tracking=True)
    month = fields.Selection(MONTHS, help="Month of a fixed-date occasion.")
    day = fields.Integer(
        help="Day of the month of a fixed-date occasion (29 February falls on the 28th in other years)."
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
        "kind", "month", "day", "rrule", "days_before", "channel", "mail_template_id", "sms_template_id"
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
                # 2024 is a leap year: 29 February is a valid occasion, 30 February is not.
                last_day = calendar.monthrange(2024, int(occasion.month))[1]
                if not 1 <= occasion.day <= last_day:
                    raise ValidationError(
                        self.env._(
                            "%(name)s: %(month)s has no day %(day)s.",
                            name=occasion.name,
                            month=dict(self._fields["month"]._description_selection(self.env))[
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

    def _compute_next_date(self):
        today = fields.Date.context_today(self)
        for occasion in self:
            if occasion.kind == "birthday":
                occasion.next_date = False
                continue
            upcoming = [occasion._occurrence(year) for year in (today.year, today.year + 1)]
            occasion.next_date = next((day for day in upcoming if day and day >= today), False)

    def _occurrence(self, year):
        """The date of this occasion in ``year`` (None when the rule gives none that year)."""
        self.ensure_one()
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
            if occasion.kind != "birthday" and occasion._occurrence(target.year) != target:
                continue
            sent = skipped = last_id = 0
            while True:
                partners, last_id = occasion._eligible_partners(target, after_id=last_id, limit=batch_size)
                if not last_id:
                    break
                if partners:
                    logs = Log._greet(occasion, partners, target.year)
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
        domain = [("customer_rank", ">", 0), ("active", "=", True), ("id", ">", after_id)]
        if self.company_id:
            domain.append(("company_id", "in", [False, self.company_id.id]))
        Partner.flush_model(["birthday"])
        query = Partner._search(domain, order="id", limit=limit)
        if self.kind == "birthday":
            days = [target.day]
            if target.month == 2 and target.day == 28 and not calendar.isleap(target.year):
                days.append(29)  # born on 29 February: greeted on the 28th in other years
            birthday = SQL.identifier(Partner._table, "birthday")
            query.add_where(
                SQL(
                    "EXTRACT(MONTH FROM %s) = %s AND EXTRACT(DAY FROM %s) IN %s",
                    birthday,
                    target.month,
                    birthday,
                    tuple(days),
                )
            )
        page = list(query)
        if not page:
            return Partner, 0
        self.env["aftersales.occasion.log"].flush_model(["occasion_id", "partner_id", "year"])
        self.env.cr.execute(
            SQL(
                "SELECT partner_id FROM aftersales_occasion_log"
                " WHERE occasion_id = %s AND year = %s AND partner_id = ANY(%s)",
                self.id,
                target.year,
                page,
            )
        )
        done = {partner_id for (partner_id,) in self.env.cr.fetchall()}
        return Partner.browse([partner_id for partner_id in page if partner_id not in done]), page[-1]

    @api.model
    def _sms_number(self, partner):
        """The partner's number in E.164 when phonenumbers says it is valid, else False."""
        if not partner.phone:
            return False
        country = partner.country_id or partner.company_id.country_id or self.env.company.country_id
        try:
            parsed = phonenumbers.parse(partner.phone, country.code if country else None)
        except phonenumbers.NumberParseException:
            return False
        if not phonenumbers.is_valid_number(parsed):
            return False
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
