"""The claim's fields and its workflow (states, transitions and the entry points other models call).

Over 500 lines by choice: the fields (about 160 lines) and the state machine are one subject that
reads best in one place; what else the claim does lives beside it in aftersales_claim_*.py (intake
checks, stock and books, mail, portal, failure codes, visits, service levels).
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, LockError, UserError
from odoo.fields import Domain

from .aftersales_claim_sla import CLAIM_PRIORITIES
from .aftersales_guard_mixin import check_internal_read

CLAIM_STATES = [
    ("new", "New"),
    ("diagnosis", "Diagnosis"),
    ("awaiting_approval", "Awaiting Approval"),
    ("in_progress", "In Progress"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("new", "diagnosis", "awaiting_approval", "in_progress")


class AftersalesClaim(models.Model):
    _name = "aftersales.claim"
    _description = "Repair Claim"
    _inherit = ["aftersales.guard.mixin", "portal.mixin", "mail.thread.phone", "mail.activity.mixin"]
    _order = "priority desc, date_deadline, id desc"
    _check_company_auto = True
    _primary_email = "email"
    _rec_names_search = ["name", "lot_id.name", "partner_id.name"]

    # Derived by the system or set by the workflow's actions: users cannot write them.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "name",
            "state",
            "under_warranty",
            "coverage_parts",
            "coverage_labour",
            "coverage_replacement",
            "sla_id",
            "warranty_id",
            "sale_order_id",
            "resolution",
            "credit_note_id",
            "date_resolved",
            "date_closed",
            "customer_confirmed",
            "ack_pending",
        }

    # The acknowledgment cron's search: only the claims still to acknowledge.
    _ack_pending_index = models.Index("(id) WHERE ack_pending")

    name = fields.Char(
        "Reference",
        required=True,
        copy=False,
        readonly=True,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, tracking=True)
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        store=True,
        precompute=True,
        index=True,
        string="Commercial Entity",
    )
    phone = fields.Char(tracking=True)
    # Odoo's phone mixin: the number in E.164 (phone is stored so already), the blacklist, the search
    # by any form of the number. Computed with the record, in its INSERT, not by an UPDATE after it.
    phone_sanitized = fields.Char(
        compute="_compute_phone_sanitized", compute_sudo=True, store=True, precompute=True
    )
    email = fields.Char(tracking=True)
    channel = fields.Selection(
        [
            ("phone", "Phone"),
            ("email", "Email"),
            ("portal", "Portal"),
            ("walk_in", "Walk-in"),
            ("sms", "SMS"),
            ("chat", "Chat"),
        ],
        required=True,
        default="phone",
    )
    product_id = fields.Many2one("product.product", index=True, check_company=True, tracking=True)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('product_id', '=?', product_id)]",
    )
    warranty_id = fields.Many2one(
        "aftersales.warranty",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        readonly=True,
        help="The live warranty of the serial number, set from it.",
    )
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", check_company=True, readonly=True)
    ack_pending = fields.Boolean(
        "Acknowledgment Pending",
        copy=False,
        readonly=True,
        help="The 'claim received' email is still to be sent (by the acknowledgment cron, in batches).",
    )
    customer_confirmed = fields.Boolean(
        default=True,
        copy=False,
        readonly=True,
        help="False for a claim from an email whose customer was matched by the sender's address only: "
        "it shows on that customer's portal once an agent has confirmed the customer.",
    )
    serial_override = fields.Boolean(
        "Serial Not Received (Override)",
        copy=False,
        tracking=True,
        help="Set by a manager: the claim is accepted although the customer never received this serial.",
    )
    date_reported = fields.Datetime(
        "Reported On", required=True, default=fields.Datetime.now, index=True, tracking=True
    )
    under_warranty = fields.Boolean(
        compute="_compute_under_warranty",
        store=True,
        precompute=True,
        help="Computed from the warranty's dates and status on the day the problem was reported.",
    )
    coverage_parts = fields.Boolean(compute="_compute_coverage")
    coverage_labour = fields.Boolean(compute="_compute_coverage")
    coverage_replacement = fields.Boolean(compute="_compute_coverage")
    description = fields.Html("Problem")
    priority = fields.Selection(CLAIM_PRIORITIES, default="1", required=True, tracking=True)
    sla_id = fields.Many2one(
        "aftersales.claim.sla", string="Service Level", compute="_compute_sla", store=True
    )
    date_deadline = fields.Datetime(
        "Deadline",
        compute="_compute_date_deadline",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
    )
    is_overdue = fields.Boolean("Overdue", compute="_compute_is_overdue", search="_search_is_overdue")
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    state = fields.Selection(
        CLAIM_STATES,
        default="new",
        required=True,
        copy=False,
        readonly=True,
        tracking=True,
        index=True,
        group_expand="_expand_states",
    )
    resolution = fields.Selection(
        [
            ("repair", "Repair"),
            ("replace", "Replacement"),
            ("refund", "Refund"),
            ("advice", "Advice"),
            ("reject", "Rejected"),
        ],
        copy=False,
        readonly=True,
        tracking=True,
    )
    reject_reason = fields.Text(copy=False, tracking=True)
    resolution_note = fields.Html(copy=False)
    repair_order_ids = fields.One2many("repair.order", "aftersales_claim_id", string="Repair Orders")
    repair_count = fields.Integer(compute="_compute_counts")
    picking_ids = fields.One2many("stock.picking", "aftersales_claim_id", string="Transfers")
    picking_count = fields.Integer(compute="_compute_counts")
    credit_note_id = fields.Many2one("account.move", copy=False, readonly=True)
    date_resolved = fields.Datetime("Resolved On", copy=False, readonly=True)
    date_closed = fields.Datetime("Closed On", copy=False, readonly=True)
    color = fields.Integer(compute="_compute_color")
    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends(
        "warranty_id.state",
        "warranty_id.date_start",
        "warranty_id.date_end",
        "date_reported",
        "serial_override",
    )
    def _compute_under_warranty(self):
        for claim in self:
            if claim.state not in ("new", "diagnosis") and claim.warranty_id.state == "void":
                # Decided while covered: the replacement under this claim voids the warranty, and
                # that must not turn the claim (and its free repair) into a paid one afterwards.
                continue
            claim.under_warranty = claim._warranty_covers(claim.warranty_id, claim.date_reported)

    @api.depends("warranty_id", "under_warranty")
    def _compute_coverage(self):
        for claim in self:
            policy = claim.warranty_id.policy_id if claim.under_warranty else False
            claim.coverage_parts = bool(policy and policy.coverage_parts)
            claim.coverage_labour = bool(policy and policy.coverage_labour)
            claim.coverage_replacement = bool(policy and policy.coverage_replacement)

    @api.depends("product_id.categ_id", "date_reported", "priority", "company_id")
    def _compute_sla(self):
        Sla = self.env["aftersales.claim.sla"]
        rules = Sla.search([("company_id", "in", [*self.company_id.ids, False])])
        for claim in self:
            if not claim.date_reported:
                claim.sla_id = False
                continue
            # The season is the company's month, whoever (in whatever zone) records the claim.
            day = self.env["aftersales.warranty"]._date_in_company_tz(claim.company_id, claim.date_reported)
            sla = Sla._find_for(
                claim.company_id,
                claim.product_id.categ_id,
                day.month,
                claim.priority,
                rules.filtered(lambda r, c=claim: r.company_id in (c.company_id, self.env["res.company"])),
            )
            claim.sla_id = sla

    # Its own compute: the form sends the deadline it shows, and a compute shared with ``sla_id``
    # would then be skipped for both, leaving the claim without its service level.
    @api.depends("sla_id", "date_reported")
    def _compute_date_deadline(self):
        for claim in self:
            sla = claim.sla_id
            claim.date_deadline = (
                claim.date_reported + timedelta(hours=sla.resolve_hours)
                if sla and claim.date_reported
                else False
            )

    @api.depends("date_deadline", "state")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for claim in self:
            claim.is_overdue = bool(
                claim.state in OPEN_STATES and claim.date_deadline and claim.date_deadline < now
            )

    def _search_is_overdue(self, operator, value):
        if operator in ("=", "!="):
            operator, value = ("in" if operator == "=" else "not in"), [value]
        if operator not in ("in", "not in"):
            return NotImplemented
        overdue = Domain("state", "in", OPEN_STATES) & Domain("date_deadline", "<", fields.Datetime.now())
        # ``value`` is a collection of booleans (Odoo passes an OrderedSet): each one selects its side.
        selected = Domain.FALSE
        if any(value):
            selected |= overdue
        if not all(value):
            selected |= ~overdue
        return selected if operator == "in" else ~selected

    def _expand_states(self, states, domain):
        """Kanban columns in workflow order; closed and cancelled only when they hold claims."""
        return [key for key, _label in CLAIM_STATES if key not in ("closed", "cancelled") or key in states]

    def _compute_counts(self):
        for claim in self:
            claim.repair_count = len(claim.repair_order_ids)
            claim.picking_count = len(claim.picking_ids)

    @api.depends("is_overdue", "under_warranty")
    def _compute_color(self):
        for claim in self:
            claim.color = 1 if claim.is_overdue else (10 if claim.under_warranty else 0)

    # ------------------------------------------------------------------
    # Onchanges and CRUD
    # ------------------------------------------------------------------

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        # Set or cleared, the serial decides the warranty and the order: nothing of a previous
        # serial stays on the claim.
        self.update(self._prepare_serial_vals(self.lot_id, self.partner_id))

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id:
            self.phone = self.phone or self.partner_id.phone
            self.email = self.email or self.partner_id.email

    @api.model
    def _prepare_serial_vals(self, lot, partner=None):
        """Product, customer, sale order and warranty that a serial number brings to a claim.

        The warranty is the serial's live one (or, failing that, its latest); without a serial,
        or without a warranty, the claim has no warranty and no order.
        """
        if not lot:
            return {"warranty_id": False, "sale_order_id": False}
        warranty = lot.warranty_id or lot.warranty_ids[:1]
        vals = {
            "lot_id": lot.id,
            "product_id": lot.product_id.id,
            "warranty_id": warranty.id,
            "sale_order_id": warranty.sale_order_id.id,
        }
        if warranty:
            vals["partner_id"] = (partner or warranty.partner_id).id
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        claims = super().create(vals_list)
        if not self.env.context.get("mail_notrack"):
            # Tracking logs changes, not the values a record is created with: log the override here
            # so that the chatter always tells who accepted a serial the customer never received.
            for claim in claims.filtered(lambda c: c.serial_override and c.lot_id):
                claim._message_log(
                    body=self.env._(
                        "Serial number %(serial)s accepted by %(user)s (override): the customer's "
                        "delivery of this serial is not on record.",
                        serial=claim.lot_id.name,
                        user=self.env.user.name,
                    )
                )
        # The "claim received" email is rendered and sent in batches by a cron that runs every
        # minute (see _cron_send_claim_acknowledgments): inside the request it cost most of a
        # claim's creation. Not triggered per claim: a trigger row and a wake-up notification for
        # each claim cost the request more than the minute's wait costs the customer.
        claims._apply_sla_priority()
        return claims

    @api.model
    def _aftersales_prepare_create(self, vals_list):
        """Serial values, phones in E.164 and the intake checks, all before the reference is drawn:
        a refused claim burns no number of the sequence."""
        vals_list = super()._aftersales_prepare_create(vals_list)
        Lot = self.env["stock.lot"]
        Partner = self.env["res.partner"]
        for vals in vals_list:
            lot = Lot.browse(vals.get("lot_id"))
            # The serial decides the warranty and the order, whatever was sent with it.
            serial_vals = self._prepare_serial_vals(lot)
            if not vals.get("partner_id") and serial_vals.get("partner_id"):
                vals["partner_id"] = serial_vals["partner_id"]
            if not vals.get("product_id") and serial_vals.get("product_id"):
                vals["product_id"] = serial_vals["product_id"]
            partner = Partner.browse(vals.get("partner_id"))
            customer = partner.commercial_partner_id
            warranty = self.env["aftersales.warranty"].browse(
                # A claim opened from a warranty of a unit without serial (its New Claim button):
                # the warranty the user reads names the unit, expired or not (checked below).
                vals.get("warranty_id") or self._aftersales_context_warranty()
            )
            order = self.env["sale.order"].browse(vals.get("sale_order_id"))
            if not lot and warranty and not warranty.lot_id and warranty.commercial_partner_id == customer:
                # A unit without a serial (a warranty per delivery) is named by its own warranty.
                serial_vals = {"warranty_id": warranty.id, "sale_order_id": warranty.sale_order_id.id}
            elif not lot and order.partner_id.commercial_partner_id == customer:
                # Without a serial, an order of the customer's own may name what was bought.
                serial_vals["sale_order_id"] = order.id
            vals["warranty_id"] = serial_vals["warranty_id"]
            vals["sale_order_id"] = serial_vals["sale_order_id"]
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if vals.get("phone"):
                vals["phone"] = self._e164(vals["phone"], partner.country_id or company.country_id)
            self._check_serial_received_by(lot, partner, vals.get("serial_override"))
        self._check_no_open_claim([(vals.get("lot_id"), False) for vals in vals_list if vals.get("lot_id")])
        self._check_agents(self.env["res.users"].browse(v["user_id"] for v in vals_list if v.get("user_id")))
        new_name = self.env._("New")
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            self._check_deadline_move(vals)
            # The reference always comes from the sequence (the mail gateway would put the subject).
            vals["name"] = sequence.next_by_code("aftersales.claim") or new_name
            vals["ack_pending"] = True
        return vals_list

    @api.model
    def _aftersales_context_warranty(self):
        """The warranty whose *New Claim* opened this claim (``aftersales_warranty_id`` in the
        context), when the user may read it; else none."""
        warranty_id = self.env.context.get("aftersales_warranty_id")
        if not isinstance(warranty_id, int) or isinstance(warranty_id, bool):
            return False
        warranty = self.env["aftersales.warranty"].browse(warranty_id).exists()
        return warranty.id if warranty and warranty.has_access("read") else False

    def _aftersales_prepare_write(self, vals):
        vals = super()._aftersales_prepare_write(vals)
        self._check_deadline_move(vals)
        if "lot_id" in vals:
            # Changing or clearing the serial recomputes the warranty and the order.
            serial_vals = self._prepare_serial_vals(self.env["stock.lot"].browse(vals["lot_id"]))
            serial_vals.pop("partner_id", None)
            vals = {**serial_vals, **vals, "warranty_id": serial_vals["warranty_id"]}
            vals["sale_order_id"] = serial_vals["sale_order_id"]
            self._check_no_open_claim([(vals["lot_id"], claim.id) for claim in self if vals["lot_id"]])
        if "partner_id" in vals and not self.env.su:
            # An agent who sets the customer has confirmed who the customer is.
            vals["customer_confirmed"] = True
        if vals.get("user_id"):
            self._check_agents(self.env["res.users"].browse(vals["user_id"]))
        return vals

    def write(self, vals):
        res = super().write(vals)
        if "phone" in vals or "partner_id" in vals:
            self._normalize_phones()
        if {"lot_id", "partner_id", "serial_override"} & set(vals):
            self._check_serial_received()
        if {"product_id", "date_reported", "priority", "company_id"} & set(vals):
            self._apply_sla_priority()
        return res

    def _check_deadline_move(self, vals):
        """The deadline follows the service level; moving it is a manager's decision (tracked in the
        chatter). A form sends the deadline it shows: the computed one, dropped here so that the
        service level sets it, or the record's own."""
        if "date_deadline" not in vals or self._aftersales_may_write_protected(not self):
            return
        if self.env.user.has_group("aftersales_warranty.group_aftersales_manager"):
            return
        field = self._fields["date_deadline"]
        new = field.convert_to_cache(vals["date_deadline"], self)
        follows_sla = not self or {"date_reported", "lot_id", "product_id", "company_id"} & set(vals)
        moved = self.filtered(lambda claim: field.convert_to_cache(claim.date_deadline, claim) != new)
        if not follows_sla and moved:
            raise AccessError(
                self.env._(
                    "Only an After-Sales manager can move the deadline of claim %(name)s.", name=moved[0].name
                )
            )
        del vals["date_deadline"]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        started = self.filtered(lambda c: c.state != "new")
        if started:
            raise UserError(
                self.env._(
                    "Claim %(name)s is past 'New' and cannot be deleted: cancel it instead, "
                    "its history stays.",
                    name=started[0].name,
                )
            )

    # ------------------------------------------------------------------
    # Transitions
    # ------------------------------------------------------------------

    def _lock_for_change(self):
        """Hold these claims' rows until the transaction ends, or refuse at once when another
        transaction holds them.

        Two agents acting on one claim at the same moment must not both succeed (two repair orders,
        two coupons): the second is told to reload instead of waiting. A row-level lock that still
        lets repair orders, transfers and coupons reference the claim. When the other transaction
        has already committed a change of the claim, PostgreSQL raises a serialization failure
        here; Odoo retries the request, which then sees the new state and refuses with its message.
        """
        try:
            self.lock_for_update(allow_referencing=True)
        except LockError:
            raise UserError(
                self.env._(
                    "Claim %(name)s is being changed by someone else: reload it and try again.",
                    name=", ".join(self.mapped("name")),
                )
            ) from None

    def _ensure_state(self, allowed, action):
        self._lock_for_change()
        labels = dict(self._fields["state"]._description_selection(self.env))
        for claim in self:
            if claim.state not in allowed:
                raise UserError(
                    self.env._(
                        "Claim %(name)s is %(state)s: it cannot %(action)s.",
                        name=claim.name,
                        state=labels[claim.state],
                        action=action,
                    )
                )

    def action_start_diagnosis(self):
        self._ensure_state(("new",), self.env._("start diagnosis"))
        # The agent who starts the diagnosis takes the claims nobody holds yet.
        self.filtered(lambda c: not c.user_id).write({"user_id": self.env.user.id})
        self._system_write({"state": "diagnosis"})
        return True

    def action_start_repair(self):
        """Create the repair order; out of warranty it waits for the customer's approval."""
        self._ensure_state(("diagnosis",), self.env._("start a repair"))
        for claim in self:
            if not claim.product_id:
                raise UserError(self.env._("Claim %(name)s has no product to repair.", name=claim.name))
            repair = self.env["repair.order"].create(claim._prepare_repair_vals())
            if claim.under_warranty:
                repair._action_repair_confirm()
                claim._system_write({"state": "in_progress", "resolution": "repair"})
            else:
                claim._system_write({"state": "awaiting_approval", "resolution": "repair"})
            claim.message_post(
                body=self.env._("Repair order %(repair)s created.", repair=repair._get_html_link())
            )
        return True

    def action_request_approval(self):
        """Hold the claim until the customer or a manager approves the (paid) repair quotation."""
        self._ensure_state(("diagnosis",), self.env._("wait for approval"))
        covered = self.filtered("under_warranty")
        if covered:
            raise UserError(
                self.env._(
                    "Claim %(name)s is under warranty: its repair is free and needs no approval, "
                    "start the repair instead.",
                    name=covered[0].name,
                )
            )
        for claim in self:
            if not claim.repair_order_ids.filtered(lambda r: r.state == "draft"):
                self.env["repair.order"].create(claim._prepare_repair_vals())
        self._system_write({"state": "awaiting_approval", "resolution": "repair"})
        return True

    def action_approve(self):
        """Approve the paid repair quotation in the customer's stead: managers only (the customer
        approves from the portal, see ``_portal_approve_quotation``)."""
        self._check_manager(self.env._("approve a paid repair"))
        self._approve_quotation()
        return True

    def _approve_quotation(self):
        self._ensure_state(("awaiting_approval",), self.env._("be approved"))
        self.repair_order_ids.filtered(lambda r: r.state == "draft")._action_repair_confirm()
        self._system_write({"state": "in_progress"})

    def action_confirm_customer(self):
        """An agent confirms the customer of a claim that came by email (matched on its sender):
        the claim then shows on the customer's portal."""
        self._system_write({"customer_confirmed": True})
        return True

    def action_replace(self):
        """Return receipt for the faulty unit and delivery of a replacement unit."""
        self._ensure_state(("diagnosis", "awaiting_approval"), self.env._("be replaced"))
        for claim in self:
            claim._check_unit_known()
            claim._create_return_receipt()
            claim._create_replacement_delivery()
        self._system_write({"state": "in_progress", "resolution": "replace"})
        return True

    def action_refund(self):
        """Return receipt, plus a draft credit note for the invoiced line when one exists."""
        self._ensure_state(("diagnosis", "awaiting_approval"), self.env._("be refunded"))
        for claim in self:
            claim._check_unit_known()
            claim._create_return_receipt()
            claim._system_write({"credit_note_id": claim._create_credit_note().id})
        self._system_write({"state": "in_progress", "resolution": "refund"})
        return True

    def action_resolve(self):
        """Mark the claim solved (advice from diagnosis, or the repair/replacement/refund done)."""
        self._ensure_state(("diagnosis", "in_progress"), self.env._("be resolved"))
        self._check_resolution_cause()
        for claim in self:
            if claim.state == "diagnosis" and claim.resolution not in (False, "advice"):
                raise UserError(
                    self.env._(
                        "Claim %(name)s is in diagnosis: only advice resolves it now.", name=claim.name
                    )
                )
        self.filtered(lambda c: not c.resolution)._system_write({"resolution": "advice"})
        self._system_write({"state": "resolved", "date_resolved": fields.Datetime.now()})
        return True

    def action_close(self):
        self._ensure_state(("resolved",), self.env._("be closed"))
        self._system_write({"state": "closed", "date_closed": fields.Datetime.now()})
        return True

    def action_reject(self):
        self._ensure_state(OPEN_STATES, self.env._("be rejected"))
        for claim in self:
            if not (claim.reject_reason or "").strip():
                raise UserError(
                    self.env._("Write why claim %(name)s is rejected (Reject Reason) first.", name=claim.name)
                )
        self._cancel_open_operations()
        self._system_write(
            {"state": "rejected", "resolution": "reject", "date_resolved": fields.Datetime.now()}
        )
        return True

    def action_cancel(self):
        self._ensure_state(OPEN_STATES, self.env._("be cancelled"))
        self._cancel_open_operations()
        self._system_write({"state": "cancelled"})
        return True

    def action_reopen(self):
        self._ensure_state(("resolved", "rejected"), self.env._("be reopened"))
        self._check_no_open_claim([(claim.lot_id.id, claim.id) for claim in self if claim.lot_id])
        self._system_write({"state": "diagnosis", "resolution": False, "date_resolved": False})
        return True

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------

    def action_view_repairs(self):
        return self._action_view_linked("repair.action_repair_order_tree")

    def action_view_pickings(self):
        return self._action_view_linked("stock.action_picking_tree_all")

    def _action_view_linked(self, action_xmlid):
        """The documents of ``action_xmlid``'s model that this claim created."""
        check_internal_read(self)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(action_xmlid)
        action["domain"] = [("aftersales_claim_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Doors: what other models tell the claim (only the claim moves its own state)
    # ------------------------------------------------------------------

    def _on_repair_done(self, repairs):
        """Repair orders ``repairs`` of these claims are done: resolve the claims in progress none of
        whose repairs is still open (without a cause, the claim waits for its agent)."""
        done = repairs.filtered(lambda r: r.state == "done").aftersales_claim_id
        (self & done).filtered(
            lambda c: (
                c.state == "in_progress" and all(r.state in ("done", "cancel") for r in c.repair_order_ids)
            )
        )._resolve_done_work()

    def _on_replacement_delivered(self, pickings):
        """The replacement units of these claims left in ``pickings``: the delivery settles the
        claims resolved by a replacement, whoever validated it."""
        delivered = pickings.move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
        ).aftersales_claim_id
        (self & delivered).filtered(
            lambda c: c.state == "in_progress" and c.resolution == "replace"
        )._resolve_done_work()
