from collections import defaultdict

import pytz
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero

from .aftersales_guard_mixin import check_internal_read
from .wkhtmltopdf_bidi import rtl_html_boxes, rtl_text_boxes

WARRANTY_STATES = [
    ("pending", "Pending"),
    ("active", "Active"),
    ("expired", "Expired"),
    ("void", "Void"),
]


class AftersalesWarranty(models.Model):
    _name = "aftersales.warranty"
    _description = "Warranty"
    _inherit = ["aftersales.guard.mixin", "portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "lot_id.name", "partner_id.name"]
    # Salespeople only read warranties, yet they extend them and discuss them in the chatter.
    _mail_post_access = "read"
    # What the delivery, the policy, extensions and the expiry cron decide: nobody types them.
    # The unit, its customer and its policy come from the delivery; a manager may record a legacy
    # warranty by hand (see _aftersales_may_write_protected), nobody rewrites one afterwards.
    _aftersales_protected_fields = (
        "name",
        "state",
        "date_start",
        "date_end_base",
        "date_end",
        "extension_line_ids",
        "policy_id",
        "product_id",
        "lot_id",
        "quantity",
        "partner_id",
        "sale_order_id",
        "sale_line_id",
        "move_id",
        "company_id",
    )

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
    product_id = fields.Many2one("product.product", required=True, index=True, check_company=True)
    product_tmpl_id = fields.Many2one(related="product_id.product_tmpl_id", string="Product Template")
    tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index="btree_not_null",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    quantity = fields.Float(digits="Product Unit", default=1.0, required=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        help="The customer of the sale order (not its delivery address).",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        store=True,
        precompute=True,
        index=True,
        string="Commercial Entity",
    )
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", check_company=True)
    sale_line_id = fields.Many2one("sale.order.line", index="btree_not_null", check_company=True)
    move_id = fields.Many2one(
        "stock.move", string="Delivery Move", index="btree_not_null", check_company=True
    )
    date_delivered = fields.Datetime("Delivered On", related="move_id.date")
    policy_id = fields.Many2one("aftersales.warranty.policy", required=True, index=True, check_company=True)
    coverage_parts = fields.Boolean(related="policy_id.coverage_parts")
    coverage_labour = fields.Boolean(related="policy_id.coverage_labour")
    coverage_replacement = fields.Boolean(related="policy_id.coverage_replacement")
    date_start = fields.Date("Start Date", tracking=True)
    date_end_base = fields.Date(
        "Policy End Date",
        compute="_compute_date_end_base",
        store=True,
        readonly=False,
        precompute=True,
        help="End of the coverage given by the policy, before extensions.",
    )
    date_end = fields.Date(
        "End Date",
        compute="_compute_date_end",
        store=True,
        precompute=True,
        index=True,
        tracking=True,
        help="Last covered day (inclusive), extensions included.",
    )
    state = fields.Selection(
        WARRANTY_STATES,
        default="pending",
        required=True,
        copy=False,
        readonly=True,
        tracking=True,
        index=True,
    )
    extension_line_ids = fields.Many2many(
        "sale.order.line",
        "aftersales_warranty_extension_rel",
        "warranty_id",
        "sale_line_id",
        string="Extensions",
        copy=False,
        readonly=True,
        help="Sale lines of warranty extension products that extend this warranty.",
    )
    days_left = fields.Integer(compute="_compute_days_left")
    claim_ids = fields.One2many("aftersales.claim", "warranty_id", string="Claims")
    claim_count = fields.Integer(compute="_compute_claim_count")

    _lot_live_unique = models.UniqueIndex(
        "(lot_id, company_id) WHERE state != 'void' AND lot_id IS NOT NULL",
        "A serial number can have only one live warranty per company: void the old one first.",
    )
    # The expiry cron's search: only active warranties, by end date. Ordered by id over the whole
    # table, its last batches walked 800,000 expired rows each (0.4 s); expiring takes rows out.
    _active_date_end_index = models.Index("(date_end) WHERE state = 'active'")
    _quantity_positive = models.Constraint(
        "CHECK(quantity >= 0)", "The quantity of a warranty cannot be negative."
    )

    @api.constrains("date_start", "date_end_base")
    def _check_dates(self):
        for warranty in self:
            if (
                warranty.date_start
                and warranty.date_end_base
                and warranty.date_end_base < warranty.date_start
            ):
                raise ValidationError(
                    self.env._(
                        "Warranty %(name)s ends on %(end)s, before it starts on %(start)s: fix the dates.",
                        name=warranty.name,
                        end=warranty.date_end_base,
                        start=warranty.date_start,
                    )
                )

    @api.constrains("lot_id", "product_id")
    def _check_lot_product(self):
        for warranty in self:
            if warranty.lot_id and warranty.lot_id.product_id != warranty.product_id:
                raise ValidationError(
                    self.env._(
                        "Serial number %(lot)s belongs to %(lot_product)s, not to %(product)s.",
                        lot=warranty.lot_id.name,
                        lot_product=warranty.lot_id.product_id.display_name,
                        product=warranty.product_id.display_name,
                    )
                )

    @api.model
    def _pdf_text(self, value, rtl):
        """``value`` (text, or the HTML of a policy's terms) as the certificate prints it: in a
        right-to-left certificate, as boxes that wkhtmltopdf places right (see wkhtmltopdf_bidi)."""
        if not rtl:
            return value or ""
        if isinstance(value, Markup):
            return rtl_html_boxes(value)
        return rtl_text_boxes(str(value or ""))

    @api.depends("date_start", "policy_id")
    def _compute_date_end_base(self):
        for warranty in self:
            if warranty.date_start and warranty.policy_id:
                warranty.date_end_base = warranty.policy_id._get_date_end(warranty.date_start)
            else:
                warranty.date_end_base = False

    @api.depends(
        "date_end_base",
        "extension_line_ids.state",
        "extension_line_ids.product_uom_qty",
        "extension_line_ids.product_id",
        "extension_line_ids.invoice_lines.move_id.state",
        "extension_line_ids.invoice_lines.quantity",
        "extension_line_ids.aftersales_extended_warranty_ids.state",
    )
    def _compute_date_end(self):
        for warranty in self:
            date_end = warranty.date_end_base
            if date_end:
                # Each extension line gives this warranty its share of the line's units.
                for line in warranty.extension_line_ids.sorted("id"):
                    date_end = line._apply_warranty_extension(date_end, warranty)
            warranty.date_end = date_end

    @api.depends("date_end", "state")
    def _compute_days_left(self):
        today = fields.Date.context_today(self)
        for warranty in self:
            if warranty.state == "active" and warranty.date_end:
                warranty.days_left = (warranty.date_end - today).days + 1
            else:
                warranty.days_left = 0

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for warranty in self:
            warranty.access_url = f"/my/warranties/{warranty.id}"
        return res

    def _compute_claim_count(self):
        counts = dict(
            self.env["aftersales.claim"]._read_group(
                [("warranty_id", "in", self.ids)], ["warranty_id"], ["__count"]
            )
        )
        for warranty in self:
            warranty.claim_count = counts.get(warranty, 0)

    @api.model
    def _aftersales_prepare_create(self, vals_list):
        new_name = self.env._("New")
        unnamed = [vals for vals in vals_list if vals.get("name", new_name) == new_name]
        if unnamed:
            for vals, name in zip(unnamed, self._next_references(len(unnamed)), strict=True):
                vals["name"] = name
        return super()._aftersales_prepare_create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_live(self):
        if any(warranty.state in ("active", "expired") for warranty in self):
            raise UserError(
                self.env._(
                    "A warranty that was given to a customer cannot be deleted: void it instead, "
                    "so that its history stays."
                )
            )

    def _next_references(self, count):
        """``count`` references of the warranty sequence, in one query whatever ``count``.

        The sequence is a standard (PostgreSQL) one without date ranges, so the numbers can be
        drawn together; formatting stays the sequence's own (prefix, padding, suffix).
        """
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [("code", "=", "aftersales.warranty"), ("company_id", "in", [self.env.company.id, False])],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            raise UserError(self.env._("The warranty sequence (aftersales.warranty) is missing."))
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _i in range(count)]
        # What get_next_char does per number, with the prefix and suffix interpolated once (before
        # the query: reading the sequence's fields may use the cursor).
        prefix, suffix = sequence._get_prefix_suffix()
        padding = sequence.padding
        self.env.cr.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)", [f"ir_sequence_{sequence.id:03d}", count]
        )
        return [f"{prefix}{number:0{padding}d}{suffix}" for (number,) in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_void(self):
        """Void live warranties (the unit is no longer covered under this record): managers only."""
        self._check_manager(self.env._("void a warranty"))
        for warranty in self:
            if warranty.state == "void":
                raise UserError(self.env._("Warranty %(name)s is already void.", name=warranty.name))
        self._system_write({"state": "void"})
        return True

    def action_extend(self):
        """Create a quotation of the policy's extension product targeting this warranty."""
        check_internal_read(self)
        self.ensure_one()
        if self.state not in ("active", "expired"):
            raise UserError(
                self.env._(
                    "Warranty %(name)s is %(state)s: only an active or expired warranty can be extended.",
                    name=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[self.state],
                )
            )
        product = self.policy_id.extension_product_id
        if not product:
            raise UserError(
                self.env._(
                    "Policy %(policy)s offers no extension product: set one on the policy first.",
                    policy=self.policy_id.name,
                )
            )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                # Whoever prepares the renewal owns the quotation (the customer's salesperson may
                # be someone else, whose orders a salesperson cannot add lines to).
                "user_id": self.env.user.id,
                "origin": self.name,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": 1.0, "warranty_target_id": self.id}
                    )
                ],
            }
        )
        self.message_post(
            body=self.env._("Extension quotation %(order)s created.", order=order._get_html_link())
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_new_claim(self):
        """Open a new claim for this unit, filled from its warranty."""
        check_internal_read(self.env["aftersales.claim"], "create")
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.claim",
            "views": [(False, "form")],
            "context": {
                # The serial brings the warranty and the order (see aftersales.claim).
                "default_lot_id": self.lot_id.id,
                "default_product_id": self.product_id.id,
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
            },
        }

    def action_view_claims(self):
        check_internal_read(self)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_warranty.aftersales_claim_action")
        action["domain"] = [("warranty_id", "=", self.id)]
        action["context"] = {"default_warranty_id": self.id, "default_lot_id": self.lot_id.id}
        return action

    def action_print_certificate(self):
        check_internal_read(self)
        return self.env.ref("aftersales_warranty.action_report_warranty_certificate").report_action(self)

    def action_view_sale_order(self):
        check_internal_read(self)
        self.ensure_one()
        return self.sale_order_id.get_formview_action() if self.sale_order_id else False

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _aftersales_may_write_protected(self, creating):
        # A manager may record a warranty given outside Odoo (a legacy card) with its dates.
        return super()._aftersales_may_write_protected(creating) or (
            creating and self.env.user.has_group("aftersales_warranty.group_aftersales_manager")
        )

    def _check_company(self, fnames=None):
        """The ORM's company check, made once per company and field rather than once per record.

        Warranties are created by the thousand with a delivery: checking each one's serial, order
        line and move separately took most of the creation time. The values of all the records of
        one company are checked together; the ORM's own check runs (and raises its usual message)
        only when something is inconsistent, or when there is nothing to batch.
        """
        if len(self) < 2:
            return super()._check_company(fnames)
        if fnames is None or {"company_id", "company_ids"} & set(fnames):
            fnames = self._fields
        names = []
        for name in fnames:
            field = self._fields[name]
            if field.relational and field.check_company:
                if field.company_dependent:
                    return super()._check_company(fnames)
                names.append(name)
        for company, records in self.sudo().grouped("company_id").items():
            for name in names:
                corecords = records[name] if len(records) == 1 else records.mapped(name)
                if not corecords:
                    continue
                domain = corecords._check_company_domain(company)
                if domain and corecords != corecords.with_context(active_test=False).filtered_domain(domain):
                    return super()._check_company(fnames)
        return None

    @api.model
    def _date_in_company_tz(self, company, value):
        """The calendar date of datetime ``value`` in the company's time zone."""
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        return pytz.utc.localize(value).astimezone(tz).date()

    @api.model
    def _create_from_moves(self, moves):
        """Create the warranties of done customer deliveries ``moves`` (any number, any order).

        One warranty per delivered serial for serial-tracked products, one per move with its
        quantity otherwise. A serial that still has a live warranty (returned, then sold again)
        gets its old warranty voided: the new sale governs. The pending warranty of each sale
        line shrinks by the delivered quantity. Query count does not depend on the number of
        serials.
        """
        moves = moves.filtered(
            lambda m: (
                m.state == "done"
                and (m.sale_line_id or m.aftersales_claim_id)
                and m.location_dest_id.usage == "customer"
                and m.location_id.usage != "customer"
            )
        )
        if not moves:
            return self.browse()
        # A claim's replacement is delivered on the unit's sale line (an exchange): it inherits
        # the replaced unit's coverage instead of starting a sale's.
        replacements = moves.filtered("aftersales_claim_id")
        moves -= replacements
        replaced = self._create_from_replacement_moves(replacements) if replacements else self.browse()
        policies = moves.product_id._get_warranty_policies()
        moves = moves.filtered(lambda m: policies.get(m.product_id))
        if not moves:
            return replaced
        # Deliveries are validated by warehouse users who may not manage warranties: the warranty
        # is a consequence of the delivery, written by the system.
        Warranty = self.sudo()
        vals_list = []
        for move in moves:
            common = self._prepare_sale_move_vals(move, policies[move.product_id])
            if move.product_id.tracking == "serial":
                for move_line in move.move_line_ids:
                    if move_line.lot_id and move_line.quantity > 0:
                        vals_list.append({**common, "lot_id": move_line.lot_id.id, "quantity": 1.0})
            else:
                quantity = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
                if not float_is_zero(quantity, precision_rounding=move.product_id.uom_id.rounding):
                    vals_list.append({**common, "quantity": quantity})
        if not vals_list:
            return replaced
        lot_ids = [vals["lot_id"] for vals in vals_list if vals.get("lot_id")]
        if lot_ids:
            previous = Warranty.search([("lot_id", "in", lot_ids), ("state", "!=", "void")])
            previous._void_for_resale()
        warranties = Warranty._take_pending(vals_list, moves)
        warranties._link_order_extensions()
        warranties._refresh_expiry_state()
        warranties.sale_order_id._schedule_warranty_certificates()
        return (warranties | replaced).sudo(False)

    @api.model
    def _prepare_sale_move_vals(self, move, policy):
        """Values shared by the warranties of sale delivery ``move`` under ``policy`` (no serial
        or quantity yet)."""
        order = move.sale_line_id.order_id
        date = order.date_order if policy.start_trigger == "sale" else move.date
        return {
            "product_id": move.product_id.id,
            "partner_id": order.partner_id.id,
            "sale_order_id": order.id,
            "sale_line_id": move.sale_line_id.id,
            "move_id": move.id,
            "policy_id": policy.id,
            "company_id": move.company_id.id,
            "date_start": self._date_in_company_tz(move.company_id, date),
            "state": "active",
        }

    @api.model
    def _create_from_replacement_moves(self, moves):
        """Warranties of replacement units delivered for claims: they inherit the remaining coverage.

        The new unit is covered until the replaced unit's warranty ended; that warranty is voided.
        """
        Warranty = self.sudo()  # a delivery made by the warehouse, see _create_from_moves
        vals_list, old_warranties = [], Warranty
        for move in moves:
            claim = move.sudo().aftersales_claim_id  # storekeepers cannot read claims
            old = claim.warranty_id
            policy = old.policy_id or move.product_id._get_warranty_policies().get(move.product_id)
            if not policy:
                continue
            date_start = self._date_in_company_tz(move.company_id, move.date)
            common = {
                "product_id": move.product_id.id,
                "partner_id": claim.partner_id.id or old.partner_id.id,
                "sale_order_id": old.sale_order_id.id or claim.sale_order_id.id,
                "sale_line_id": old.sale_line_id.id,
                "move_id": move.id,
                "policy_id": policy.id,
                "company_id": move.company_id.id,
                "date_start": date_start,
                "date_end_base": max(old.date_end, date_start) if old.date_end else False,
                "state": "active",
            }
            if move.product_id.tracking == "serial":
                vals_list += [
                    {**common, "lot_id": ml.lot_id.id, "quantity": 1.0}
                    for ml in move.move_line_ids
                    if ml.lot_id and ml.quantity > 0
                ]
            else:
                vals_list.append({**common, "quantity": move.quantity})
            old_warranties |= old
        if not vals_list:
            return self.browse()
        lot_ids = [vals["lot_id"] for vals in vals_list if vals.get("lot_id")]
        previous = (
            Warranty.search([("lot_id", "in", lot_ids), ("state", "!=", "void")]) if lot_ids else Warranty
        )
        (previous - old_warranties)._void_for_resale()
        old_live = old_warranties.filtered(lambda w: w.state != "void")
        if old_live:
            old_live._system_write({"state": "void"})
            old_live.flush_recordset(["state"])
            body = self.env._(
                "Voided: the unit was replaced under a claim; the replacement keeps its coverage."
            )
            old_live._message_log_batch(bodies=dict.fromkeys(old_live.ids, body))
        warranties = Warranty.with_context(mail_create_nolog=True, tracking_disable=True).create(vals_list)
        warranties._refresh_expiry_state()
        claims = moves.sudo().aftersales_claim_id.filtered(
            lambda c: c.state == "in_progress" and c.resolution == "replace"
        )
        for picking, picking_moves in moves.grouped("picking_id").items():
            # The delivery settles the claim, whoever validated it.
            (picking_moves.sudo().aftersales_claim_id & claims)._on_replacement_delivered(picking)
        return warranties

    def _void_for_resale(self):
        """Void live warranties of serials delivered to a customer again, with a chatter note."""
        if not self:
            return
        body = self.env._("Voided: this serial number was delivered again and its new sale governs.")
        self._system_write({"state": "void"})
        # The partial unique index on live serials must see the void before the new warranty.
        self.flush_recordset(["state"])
        self._message_log_batch(bodies=dict.fromkeys(self.ids, body))

    def _link_order_extensions(self):
        """Link the confirmed, untargeted extension lines of each warranty's sale order."""
        orders = self.sale_order_id
        ext_lines = orders.order_line.filtered(
            lambda line: line.product_id.is_warranty_extension and not line.warranty_target_id
        )
        if not ext_lines:
            return
        lines_by_order = defaultdict(list)
        for line in ext_lines:
            lines_by_order[line.order_id].append(line.id)
        for order, line_ids in lines_by_order.items():
            warranties = self.filtered(lambda w, o=order: w.sale_order_id == o)
            warranties._system_write({"extension_line_ids": [Command.link(line_id) for line_id in line_ids]})

    @api.model
    def _take_pending(self, vals_list, moves):
        """Warranties for the delivered units ``vals_list``, taking over the lines' pending ones.

        A pending warranty whose line is now fully delivered becomes the warranty of the line's
        first delivered unit (it keeps its reference); otherwise its quantity shrinks by what was
        delivered. Writing instead of deleting keeps the delivery's own writes in one flush.
        """
        pending = self.search(
            [("sale_line_id", "in", moves.sale_line_id.ids), ("state", "=", "pending")], order="id"
        )
        delivered = defaultdict(float)
        for vals in vals_list:
            delivered[vals["sale_line_id"]] += vals["quantity"]
        taken, updates = set(), []
        for warranty in pending:
            line_id = warranty.sale_line_id.id
            remaining = warranty.quantity - delivered[line_id]
            delivered[line_id] = max(0.0, -remaining)
            if float_compare(remaining, 0.0, precision_rounding=warranty.product_id.uom_id.rounding) > 0:
                warranty.quantity = remaining
                continue
            index = next(
                (i for i, vals in enumerate(vals_list) if vals["sale_line_id"] == line_id and i not in taken),
                None,
            )
            if index is None:
                warranty._system_write({"state": "void"})
                continue
            taken.add(index)
            updates.append((warranty, vals_list[index]))
        Warranty = self.with_context(mail_create_nolog=True, tracking_disable=True)
        warranties = Warranty.create([vals for i, vals in enumerate(vals_list) if i not in taken])
        for warranty, vals in updates:  # one per sale line, whatever the number of serials
            warranty.with_context(tracking_disable=True)._system_write(vals)
            warranties |= warranty
        return warranties

    def _refresh_expiry_state(self):
        """Active when coverage runs through today, expired after ``date_end`` (extensions count)."""
        today = fields.Date.context_today(self)
        live = self.filtered(lambda w: w.state in ("active", "expired") and w.date_end)
        to_expire = live.filtered(lambda w: w.state == "active" and w.date_end < today)
        to_revive = live.filtered(lambda w: w.state == "expired" and w.date_end >= today)
        if to_expire:
            to_expire._system_write({"state": "expired"})
        if to_revive:
            to_revive._system_write({"state": "active"})

    @api.model
    def _create_pending_for_lines(self, lines):
        """Pending warranties for the confirmed sale ``lines`` whose product carries a policy."""
        lines = lines.filtered(lambda line: line.product_id.is_storable and not line.display_type)
        policies = lines.product_id._get_warranty_policies()
        vals_list = []
        for line in lines:
            policy = policies.get(line.product_id)
            if not policy or line.warranty_ids:
                continue
            quantity = line.product_uom_id._compute_quantity(line.product_uom_qty, line.product_id.uom_id)
            if quantity <= 0:
                continue
            vals_list.append(
                {
                    "product_id": line.product_id.id,
                    "partner_id": line.order_id.partner_id.id,
                    "sale_order_id": line.order_id.id,
                    "sale_line_id": line.id,
                    "policy_id": policy.id,
                    "company_id": line.company_id.id,
                    "quantity": quantity,
                    "state": "pending",
                }
            )
        # Pending warranties follow order confirmation, done by salespeople with read access only.
        return self.sudo().with_context(mail_create_nolog=True, tracking_disable=True).create(vals_list)

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _cron_expire_warranties(self, batch_size=10000):
        """Move active warranties whose ``date_end`` has passed to expired, in committed batches.

        Expiry is the calendar reaching ``date_end``, not somebody's act: it is not tracked in the
        chatter (a message per warranty made 500,000 expiries take about half an hour).
        """
        today = fields.Date.context_today(self)
        domain = [("state", "=", "active"), ("date_end", "<", today)]
        in_cron = bool(self.env.context.get("cron_id"))
        while True:
            batch = self.search(domain, limit=batch_size, order="date_end, id")
            if not batch:
                break
            # One set-based UPDATE, then the ORM told what changed: the stored fields depending
            # on the state (orders' warranty status, claims' coverage) are recomputed in batch.
            # ``state = 'active'`` again: a warranty voided meanwhile by a user stays void.
            self.env.cr.execute(
                SQL(
                    "UPDATE aftersales_warranty SET state = 'expired', write_uid = %s,"
                    " write_date = (now() at time zone 'UTC') WHERE id IN %s AND state = 'active'"
                    " RETURNING id",
                    self.env.uid,
                    tuple(batch.ids),
                )
            )
            expired = self.browse(row[0] for row in self.env.cr.fetchall())
            batch.invalidate_recordset(["state", "write_uid", "write_date"])
            expired.modified(["state"])
            # The orders' status reads the state of all their warranties: load just that column,
            # or the recompute fetches every column of ten thousand warranties.
            self.search_fetch([("sale_order_id", "in", batch.sale_order_id.ids)], ["state"], order="id")
            self.env.flush_all()
            if not in_cron:
                continue
            # Not counted: over half a million rows a count costs a tenth of a batch, and the
            # scheduler calls back once per batch after the first ten seconds. A full batch means
            # there may be more; a short one that it was the last.
            more = int(len(batch) == batch_size)
            if self.env["ir.cron"]._commit_progress(len(expired), remaining=more) <= 0:
                break
            self.env.invalidate_all()

    def _get_report_base_filename(self):
        """Name of the certificate's file, e.g. for the portal's download (see portal.mixin)."""
        self.ensure_one()
        return self.env._("Warranty Certificate %(name)s", name=self.name)
