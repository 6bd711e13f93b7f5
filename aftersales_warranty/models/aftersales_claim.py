from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import LockError, UserError, ValidationError
from odoo.fields import Domain

from .aftersales_claim_sla import CLAIM_PRIORITIES

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
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "priority desc, date_deadline, id desc"
    _check_company_auto = True
    _primary_email = "email"
    _rec_names_search = ["name", "lot_id.name", "partner_id.name"]

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
        related="partner_id.commercial_partner_id", store=True, index=True, string="Commercial Entity"
    )
    phone = fields.Char(tracking=True)
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
        "aftersales.warranty", index="btree_not_null", check_company=True, tracking=True
    )
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", check_company=True)
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
        "Deadline", compute="_compute_sla", store=True, readonly=False, index=True
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
            claim.date_deadline = claim.date_reported + timedelta(hours=sla.resolve_hours) if sla else False

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

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for claim in self:
            claim.access_url = f"/my/claims/{claim.id}"
        return res

    # ------------------------------------------------------------------
    # Onchanges and CRUD
    # ------------------------------------------------------------------

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id:
            self.update(self._prepare_serial_vals(self.lot_id, self.partner_id))

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id:
            self.phone = self.phone or self.partner_id.phone
            self.email = self.email or self.partner_id.email

    @api.model
    def _prepare_serial_vals(self, lot, partner=None):
        """Product, customer, sale order and warranty that a serial number brings to a claim."""
        warranty = lot.warranty_id or lot.warranty_ids[:1]
        # Without a warranty, nothing of the previous serial's warranty and order may stay.
        vals = {
            "lot_id": lot.id,
            "product_id": lot.product_id.id,
            "warranty_id": False,
            "sale_order_id": False,
        }
        if warranty:
            vals.update(
                {
                    "warranty_id": warranty.id,
                    "sale_order_id": warranty.sale_order_id.id,
                    "partner_id": (partner or warranty.partner_id).id,
                }
            )
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        new_name = self.env._("New")
        sequence = self.env["ir.sequence"]
        vals_list = [self._clean_intake_vals(vals) for vals in vals_list]
        for vals in vals_list:
            if vals.get("lot_id") and not vals.get("warranty_id"):
                lot = self.env["stock.lot"].browse(vals["lot_id"])
                if not lot.exists():
                    raise self._no_record_error("lot_id", vals["lot_id"])
                serial_vals = self._prepare_serial_vals(lot)
                partner_id = vals.get("partner_id") or serial_vals.get("partner_id")
                vals.update({**serial_vals, **{k: v for k, v in vals.items() if v}})
                vals["partner_id"] = partner_id
            # The reference always comes from the sequence (the mail gateway would put the subject).
            vals["name"] = sequence.next_by_code("aftersales.claim") or new_name
        claims = super().create(vals_list)
        claims._normalize_phones()
        claims._check_serial_received()
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
        claims._apply_sla_priority()
        template = self.env.ref("aftersales_warranty.mail_template_claim_received", raise_if_not_found=False)
        if template:
            for claim in claims.filtered(lambda c: c.partner_id.email):
                claim.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
        return claims

    def _track_template(self, changes):
        res = super()._track_template(changes)
        claim = self[0]
        if "state" in changes and claim.state == "resolved" and claim.partner_id.email:
            template = self.env.ref(
                "aftersales_warranty.mail_template_claim_resolved", raise_if_not_found=False
            )
            if template:
                res["state"] = (template, {"subtype_xmlid": "mail.mt_comment"})
        return res

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A claim from an email to the claims alias: channel email, customer from the sender."""
        values = dict(custom_values or {}, channel="email")
        partner = self.env["res.partner"].browse(msg_dict.get("author_id"))
        if partner:
            values.setdefault("partner_id", partner.id)
        values.setdefault("email", msg_dict.get("email_from"))
        values.setdefault("description", msg_dict.get("body"))
        return super().message_new(msg_dict, custom_values=values)

    def write(self, vals):
        vals = self._clean_intake_vals(vals)
        if vals.get("lot_id") and "warranty_id" not in vals:
            lot = self.env["stock.lot"].browse(vals["lot_id"])
            vals = {**self._prepare_serial_vals(lot), **vals}
        res = super().write(vals)
        if "phone" in vals or "partner_id" in vals:
            self._normalize_phones()
        if {"lot_id", "partner_id", "serial_override"} & set(vals):
            self._check_serial_received()
        if {"product_id", "date_reported", "priority", "company_id"} & set(vals):
            self._apply_sla_priority()
        return res

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
    # Checks done on create/write
    # ------------------------------------------------------------------

    @api.model
    def _clean_intake_vals(self, vals):
        """``vals`` as the database can take them, or a sentence saying what is wrong.

        Claims come in through RPC scripts and forms too, which may send anything: a link to an id no
        record can have (negative, past the database's integer range) is refused with a message, not
        PostgreSQL's "integer out of range"; NUL characters, which no text column can hold and nobody
        types, are dropped.
        """
        vals = dict(vals)
        for name, value in vals.items():
            field = self._fields.get(name)
            if not field:
                continue
            if field.type == "many2one" and isinstance(value, int) and not 0 <= value < 2**31:
                raise self._no_record_error(name, value)
            if field.type in ("char", "text", "html") and isinstance(value, str) and "\x00" in value:
                vals[name] = value.replace("\x00", "")
        return vals

    def _no_record_error(self, field_name, record_id):
        return ValidationError(
            self.env._(
                "%(field)s: there is no record with id %(id)s.",
                field=self._fields[field_name].get_description(self.env)["string"],
                id=record_id,
            )
        )

    def _normalize_phones(self):
        """Store phones in E.164, with the customer's country (else the company's)."""
        for claim in self.filtered("phone"):
            country = claim.partner_id.country_id or claim.company_id.country_id
            try:
                number = claim._phone_format_number(
                    claim.phone, country, force_format="E164", raise_exception=True
                )
            except UserError as error:
                raise ValidationError(
                    self.env._(
                        "The phone number %(phone)s of claim %(name)s is not valid: %(reason)s",
                        phone=claim.phone,
                        name=claim.name,
                        reason=str(error),
                    )
                ) from error
            if number and number != claim.phone:
                claim.phone = number  # written again, already in E.164: the check stops there

    def _check_serial_received(self):
        """A serial must have reached the claim's customer, unless a manager overrides it."""
        for claim in self.filtered(lambda c: c.lot_id and c.partner_id):
            received = claim.lot_id.warranty_ids.filtered(
                lambda w, c=claim: (
                    w.state != "void"
                    and w.partner_id.commercial_partner_id == c.partner_id.commercial_partner_id
                )
            )
            if received:
                continue
            if not claim.serial_override:
                raise ValidationError(
                    self.env._(
                        "Serial number %(serial)s was never delivered to %(customer)s: check the serial, "
                        "or ask an After-Sales manager to accept the claim anyway.",
                        serial=claim.lot_id.name,
                        customer=claim.partner_id.display_name,
                    )
                )
            if (
                not self.env.user.has_group("aftersales_warranty.group_aftersales_manager")
                and not self.env.su
            ):
                raise ValidationError(
                    self.env._(
                        "Only an After-Sales manager can accept serial %(serial)s, "
                        "which %(customer)s never received.",
                        serial=claim.lot_id.name,
                        customer=claim.partner_id.display_name,
                    )
                )

    def _apply_sla_priority(self):
        for claim in self:
            raise_to = claim.sla_id.raise_priority
            if raise_to and int(raise_to) > int(claim.priority):
                claim.priority = raise_to

    @api.model
    def _warranty_covers(self, warranty, when):
        """Whether ``warranty`` covers its unit at datetime ``when`` (dates in the company's zone)."""
        if not warranty or not when or warranty.state == "void" or not warranty.date_start:
            return False
        day = self.env["aftersales.warranty"]._date_in_company_tz(warranty.company_id, when)
        return warranty.state in ("active", "expired") and warranty.date_start <= day <= warranty.date_end

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
        self.write({"state": "diagnosis"})
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
                claim.write({"state": "in_progress", "resolution": "repair"})
            else:
                claim.write({"state": "awaiting_approval", "resolution": "repair"})
            claim.message_post(
                body=self.env._("Repair order %(repair)s created.", repair=repair._get_html_link())
            )
        return True

    def action_request_approval(self):
        """Hold the claim until the customer or a manager approves the (paid) repair quotation."""
        self._ensure_state(("diagnosis",), self.env._("wait for approval"))
        for claim in self:
            if not claim.repair_order_ids.filtered(lambda r: r.state == "draft"):
                self.env["repair.order"].create(claim._prepare_repair_vals())
        self.write({"state": "awaiting_approval", "resolution": "repair"})
        return True

    def action_approve(self):
        self._ensure_state(("awaiting_approval",), self.env._("be approved"))
        self.repair_order_ids.filtered(lambda r: r.state == "draft")._action_repair_confirm()
        self.write({"state": "in_progress"})
        return True

    def action_replace(self):
        """Return receipt for the faulty unit and delivery of a replacement unit."""
        self._ensure_state(("diagnosis", "awaiting_approval"), self.env._("be replaced"))
        for claim in self:
            claim._check_unit_known()
            claim._create_return_receipt()
            claim._create_replacement_delivery()
        self.write({"state": "in_progress", "resolution": "replace"})
        return True

    def action_refund(self):
        """Return receipt, plus a draft credit note for the invoiced line when one exists."""
        self._ensure_state(("diagnosis", "awaiting_approval"), self.env._("be refunded"))
        for claim in self:
            claim._check_unit_known()
            claim._create_return_receipt()
            claim.credit_note_id = claim._create_credit_note()
        self.write({"state": "in_progress", "resolution": "refund"})
        return True

    def action_resolve(self):
        """Mark the claim solved (advice from diagnosis, or the repair/replacement/refund done)."""
        self._ensure_state(("diagnosis", "in_progress"), self.env._("be resolved"))
        for claim in self:
            if claim.state == "diagnosis" and claim.resolution not in (False, "advice"):
                raise UserError(
                    self.env._(
                        "Claim %(name)s is in diagnosis: only advice resolves it now.", name=claim.name
                    )
                )
        self.filtered(lambda c: not c.resolution).resolution = "advice"
        self.write({"state": "resolved", "date_resolved": fields.Datetime.now()})
        return True

    def action_close(self):
        self._ensure_state(("resolved",), self.env._("be closed"))
        self.write({"state": "closed", "date_closed": fields.Datetime.now()})
        return True

    def action_reject(self):
        self._ensure_state(OPEN_STATES, self.env._("be rejected"))
        for claim in self:
            if not (claim.reject_reason or "").strip():
                raise UserError(
                    self.env._("Write why claim %(name)s is rejected (Reject Reason) first.", name=claim.name)
                )
        self._cancel_open_operations()
        self.write({"state": "rejected", "resolution": "reject", "date_resolved": fields.Datetime.now()})
        return True

    def action_cancel(self):
        self._ensure_state(OPEN_STATES, self.env._("be cancelled"))
        self._cancel_open_operations()
        self.write({"state": "cancelled"})
        return True

    def action_reopen(self):
        self._ensure_state(("resolved", "rejected"), self.env._("be reopened"))
        self.write({"state": "diagnosis", "resolution": False, "date_resolved": False})
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
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(action_xmlid)
        action["domain"] = [("aftersales_claim_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _prepare_repair_vals(self):
        self.ensure_one()
        return {
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "under_warranty": self.under_warranty,
            "aftersales_claim_id": self.id,
            # Not the customer's order as sale_order_id: that is the repair's own quotation, and the
            # parts would be added to (and invoiced on) the order that sold the unit.
            "internal_notes": self.description,
        }

    def _cancel_open_operations(self):
        """Stop what the claim started and no longer needs: repairs, transfers, draft credit note.

        Otherwise a replacement could still be delivered, and void the warranty, for a claim that
        was dropped.
        """
        self.repair_order_ids.filtered(lambda r: r.state not in ("done", "cancel")).action_repair_cancel()
        # Transfers and credit notes are system documents, see _create_claim_picking.
        claims = self.sudo()
        claims.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")).action_cancel()
        claims.credit_note_id.filtered(lambda m: m.state == "draft").button_cancel()

    def _check_unit_known(self):
        if not self.product_id:
            raise UserError(
                self.env._(
                    "Claim %(name)s has no product: set the product or the serial first.", name=self.name
                )
            )
        if self.product_id.tracking == "serial" and not self.lot_id:
            raise UserError(
                self.env._("Claim %(name)s needs the serial number of the faulty unit.", name=self.name)
            )

    def _warehouse(self):
        return self.sale_order_id.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )

    def _create_claim_picking(self, picking_type, location, location_dest, **move_vals):
        """A confirmed one-unit transfer of the claimed product, linked to the claim.

        The agent decides, the warehouse executes: the transfer is a system document that agents
        need not be allowed to create themselves, hence sudo (company set explicitly).
        """
        self.ensure_one()
        picking = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": self.partner_id.id,
                    "location_id": location.id,
                    "location_dest_id": location_dest.id,
                    "origin": self.name,
                    "company_id": self.company_id.id,
                    "aftersales_claim_id": self.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": self.product_id.id,
                                "product_uom_qty": 1.0,
                                "location_id": location.id,
                                "location_dest_id": location_dest.id,
                                **move_vals,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        return picking

    def _create_return_receipt(self):
        """A receipt bringing the faulty unit (its serial named) back from the customer."""
        picking_type = self.sudo()._warehouse().in_type_id
        picking = self._create_claim_picking(
            picking_type,
            self.env.ref("stock.stock_location_customers"),
            picking_type.default_location_dest_id,
        )
        if self.lot_id:
            # Units come back from a customer location, where nothing is reserved: name the serial.
            move = picking.move_ids
            move.move_line_ids.unlink()
            self.env["stock.move.line"].sudo().create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_uom.id,
                    "lot_id": self.lot_id.id,
                    "quantity": 1.0,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                }
            )
        return picking

    def _create_replacement_delivery(self):
        """A delivery of a replacement unit; its warranty inherits the remaining coverage."""
        picking_type = self.sudo()._warehouse().out_type_id
        picking = self._create_claim_picking(
            picking_type,
            picking_type.default_location_src_id,
            self.env.ref("stock.stock_location_customers"),
            aftersales_claim_id=self.id,
        )
        picking.action_assign()
        return picking

    def _create_credit_note(self):
        """Draft credit note for one unit of the invoiced sale line of the claimed product."""
        # A draft for the accountants to check: agents need no invoicing rights to propose it.
        claim = self.sudo()
        line = (
            claim.warranty_id.sale_line_id
            or claim.sale_order_id.order_line.filtered(lambda sol, p=claim.product_id: sol.product_id == p)[
                :1
            ]
        )
        invoice_line = line.invoice_lines.filtered(
            lambda aml: aml.move_id.move_type == "out_invoice" and aml.move_id.state == "posted"
        )[:1]
        if not invoice_line:
            self.message_post(
                body=self.env._("No posted invoice was found for this unit: no credit note was drafted.")
            )
            return self.env["account.move"]
        invoice = invoice_line.move_id
        credit_note = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "currency_id": invoice.currency_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": self.name,
                    "ref": self.env._("Refund of claim %(name)s", name=self.name),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": invoice_line.product_id.id,
                                "quantity": 1.0,
                                "price_unit": invoice_line.price_unit,
                                "discount": invoice_line.discount,
                                "tax_ids": [Command.set(invoice_line.tax_ids.ids)],
                                "sale_line_ids": [Command.set(line.ids)],
                            }
                        )
                    ],
                }
            )
        )
        self.message_post(
            body=self.env._("Draft credit note %(move)s created.", move=credit_note._get_html_link())
        )
        return credit_note

    def _on_repair_done(self):
        """Repair orders of these claims are done: resolve the claims in progress none of whose
        repairs is still open."""
        self.filtered(
            lambda c: (
                c.state == "in_progress" and all(r.state in ("done", "cancel") for r in c.repair_order_ids)
            )
        ).action_resolve()
