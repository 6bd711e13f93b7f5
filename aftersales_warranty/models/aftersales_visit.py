from datetime import timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import LockError, UserError, ValidationError
from odoo.tools import SQL

from .aftersales_guard_mixin import check_internal_read
from .ir_qweb_fields import PERSIAN_DIGITS, format_aftersales_date, is_persian

VISIT_KINDS = [
    ("install", "Installation"),
    ("repair", "Repair"),
    ("maintenance", "Maintenance"),
    ("training", "Training"),
]
VISIT_STATES = [
    ("draft", "Draft"),
    ("scheduled", "Scheduled"),
    ("done", "Done"),
    ("no_show", "No-Show"),
    ("cancelled", "Cancelled"),
]
# How far ahead the earliest free slot is looked for.
SLOT_SEARCH_DAYS = 21
# The visit's length when nothing else says: two hours.
DEFAULT_VISIT_HOURS = 2.0


class AftersalesVisit(models.Model):
    _name = "aftersales.visit"
    _description = "Service Visit"
    _inherit = ["aftersales.guard.mixin", "portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    # Derived by the system or set by the workflow's actions: users cannot write them.
    _aftersales_protected_fields = (
        "name",
        "state",
        "calendar_event_id",
        "repair_order_id",
        "reminder_sent",
        "customer_confirmed",
        "reschedule_requested",
        "first_time_fix",
        "date_done",
    )
    # One maintenance visit per warranty and period: the cron may run twice, the visit exists once.
    _maintenance_unique = models.UniqueIndex(
        "(warranty_id, maintenance_due_date) WHERE kind = 'maintenance' AND maintenance_due_date IS NOT NULL"
    )
    # The reminder cron's search: scheduled visits not reminded yet.
    _reminder_pending_index = models.Index("(date_start) WHERE state = 'scheduled' AND NOT reminder_sent")

    name = fields.Char(
        "Reference",
        required=True,
        copy=False,
        readonly=True,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    kind = fields.Selection(VISIT_KINDS, required=True, default="repair", tracking=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, tracking=True)
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        store=True,
        precompute=True,
        index=True,
        string="Commercial Entity",
    )
    address_id = fields.Many2one(
        "res.partner",
        string="Visit Address",
        compute="_compute_address_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Where the technician goes: the customer's delivery address.",
    )
    phone = fields.Char(related="address_id.phone", string="Phone at the Address")
    claim_id = fields.Many2one("aftersales.claim", index="btree_not_null", check_company=True, tracking=True)
    claim_description = fields.Html(related="claim_id.description", string="Problem")
    lot_id = fields.Many2one("stock.lot", string="Serial Number", index="btree_not_null", check_company=True)
    product_id = fields.Many2one("product.product", check_company=True)
    warranty_id = fields.Many2one("aftersales.warranty", index="btree_not_null", check_company=True)
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", index="btree_not_null", check_company=True, readonly=True
    )
    technician_id = fields.Many2one(
        "res.users",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    date_start = fields.Datetime("Start", tracking=True, index=True)
    date_end = fields.Datetime("End", tracking=True)
    duration = fields.Float("Duration (hours)", compute="_compute_duration")
    time_window = fields.Char(
        compute="_compute_time_window", help="The visit's hours in the company's time zone, e.g. 10:00-12:00."
    )
    state = fields.Selection(
        VISIT_STATES,
        default="draft",
        required=True,
        copy=False,
        readonly=True,
        tracking=True,
        index=True,
        group_expand="_expand_states",
    )
    calendar_event_id = fields.Many2one("calendar.event", copy=False, readonly=True, index="btree_not_null")
    report = fields.Html("Work Done")
    photo_ids = fields.Many2many("ir.attachment", string="Photos", copy=False)
    signature = fields.Binary("Customer's Signature", copy=False, attachment=True)
    signed_by = fields.Char(copy=False, help="The name of the person who signed.")
    no_signature_reason = fields.Char(
        "Reason Without Signature", copy=False, help="Why the customer did not sign (required then)."
    )
    unit_fixed = fields.Boolean(
        copy=False, help="A repair visit that fixed the unit resolves its claim when done."
    )
    repair_order_id = fields.Many2one("repair.order", copy=False, readonly=True, check_company=True)
    date_done = fields.Datetime("Done On", copy=False, readonly=True)
    maintenance_due_date = fields.Date(
        copy=False, readonly=True, help="The maintenance period this visit serves."
    )
    reminder_sent = fields.Boolean(copy=False, readonly=True)
    customer_confirmed = fields.Boolean(copy=False, readonly=True, tracking=True)
    reschedule_requested = fields.Boolean("Another Time Asked", copy=False, readonly=True, tracking=True)
    first_time_fix = fields.Boolean(
        "Fixed at First Visit",
        copy=False,
        readonly=True,
        help="A repair visit that resolved its claim, the claim's first visit done.",
    )
    lead_time_hours = fields.Float(
        "Lead Time (hours, median)",
        compute="_compute_lead_time_hours",
        store=True,
        aggregator="median",
        help="From the claim's report to the visit's start, for the planned visits of claims.",
    )
    visit_count = fields.Integer("Visits", compute="_compute_visit_count", aggregator="sum")
    no_show_count = fields.Integer("No-Shows", compute="_compute_visit_count", aggregator="sum")
    color = fields.Integer(compute="_compute_color")

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

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

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("partner_id")
    def _compute_address_id(self):
        for visit in self:
            if visit.partner_id and (
                not visit.address_id
                or visit.address_id.commercial_partner_id != visit.partner_id.commercial_partner_id
            ):
                visit.address_id = visit.partner_id.address_get(["delivery"])["delivery"]
            elif not visit.partner_id:
                visit.address_id = False

    @api.depends("date_start", "date_end")
    def _compute_duration(self):
        for visit in self:
            if visit.date_start and visit.date_end:
                visit.duration = (visit.date_end - visit.date_start).total_seconds() / 3600
            else:
                visit.duration = 0.0

    @api.depends("date_start", "date_end", "partner_id.lang")
    @api.depends_context("lang")
    def _compute_time_window(self):
        for visit in self:
            visit.time_window = visit._time_window_text()

    @api.depends("claim_id.date_reported", "date_start", "state")
    def _compute_lead_time_hours(self):
        for visit in self:
            reported = visit.claim_id.date_reported
            if reported and visit.date_start and visit.state not in ("draft", "cancelled"):
                visit.lead_time_hours = max((visit.date_start - reported).total_seconds() / 3600, 0.0)
            else:
                # Empty (NULL), not zero: visits without a claim or a booking are not in the median.
                visit.lead_time_hours = False

    def _compute_visit_count(self):
        for visit in self:
            visit.visit_count = 1
            visit.no_show_count = int(visit.state == "no_show")

    @api.depends("kind")
    def _compute_color(self):
        colors = {"install": 4, "repair": 1, "maintenance": 10, "training": 3}
        for visit in self:
            visit.color = colors.get(visit.kind, 0)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for visit in self:
            visit.access_url = f"/my/visits/{visit.id}"
        return res

    def _expand_states(self, states, domain):
        return [key for key, _label in VISIT_STATES]

    @api.onchange("claim_id")
    def _onchange_claim_id(self):
        if self.claim_id:
            self.update(self._prepare_claim_vals(self.claim_id))

    @api.onchange("date_start")
    def _onchange_date_start(self):
        if self.date_start and (not self.date_end or self.date_end <= self.date_start):
            self.date_end = self.date_start + timedelta(hours=DEFAULT_VISIT_HOURS)

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id:
            self.product_id = self.lot_id.product_id
            self.warranty_id = self.lot_id.warranty_id or self.lot_id.warranty_ids[:1]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _prepare_claim_vals(self, claim):
        """Customer, unit and warranty a claim brings to its visit."""
        return {
            "partner_id": claim.partner_id.id,
            "lot_id": claim.lot_id.id,
            "product_id": claim.product_id.id,
            "warranty_id": claim.warranty_id.id,
            "company_id": claim.company_id.id,
        }

    @api.model
    def _aftersales_prepare_create(self, vals_list):
        vals_list = super()._aftersales_prepare_create(vals_list)
        Claim = self.env["aftersales.claim"].sudo()
        # One look-up of the sequence for the whole batch (next_by_code searches it every time).
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [("code", "=", "aftersales.visit"), ("company_id", "in", [self.env.company.id, False])],
                order="company_id",
                limit=1,
            )
        )
        names = self._aftersales_next_names(sequence, len(vals_list))
        for vals, name in zip(vals_list, names, strict=True):
            if vals.get("claim_id"):
                claim_vals = self._prepare_claim_vals(Claim.browse(vals["claim_id"]))
                for key, value in claim_vals.items():
                    if value and not vals.get(key):
                        vals[key] = value
            if vals.get("date_start") and not vals.get("date_end"):
                vals["date_end"] = fields.Datetime.to_datetime(vals["date_start"]) + timedelta(
                    hours=DEFAULT_VISIT_HOURS
                )
            vals["name"] = name
        return vals_list

    def _aftersales_next_names(self, sequence, count):
        """``count`` references of ``sequence``: a standard sequence without date ranges gives them
        all in one statement (``ir.sequence._next`` takes one number per statement), others one by
        one as Odoo draws them."""
        if not sequence:
            return [self.env._("New")] * count
        if sequence.implementation != "standard" or sequence.use_date_range or count < 2:
            return [sequence._next() for _index in range(count)]
        # The PostgreSQL sequence Odoo creates for a standard ir.sequence, read as _next_do reads it.
        self.env.cr.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)", [f"ir_sequence_{sequence.id:03d}", count]
        )
        return [sequence.get_next_char(number) for (number,) in self.env.cr.fetchall()]

    def write(self, vals):
        if self.env.user.share is False and not self.env.su:
            done = self.filtered(lambda v: v.state in ("done", "cancelled"))
            locked = {"technician_id", "date_start", "date_end", "partner_id", "kind", "signature"} & set(
                vals
            )
            if done and locked and not self._aftersales_may_write_protected(False):
                raise UserError(
                    self.env._(
                        "Visit %(name)s is %(state)s: it cannot be changed any more.",
                        name=done[0].name,
                        state=dict(self._fields["state"]._description_selection(self.env))[done[0].state],
                    )
                )
        res = super().write(vals)
        if {"technician_id", "date_start", "date_end", "partner_id", "kind"} & set(vals):
            self.filtered(lambda v: v.state == "scheduled")._sync_calendar_events()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_planned(self):
        planned = self.filtered(lambda v: v.state != "draft")
        if planned:
            raise UserError(
                self.env._(
                    "Visit %(name)s is no longer a draft and cannot be deleted: cancel it instead.",
                    name=planned[0].name,
                )
            )

    # ------------------------------------------------------------------
    # Transitions
    # ------------------------------------------------------------------

    def _lock_for_change(self):
        """Hold these visits' rows until the transaction ends, or refuse at once when another
        transaction holds them (two people acting on one visit: the second reloads)."""
        try:
            self.lock_for_update(allow_referencing=True)
        except LockError:
            raise UserError(
                self.env._(
                    "Visit %(name)s is being changed by someone else: reload it and try again.",
                    name=", ".join(self.mapped("name")),
                )
            ) from None

    def _ensure_state(self, allowed, action):
        self.check_access("write")
        self._lock_for_change()
        labels = dict(self._fields["state"]._description_selection(self.env))
        for visit in self:
            if visit.state not in allowed:
                raise UserError(
                    self.env._(
                        "Visit %(name)s is %(state)s: it cannot %(action)s.",
                        name=visit.name,
                        state=labels[visit.state],
                        action=action,
                    )
                )

    def _check_planner(self):
        """Planning (schedule, cancel) is the agents' work: technicians do the visit."""
        if not self.env.su and not self.env.user.has_group("aftersales_warranty.group_aftersales_user"):
            raise UserError(self.env._("Only after-sales agents plan and cancel visits."))

    def action_schedule(self):
        """Book the visit: the technician's calendar gets the event, the customer an email and SMS
        with the day and the time window. Also used to move a scheduled visit's booking again."""
        self._check_planner()
        self._ensure_state(("draft", "scheduled"), self.env._("be scheduled"))
        newly = self.filtered(lambda v: v.state == "draft")
        self._system_write({"state": "scheduled", "reminder_sent": False})
        self._sync_calendar_events()
        newly._notify_customer("aftersales_warranty.mail_template_visit_scheduled", "scheduled")
        return True

    def action_done(self):
        """The visit took place: the customer signed (or a reason says why not). The signed report
        is emailed to the customer and attached to the claim; a repair visit that fixed the unit
        resolves its claim."""
        self._ensure_state(("scheduled",), self.env._("be done"))
        for visit in self:
            if not visit.signature and not (visit.no_signature_reason or "").strip():
                raise UserError(
                    self.env._(
                        "Visit %(name)s needs the customer's signature, or the reason why the "
                        "customer did not sign.",
                        name=visit.name,
                    )
                )
            if visit.signature and not (visit.signed_by or "").strip():
                raise UserError(self.env._("Write who signed visit %(name)s (Signed By).", name=visit.name))
        self._system_write({"state": "done", "date_done": fields.Datetime.now()})
        fixed = self.filtered(lambda v: v.kind == "repair" and v.unit_fixed and v.claim_id)
        fixed._compute_first_time_fix()
        self._send_visit_report()
        fixed._resolve_claims()
        return True

    def action_no_show(self):
        """Nobody was there: the customer missed the visit."""
        self._ensure_state(("scheduled",), self.env._("be marked as a no-show"))
        self._system_write({"state": "no_show", "date_done": fields.Datetime.now()})
        for visit in self:
            visit.message_post(body=self.env._("Nobody was at the address: the customer missed the visit."))
        return True

    def action_cancel(self):
        """Cancel the visit: its calendar event goes from the technician's calendar."""
        self._check_planner()
        self._ensure_state(("draft", "scheduled"), self.env._("be cancelled"))
        events = self.calendar_event_id
        self._system_write({"state": "cancelled", "calendar_event_id": False})
        # The technician may not own the event: the system removes what it put there.
        events.sudo().unlink()
        return True

    def action_add_parts(self):
        """The repair order on which the technician records the parts (and labour) of this visit,
        created at the first use."""
        check_internal_read(self, "write")
        self.ensure_one()
        if self.state not in ("scheduled", "done"):
            raise UserError(
                self.env._(
                    "Parts are recorded on a scheduled or done visit, not on %(name)s.", name=self.name
                )
            )
        if not self.product_id:
            raise UserError(self.env._("Visit %(name)s has no product: set the unit first.", name=self.name))
        if not self.repair_order_id:
            repair = self.env["repair.order"].sudo().create(self._prepare_repair_vals())
            self._system_write({"repair_order_id": repair.id})
            self.message_post(
                body=self.env._(
                    "Repair order %(repair)s created for the parts.", repair=repair._get_html_link()
                )
            )
        return self.repair_order_id.get_formview_action()

    def action_view_claim(self):
        check_internal_read(self.claim_id)
        self.ensure_one()
        return self.claim_id.get_formview_action()

    def action_print_report(self):
        check_internal_read(self)
        return self.env.ref("aftersales_warranty.action_report_aftersales_visit").report_action(self)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _prepare_repair_vals(self):
        self.ensure_one()
        if self.claim_id:
            vals = self.claim_id.sudo()._prepare_repair_vals()
        else:
            vals = {
                "product_id": self.product_id.id,
                "lot_id": self.lot_id.id,
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "under_warranty": bool(self.warranty_id.state == "active"),
            }
        vals["internal_notes"] = self.env._("Parts of visit %(name)s", name=self.name)
        return vals

    def _compute_first_time_fix(self):
        """For repair visits done that fixed the unit: whether the claim had no visit done before."""
        earlier = self.search(
            [
                ("claim_id", "in", self.claim_id.ids),
                ("state", "in", ("done", "no_show")),
                ("kind", "=", "repair"),
            ]
        )
        for visit in self:
            previous = earlier.filtered(
                lambda o, v=visit: o.claim_id == v.claim_id and o != v and o.date_start <= v.date_start
            )
            visit._system_write({"first_time_fix": not previous})

    def _resolve_claims(self):
        """The unit is fixed: resolve the claims with the claim's own action (as the system: a
        technician does not work claims)."""
        for visit in self:
            claim = visit.claim_id.sudo()
            if claim.state == "new":
                claim._system_write({"state": "diagnosis"})
            if claim.state == "diagnosis":
                claim._system_write({"state": "in_progress", "resolution": claim.resolution or "repair"})
            if claim.state == "in_progress":
                # As the workshop's finished repair does: without a cause the claim waits for its
                # agent (a to-do), the technician is never blocked.
                claim._resolve_done_work()
                if claim.state == "resolved":
                    claim.message_post(
                        body=self.env._("Resolved by visit %(visit)s.", visit=visit._get_html_link())
                    )

    def _send_visit_report(self):
        """The visit report PDF, to the customer by email and to the claim as an attachment."""
        report = self.env.ref("aftersales_warranty.action_report_aftersales_visit", raise_if_not_found=False)
        template = self.env.ref("aftersales_warranty.mail_template_visit_report", raise_if_not_found=False)
        if not report or not self.env.registry.ready:
            # Not while a module installs (demo data): no server serves the report's styles yet.
            return
        Attachment = self.env["ir.attachment"].sudo()
        for visit in self:
            content, report_type = report.sudo()._render_qweb_pdf(report.report_name, visit.ids)
            filename = self.env._("Visit Report %(name)s", name=visit.name).replace("/", "-")
            # A PDF (an HTML page while Odoo's tests run without wkhtmltopdf).
            vals = {"name": f"{filename}.{report_type}", "raw": content}
            attachment = Attachment.create({**vals, "res_model": self._name, "res_id": visit.id})
            if template and visit.partner_id.email:
                visit.with_context(lang=visit.partner_id.lang).sudo().message_post_with_source(
                    template,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    attachment_ids=attachment.ids,
                )
            else:
                visit.sudo().message_post(body=self.env._("Visit report"), attachment_ids=attachment.ids)
            if visit.claim_id:
                claim_attachment = Attachment.create(
                    {**vals, "res_model": "aftersales.claim", "res_id": visit.claim_id.id}
                )
                visit.claim_id.sudo().message_post(
                    body=self.env._("Signed report of visit %(visit)s.", visit=visit._get_html_link()),
                    attachment_ids=claim_attachment.ids,
                )

    def _notify_customer(self, template_xmlid, event):
        """Email the customer (template ``template_xmlid``) in the visit's conversation; the
        feedback addon also texts them (``event``: scheduled, reminder)."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template:
            return
        for visit in self.filtered("partner_id.email"):
            visit.with_context(lang=visit.partner_id.lang).sudo().message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
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
            visits.write(vals)

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

    # ------------------------------------------------------------------
    # Creation from deliveries and warranties
    # ------------------------------------------------------------------

    @api.model
    def _create_from_moves(self, moves):
        """Draft installation visits (one per delivered unit) and training visits (one per
        delivery) for the products that need them, from done customer deliveries ``moves``."""
        moves = moves.sudo().filtered(
            lambda m: (
                m.state == "done"
                and m.location_dest_id.usage == "customer"
                and m.location_id.usage != "customer"
                and m.picking_id
                and (
                    m.product_id.product_tmpl_id.aftersales_install_required
                    or m.product_id.product_tmpl_id.aftersales_training_required
                )
            )
        )
        if not moves:
            return self.browse()
        Visit = self.sudo()
        existing = Visit.search([("picking_id", "in", moves.picking_id.ids)])
        done_keys = {(v.picking_id.id, v.kind, v.lot_id.id, v.product_id.id) for v in existing}
        warranties = (
            self.env["aftersales.warranty"]
            .sudo()
            .search([("move_id", "in", moves.ids), ("state", "!=", "void")])
        )
        warranty_by_lot = {w.lot_id.id: w for w in warranties if w.lot_id}
        warranty_by_move = {w.move_id.id: w for w in warranties}
        vals_list = []
        training_pickings = set()
        for move in moves:
            template = move.product_id.product_tmpl_id
            picking = move.picking_id
            customer = move.sale_line_id.order_id.partner_id or picking.partner_id.commercial_partner_id
            if not customer:
                continue
            base = {
                "partner_id": customer.id,
                "address_id": picking.partner_id.id or customer.id,
                "company_id": move.company_id.id,
                "picking_id": picking.id,
                "product_id": move.product_id.id,
            }
            if template.aftersales_install_required:
                lines = move.move_line_ids.filtered(lambda ml: ml.quantity > 0)
                if move.product_id.tracking == "serial":
                    units = [
                        (line.lot_id, warranty_by_lot.get(line.lot_id.id)) for line in lines if line.lot_id
                    ]
                else:
                    units = [(self.env["stock.lot"], warranty_by_move.get(move.id))] * int(move.quantity)
                for index, (lot, warranty) in enumerate(units):
                    key = (picking.id, "install", lot.id, move.product_id.id)
                    if lot and key in done_keys:
                        continue
                    if not lot and index < sum(1 for k in done_keys if k == key):
                        continue
                    vals_list.append(
                        {
                            **base,
                            "kind": "install",
                            "lot_id": lot.id,
                            "warranty_id": warranty.id if warranty else False,
                        }
                    )
            if template.aftersales_training_required and picking.id not in training_pickings:
                training_pickings.add(picking.id)
                if any(k[0] == picking.id and k[1] == "training" for k in done_keys):
                    continue
                vals_list.append({**base, "kind": "training"})
        if not vals_list:
            return self.browse()
        visits = Visit.with_context(mail_create_nolog=True).create(vals_list)
        return visits.sudo(False)

    @api.model
    def _maintenance_due(self, warranty, today):
        """The start of the maintenance period of ``warranty`` that ``today`` falls in (False
        before the first period ends, or past the warranty's end)."""
        months = warranty.policy_id.maintenance_interval_months
        if months <= 0 or not warranty.date_start or today > warranty.date_end:
            return False
        elapsed = relativedelta(today, warranty.date_start)
        periods = (elapsed.years * 12 + elapsed.months) // months
        if periods < 1:
            return False
        due = warranty.date_start + relativedelta(months=periods * months)
        return due if due <= warranty.date_end else False

    @api.model
    def _cron_create_maintenance_visits(self, batch_size=500):
        """Draft maintenance visits for active warranties whose policy sets an interval: one per
        warranty and period, while the warranty is active (never after its end)."""
        Warranty = self.env["aftersales.warranty"].sudo()
        Visit = self.sudo()
        in_cron = bool(self.env.context.get("cron_id"))
        domain = [("state", "=", "active"), ("policy_id.maintenance_interval_months", ">", 0)]
        last_id = 0
        while True:
            warranties = Warranty.search([*domain, ("id", ">", last_id)], order="id", limit=batch_size)
            if not warranties:
                break
            last_id = warranties[-1].id
            todays = {}
            dues = {}
            for warranty in warranties:
                company = warranty.company_id
                if company not in todays:
                    todays[company] = Warranty._date_in_company_tz(company, fields.Datetime.now())
                due = self._maintenance_due(warranty, todays[company])
                if due:
                    dues[warranty] = due
            existing = Visit.search_fetch(
                [
                    ("warranty_id", "in", [w.id for w in dues]),
                    ("kind", "=", "maintenance"),
                    ("maintenance_due_date", "!=", False),
                ],
                ["warranty_id", "maintenance_due_date"],
            )
            have = {(v.warranty_id.id, v.maintenance_due_date) for v in existing}
            vals_list = [
                {
                    "kind": "maintenance",
                    "partner_id": warranty.partner_id.id,
                    # Where the unit was delivered (the customer itself for a unit without delivery).
                    "address_id": (warranty.move_id.picking_id.partner_id or warranty.partner_id).id,
                    "lot_id": warranty.lot_id.id,
                    "product_id": warranty.product_id.id,
                    "warranty_id": warranty.id,
                    "company_id": warranty.company_id.id,
                    "maintenance_due_date": due,
                }
                for warranty, due in dues.items()
                if (warranty.id, due) not in have
            ]
            if vals_list:
                Visit.with_context(mail_create_nolog=True).create(vals_list)
            if in_cron and self.env["ir.cron"]._commit_progress(len(warranties)) <= 0:
                break

    @api.model
    def _cron_send_visit_reminders(self, batch_size=200):
        """Remind the customer of each scheduled visit the day before it (once)."""
        now = fields.Datetime.now()
        in_cron = bool(self.env.context.get("cron_id"))
        last_id = 0
        while True:
            visits = self.sudo().search(
                [
                    ("state", "=", "scheduled"),
                    ("reminder_sent", "=", False),
                    ("date_start", ">", now),
                    ("date_start", "<", now + timedelta(days=2)),
                    ("id", ">", last_id),
                ],
                order="id",
                limit=batch_size,
            )
            if not visits:
                break
            last_id = visits[-1].id
            due = visits.filtered(
                lambda v: v._local_day(v.date_start) <= v._local_day(now) + timedelta(days=1)
            )
            due._system_write({"reminder_sent": True})
            due._notify_customer("aftersales_warranty.mail_template_visit_reminder", "reminder")
            if in_cron and self.env["ir.cron"]._commit_progress(len(due)) <= 0:
                break

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------

    def _portal_confirm(self):
        """The customer confirms the planned time (the controller checked the visit is theirs)."""
        self._ensure_state(("scheduled",), self.env._("be confirmed"))
        self._system_write({"customer_confirmed": True, "reschedule_requested": False})
        for visit in self:
            visit.message_post(
                body=self.env._("The customer confirmed the visit."), author_id=visit.partner_id.id
            )
        return True

    def _portal_request_reschedule(self, note):
        """The customer asks for another time: the agent is given a to-do with their words."""
        self._ensure_state(("draft", "scheduled"), self.env._("be moved"))
        self._system_write({"customer_confirmed": False, "reschedule_requested": True})
        for visit in self:
            body = self.env._("The customer asks for another time: %(note)s", note=note)
            visit.message_post(body=body, author_id=visit.partner_id.id)
            user = visit.claim_id.user_id or visit.create_uid
            if user and not user.share:
                visit.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Customer asks for another time"),
                    note=note,
                    user_id=user.id,
                )
        return True

    # ------------------------------------------------------------------
    # KPIs
    # ------------------------------------------------------------------

    @api.model
    def _aftersales_kpis(self, domain=None):
        """Visits per technician and kind, first-time fix rate, no-shows, median lead time (hours)."""
        domain = list(domain or [])
        per = self._read_group(domain, ["technician_id", "kind"], ["__count"])
        repair_done = self._read_group(
            [*domain, ("kind", "=", "repair"), ("state", "=", "done"), ("claim_id", "!=", False)],
            ["first_time_fix"],
            ["__count"],
        )
        fixed = sum(count for ftf, count in repair_done if ftf)
        total = sum(count for _ftf, count in repair_done)
        no_shows = self.search_count([*domain, ("state", "=", "no_show")])
        [(median,)] = self._read_group(
            [*domain, ("claim_id", "!=", False), ("state", "in", ("scheduled", "done", "no_show"))],
            [],
            ["lead_time_hours:median"],
        )
        return {
            "per_technician_kind": {(tech.id, kind): count for tech, kind, count in per},
            "first_time_fix_rate": fixed / total if total else 0.0,
            "no_shows": no_shows,
            "median_lead_time_hours": median or 0.0,
        }

    def _read_group_select(self, aggregate_spec, query):
        fname, __, func = aggregate_spec.partition(":")
        if func == "median":
            # A median of medians is not the median: PostgreSQL takes it on each cell's rows.
            return SQL(
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)",
                self._field_to_sql(self._table, fname, query),
            )
        return super()._read_group_select(aggregate_spec, query)

    def _pdf_text(self, value, rtl):
        return self.env["aftersales.warranty"]._pdf_text(value, rtl)

    def _signature_data_uri(self):
        self.ensure_one()
        if not self.signature:
            return False
        data = self.signature if isinstance(self.signature, bytes) else self.signature.encode()
        return "data:image/png;base64," + data.decode()

    def _local_window(self):
        """The visit's day and time window in the customer's language and the company's zone."""
        self.ensure_one()
        tz = self.company_id.partner_id.tz or "UTC"
        zone = pytz.timezone(tz)
        start = pytz.utc.localize(self.date_start).astimezone(zone) if self.date_start else None
        end = pytz.utc.localize(self.date_end).astimezone(zone) if self.date_end else None
        return start, end

    def _time_window_text(self):
        """ "14:00-16:00" (Persian digits for a Persian reader)."""
        start, end = self._local_window()
        if not start or not end:
            return ""
        text = f"{start:%H:%M}-{end:%H:%M}"
        if is_persian(self.env.context.get("lang") or self.partner_id.lang):
            text = text.translate(PERSIAN_DIGITS)
        return text
