from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .aftersales_guard_mixin import check_internal_read
from .wkhtmltopdf_bidi import rtl_html_boxes, rtl_text_boxes

WARRANTY_STATES = [
    ("pending", "Pending"),
    ("unregistered", "Awaiting Registration"),
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
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
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
            "dealer_id",
            "date_registered",
            "registration_channel",
            "registered_phone",
        }

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
        """``count`` references of the warranty sequence, in one query whatever ``count``."""
        names = self.env["ir.sequence"]._aftersales_next_by_code("aftersales.warranty", count)
        if names is None:
            raise UserError(self.env._("The warranty sequence (aftersales.warranty) is missing."))
        return names

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
                # A unit without serial is named by its warranty, expired or not: the claim keeps
                # the unit's history (see aftersales.claim._aftersales_context_warranty).
                "aftersales_warranty_id": self.id,
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

    # ------------------------------------------------------------------
    # Doors: what other models tell the warranty (only the warranty moves its own state)
    # ------------------------------------------------------------------

    def _on_unit_refunded(self, claim):
        """The unit of these warranties came back under refund claim ``claim``: it is the company's
        now, its coverage ends (a second refund of the same serial is refused)."""
        live = self.filtered(lambda w: w.state != "void")
        if not live:
            return
        live._system_write({"state": "void"})
        live._message_log_batch(
            bodies=dict.fromkeys(
                live.ids, self.env._("Voided: the unit was refunded under claim %(name)s.", name=claim.name)
            )
        )

    @api.model
    def _on_sale_cancelled(self, orders):
        """Sale orders ``orders`` were cancelled: they no longer promise coverage. Their warranties
        not delivered yet are voided, and the warranties they extended lose those extensions (the
        extension lines' state drives ``date_end``)."""
        # Whoever cancels the order, the system follows with the warranties it promised.
        Warranty = self.sudo()
        pending = Warranty.search([("sale_order_id", "in", orders.ids), ("state", "=", "pending")])
        if pending:
            pending._system_write({"state": "void"})
        Warranty.search([("extension_line_ids", "in", orders.order_line.ids)])._refresh_expiry_state()

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
