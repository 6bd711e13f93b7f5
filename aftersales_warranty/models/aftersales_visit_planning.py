"""Planning a visit: the technician's agenda and working hours, double bookings, the earliest
free slot, the calendar events kept in sync."""

from datetime import timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .aftersales_visit import DEFAULT_VISIT_HOURS, SLOT_SEARCH_DAYS
from .ir_qweb_fields import format_aftersales_date


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"

    @api.constrains("technician_id")
    def _check_technician_is_staff(self):
        """A technician is one of the company's staff: a portal user would read the customer's name
        and address in the visit's calendar event."""
        for visit in self.filtered("technician_id"):
            if visit.technician_id.sudo().share:
                raise ValidationError(
                    self.env._(
                        "%(user)s is a portal user and cannot be the technician of visit %(name)s: choose "
                        "one of the company's staff.",
                        user=visit.technician_id.sudo().name,
                        name=visit.name,
                    )
                )

    @api.constrains("technician_id", "date_start", "date_end", "state")
    def _check_planning(self):
        """A scheduled visit: a technician and dates, not twice at the same time, inside the
        technician's working hours, within the company's maximum visits per day."""
        scheduled = self.filtered(lambda v: v.state == "scheduled")
        for visit in self.filtered(lambda v: v.date_start and v.date_end):
            if visit.date_end <= visit.date_start:
                raise ValidationError(self.env._("Visit %(name)s must end after it starts.", name=visit.name))
        if not scheduled:
            return
        # Two planners booking one technician at the same moment: one at a time, the second on the
        # agenda the first left (see _aftersales_serialize_on).
        self._aftersales_serialize_on(scheduled.technician_id)
        for visit in scheduled:
            if not (visit.technician_id and visit.date_start and visit.date_end):
                raise ValidationError(
                    self.env._(
                        "Visit %(name)s needs a technician, a start and an end to be scheduled.",
                        name=visit.name,
                    )
                )
        others = self._busy_visits(
            scheduled.technician_id,
            min(scheduled.mapped("date_start")) - timedelta(days=1),
            max(scheduled.mapped("date_end")) + timedelta(days=1),
        )
        for visit in scheduled:
            clash = others.filtered(
                lambda o, v=visit: (
                    o != v
                    and o.technician_id == v.technician_id
                    and o.date_start < v.date_end
                    and o.date_end > v.date_start
                )
            )[:1]
            if clash:
                raise ValidationError(
                    self.env._(
                        "%(technician)s already has visit %(other)s from %(start)s to %(end)s: "
                        "choose another time or another technician for visit %(name)s.",
                        technician=visit.technician_id.name,
                        other=clash.name,
                        start=self._format_local(clash.date_start, clash.company_id),
                        end=self._format_local(clash.date_end, clash.company_id),
                        name=visit.name,
                    )
                )
            if not visit._within_working_hours():
                raise ValidationError(
                    self.env._(
                        "Visit %(name)s (%(start)s to %(end)s) is outside %(technician)s's working hours.",
                        name=visit.name,
                        start=self._format_local(visit.date_start, visit.company_id),
                        end=self._format_local(visit.date_end, visit.company_id),
                        technician=visit.technician_id.name,
                    )
                )
            maximum = visit.company_id.aftersales_visit_max_per_day
            if maximum > 0:
                day = visit._local_day(visit.date_start)
                same_day = others.filtered(
                    lambda o, v=visit, d=day: (
                        o != v and o.technician_id == v.technician_id and o._local_day(o.date_start) == d
                    )
                )
                if len(same_day) + 1 > maximum:
                    raise ValidationError(
                        self.env._(
                            "%(technician)s already has %(count)s visits on %(day)s, the most the "
                            "company plans per technician and day.",
                            technician=visit.technician_id.name,
                            count=len(same_day),
                            day=self._format_local(visit.date_start, visit.company_id, "long"),
                        )
                    )

    def _prepare_event_vals(self):
        self.ensure_one()
        return {
            "name": self.env._(
                "%(kind)s visit %(name)s: %(customer)s",
                kind=dict(self._fields["kind"]._description_selection(self.env))[self.kind],
                name=self.name,
                customer=self.partner_id.display_name,
            ),
            "start": self.date_start,
            "stop": self.date_end,
            "user_id": self.technician_id.id,
            "partner_ids": [Command.set(self.technician_id.partner_id.ids)],
            "location": self.address_id._display_address(without_company=False).replace("\n", ", ")
            if self.address_id
            else False,
            "aftersales_visit_id": self.id,
            "privacy": "public",
            "show_as": "busy",
        }

    def _sync_calendar_events(self):
        """The technician's calendar shows each scheduled visit, at its time (the system writes it:
        an agent does not own the technician's calendar)."""
        Event = (
            self.env["calendar.event"]
            .sudo()
            .with_context(
                no_mail_to_attendees=True, dont_notify=True, mail_notrack=True, mail_create_nolog=True
            )
        )
        new = self.filtered(lambda visit: not visit.calendar_event_id)
        for visit in self - new:
            Event.browse(visit.calendar_event_id.id).write(visit._prepare_event_vals())
        events = Event.create([visit._prepare_event_vals() for visit in new])
        for visit, event in zip(new, events, strict=True):
            visit._system_write({"calendar_event_id": event.id})

    def _follow_event(self, event, start, stop):
        """The technician moved the visit's event in the calendar: the visit follows, with the
        planning's checks (a refused time refuses the move)."""
        visits = self.filtered(lambda v: v.state in ("draft", "scheduled"))
        if self - visits:
            raise UserError(
                self.env._(
                    "Visit %(name)s is %(state)s: its calendar event cannot move.",
                    name=(self - visits)[0].name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        (self - visits)[0].state
                    ],
                )
            )
        visits.check_access("write")
        vals = {}
        if start:
            vals["date_start"] = start
        if stop:
            vals["date_end"] = stop
        if vals:
            # The technician's own move of the event, checked above and by the planning's rules.
            visits._system_write(vals)

    @api.model
    def _busy_visits(self, technicians, date_from, date_to):
        """Scheduled visits of ``technicians`` that overlap [date_from, date_to], as the system:
        a technician's agenda is checked whoever plans it, their visits for another company too."""
        return self.sudo().search(
            [
                ("technician_id", "in", technicians.ids),
                ("state", "=", "scheduled"),
                ("date_start", "<", date_to),
                ("date_end", ">", date_from),
            ]
        )

    def _technician_calendar(self):
        self.ensure_one()
        user = self.technician_id.sudo()
        return (
            user.resource_calendar_id or self.company_id.resource_calendar_id,
            user.resource_ids.filtered(lambda r: r.company_id in (self.company_id, self.env["res.company"]))[
                :1
            ],
        )

    @api.model
    def _work_intervals(self, calendar, resource, date_from, date_to):
        """Working intervals of ``resource`` on ``calendar`` (UTC naive pairs)."""
        start = pytz.utc.localize(date_from)
        end = pytz.utc.localize(date_to)
        intervals = calendar._work_intervals_batch(start, end, resources=resource or None)[resource.id]
        return [
            (a.astimezone(pytz.utc).replace(tzinfo=None), b.astimezone(pytz.utc).replace(tzinfo=None))
            for a, b, _meta in intervals
        ]

    def _within_working_hours(self):
        self.ensure_one()
        calendar, resource = self._technician_calendar()
        if not calendar:
            return True
        covered = sum(
            (b - a).total_seconds()
            for a, b in self._work_intervals(calendar, resource, self.date_start, self.date_end)
        )
        return covered >= (self.date_end - self.date_start).total_seconds() - 60

    def _local_day(self, value):
        tz = pytz.timezone(self.company_id.partner_id.tz or self.env.user.tz or "UTC")
        return pytz.utc.localize(value).astimezone(tz).date()

    @api.model
    def _format_local(self, value, company, date_format="datetime"):
        return format_aftersales_date(self.env, value, date_format=date_format, tz=company.partner_id.tz)

    @api.model
    def _technicians(self, company):
        group = self.env.ref("aftersales_warranty.group_aftersales_technician", raise_if_not_found=False)
        if not group:
            return self.env["res.users"]
        return group.sudo().all_user_ids.filtered(lambda u: not u.share and company in u.company_ids)

    @api.model
    def _earliest_free_slot(self, company, hours=DEFAULT_VISIT_HOURS, after=None, technicians=None):
        """The earliest (technician, start, end) when a technician of ``company`` is free for
        ``hours`` inside their working hours, within the daily maximum; (users(), False, False)
        when none is free in the next weeks."""
        technicians = technicians if technicians is not None else self._technicians(company)
        now = (after or fields.Datetime.now()).replace(second=0, microsecond=0)
        # Whole quarters of an hour, as people book.
        now += timedelta(minutes=(-now.minute) % 15)
        horizon = now + timedelta(days=SLOT_SEARCH_DAYS)
        length = timedelta(hours=hours)
        busy = self._busy_visits(technicians, now, horizon)
        maximum = company.aftersales_visit_max_per_day
        best = (self.env["res.users"], False, False)
        for technician in technicians:
            probe = self.new({"technician_id": technician.id, "company_id": company.id})
            calendar, resource = probe._technician_calendar()
            if not calendar:
                continue
            mine = busy.filtered(lambda v, t=technician: v.technician_id == t)
            per_day = {}
            for visit in mine:
                day = probe._local_day(visit.date_start)
                per_day[day] = per_day.get(day, 0) + 1
            for start, stop in self._work_intervals(calendar, resource, now, horizon):
                if best[1] and start >= best[1]:
                    break
                candidate = start
                while candidate + length <= stop:
                    if maximum > 0 and per_day.get(probe._local_day(candidate), 0) >= maximum:
                        break
                    clash = mine.filtered(lambda v, s=candidate: v.date_start < s + length and v.date_end > s)
                    if not clash:
                        if not best[1] or candidate < best[1]:
                            best = (technician, candidate, candidate + length)
                        break
                    candidate = max(clash.mapped("date_end"))
                if best[0] == technician:
                    break
        return best
