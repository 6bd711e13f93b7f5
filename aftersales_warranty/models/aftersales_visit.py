from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import LockError, UserError

from .aftersales_guard_mixin import check_internal_read

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
    _inherit = [
        "aftersales.guard.mixin",
        "aftersales.median.mixin",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    # Derived by the system or set by the workflow's actions: users cannot write them.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "name",
            "state",
            "calendar_event_id",
            "repair_order_id",
            "reminder_sent",
            "customer_confirmed",
            "reschedule_requested",
            "first_time_fix",
            "date_done",
        }

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
        # One look-up of the sequence and one query for the whole batch.
        names = self.env["ir.sequence"]._aftersales_next_by_code("aftersales.visit", len(vals_list)) or (
            [self.env._("New")] * len(vals_list)
        )
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

    def write(self, vals):
        res = super().write(vals)
        if {"technician_id", "date_start", "date_end", "partner_id", "kind"} & set(vals):
            self.filtered(lambda v: v.state == "scheduled")._sync_calendar_events()
        return res

    def _aftersales_technician_fields(self):
        """What a technician (without after-sales rights) fills in on site; the customer, the dates,
        the claim and the kind of visit are the planners'."""
        return {"report", "photo_ids", "signature", "signed_by", "no_signature_reason", "unit_fixed"}

    def _aftersales_check_protected(self, vals, creating):
        super()._aftersales_check_protected(vals, creating)
        if creating or self.env.user.share or self._aftersales_may_write_protected(creating):
            return
        done = self.filtered(lambda v: v.state in ("done", "cancelled"))
        locked = {"technician_id", "date_start", "date_end", "partner_id", "kind", "signature", "signed_by"}
        if done and locked & set(vals):
            raise UserError(
                self.env._(
                    "Visit %(name)s is %(state)s: it cannot be changed any more.",
                    name=done[0].name,
                    state=dict(self._fields["state"]._description_selection(self.env))[done[0].state],
                )
            )
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_user"):
            planned = {
                name
                for name in set(vals) - self._aftersales_technician_fields()
                if name in self._fields
                and self._fields[name].store
                and not name.startswith(("message_", "activity_"))
            }
            if planned:
                raise UserError(
                    self.env._(
                        "%(field)s of a visit is planned by the after-sales agents: a technician fills in "
                        "the work done, the photos, the signature and whether the unit is fixed.",
                        field=self._fields[sorted(planned)[0]].get_description(self.env)["string"],
                    )
                )

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
        fixed.claim_id.sudo()._on_visit_done(fixed)
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
