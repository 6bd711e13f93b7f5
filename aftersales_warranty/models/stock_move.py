from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain


class StockMove(models.Model):
    _inherit = "stock.move"

    aftersales_claim_id = fields.Many2one(
        "aftersales.claim",
        string="Replacement for Claim",
        index="btree_not_null",
        copy=False,
        help="Set on the delivery of a replacement unit: its warranty inherits the claimed unit's coverage.",
    )

    def _action_done(self, cancel_backorder=False):
        self._check_replacement_not_claimed_unit()
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        if not self.env.context.get("aftersales_skip_warranty"):
            # A return of a return (a claim's unit sent back to its customer) is the same unit
            # going home: its warranty and its visits stay as they were.
            new_units = moves.filtered(lambda m: not m.origin_returned_move_id)
            self.env["aftersales.warranty"]._create_from_moves(new_units)
            self.env["aftersales.visit"]._create_from_moves(new_units)
            # Replacement units delivered for claims: the claims decide whether that settles them
            # (storekeepers cannot read claims, the system tells them).
            replacements = new_units.filtered("aftersales_claim_id").sudo()
            if replacements:
                replacements.aftersales_claim_id._on_replacement_delivered(replacements.picking_id)
        return moves

    def _check_replacement_not_claimed_unit(self):
        """The replacement of a claim is never the customer's own faulty serial."""
        for move in self.filtered("aftersales_claim_id"):
            lot = move.sudo().aftersales_claim_id.lot_id  # storekeepers cannot read claims
            if lot and lot in move.move_line_ids.filtered(lambda ml: ml.quantity > 0).lot_id:
                raise UserError(
                    self.env._(
                        "Serial %(serial)s is the customer's faulty unit: it cannot be their replacement, "
                        "pick another serial.",
                        serial=lot.name,
                    )
                )

    # ------------------------------------------------------------------
    # Warranty cost in the books (products valued in real time)
    # ------------------------------------------------------------------

    def _aftersales_warranty_cost_kind(self):
        """'replacement' for a claim's replacement unit leaving stock, 'repair' for a part given free
        by a claim's repair under warranty, 'refund' for a refunded unit arriving in Faulty Units,
        else False: all book Dr warranty expense / Cr stock."""
        self.ensure_one()
        if (
            self.state != "done"
            or not self.product_id.is_storable
            or self.product_id.valuation != "real_time"
            or not self.company_id.sudo().aftersales_warranty_expense_account_id
        ):
            return False
        if self.aftersales_claim_id and self.location_dest_id.usage == "customer" and self.is_out:
            return "replacement"
        repair = self.repair_id.sudo()
        if (
            repair.under_warranty
            and repair.aftersales_claim_id
            and self.repair_line_type == "add"
            and self.is_out
        ):
            return "repair"
        claim = self.picking_id.sudo().aftersales_claim_id
        if (
            claim.resolution == "refund"
            and self.origin_returned_move_id
            and self.location_id.usage == "customer"
            and self.location_dest_id == self.company_id.sudo().aftersales_faulty_location_id
        ):
            return "refund"
        return False

    def _should_create_account_move(self):
        if self._aftersales_warranty_cost_kind():
            return not self.product_uom.is_zero(self.quantity)
        return super()._should_create_account_move()

    def _get_aml_value(self):
        if self._aftersales_warranty_cost_kind() == "refund":
            # The unit's cost when it was delivered (the customer's unit is not valued on arrival).
            origin = self.origin_returned_move_id
            if not origin.quantity:
                return 0.0
            return self.company_id.currency_id.round(origin.value / origin.quantity * self.quantity)
        return super()._get_aml_value()

    def _get_account_move_line_vals(self):
        if not self._aftersales_warranty_cost_kind():
            return super()._get_account_move_line_vals()
        expense = self.company_id.sudo().aftersales_warranty_expense_account_id
        stock = self.product_id._get_product_accounts()["stock_valuation"]
        value = self._get_aml_value()
        name = self.reference + " - " + self.product_id.name
        return [
            {
                "account_id": stock.id,
                "name": name,
                "debit": 0,
                "credit": value,
                "product_id": self.product_id.id,
            },
            {
                "account_id": expense.id,
                "name": name,
                "debit": value,
                "credit": 0,
                "product_id": self.product_id.id,
            },
        ]

    @api.model
    def _aftersales_past_delivery_domain(self, products):
        """Done sale deliveries to a customer of ``products`` (returns to us excluded)."""
        return Domain(
            [
                ("state", "=", "done"),
                ("product_id", "in", products.ids),
                ("sale_line_id", "!=", False),
                ("location_dest_id.usage", "=", "customer"),
                ("location_id.usage", "!=", "customer"),
                ("aftersales_claim_id", "=", False),
                ("origin_returned_move_id", "=", False),
            ]
        )

    @api.model
    def _aftersales_products_with_policy(self, policies=None):
        """Storable products (archived included) whose applied policy is active, or one of ``policies``."""
        Category = self.env["product.category"].with_context(active_test=False)
        categories = Category.search([("warranty_policy_id", "!=", False)])
        if categories:
            categories = Category.search([("id", "child_of", categories.ids)])
        products = (
            self.env["product.product"]
            .with_context(active_test=False)
            .search(
                [
                    ("is_storable", "=", True),
                    "|",
                    ("product_tmpl_id.warranty_policy_id", "!=", False),
                    ("categ_id", "in", categories.ids),
                ]
            )
        )
        applied = products._get_warranty_policies()
        return products.filtered(lambda p: p in applied and (policies is None or applied[p] in policies))

    @api.model
    def _aftersales_create_past_warranties(self, policies=None, moves=None, batch_size=500):
        """Create the warranties of sale deliveries done before their product had a policy.

        Deliveries validated while the product carried a policy already have their warranties;
        this catches up with the others (deliveries made before the addon was installed, or before
        a policy was set on the product or its category). ``policies`` limits it to the products
        those policies apply to; ``moves`` to those moves. Idempotent: a move that already has a
        warranty is skipped, and so is a serial that already has a live warranty or whose latest
        sale delivery is another move (the latest sale governs, as for a resale). Works in batches
        of ``batch_size`` moves, oldest first. The certificates of these past deliveries are not
        emailed (print them from the order). Returns the created warranties.
        """
        # The manager who runs it may not read stock moves; the warranties are written by the system,
        # as when a delivery is validated (see aftersales.warranty._create_from_moves).
        Move = self.sudo().with_context(active_test=False)
        Warranty = self.env["aftersales.warranty"].sudo()
        products = self._aftersales_products_with_policy(policies)
        if not products:
            return Warranty.browse().sudo(False)
        domain = self._aftersales_past_delivery_domain(products)
        if moves is not None:
            domain &= Domain("id", "in", moves.ids)
        move_ids = Move.search(domain, order="date, id").ids
        created = Warranty.browse()
        for start in range(0, len(move_ids), batch_size):
            batch = Move.browse(move_ids[start : start + batch_size])
            created |= self._aftersales_create_past_batch(batch)
            # Keep memory flat over many deliveries: what is written is flushed, the cache emptied.
            self.env.flush_all()
            self.env.invalidate_all()
        return created.sudo(False)

    def _aftersales_create_past_batch(self, moves):
        """Warranties of the past deliveries ``moves`` (sudo), skipping what is already covered."""
        Warranty = self.env["aftersales.warranty"].sudo()
        covered = Warranty.search([("move_id", "in", moves.ids)]).move_id
        moves -= covered
        serial_lines = moves.move_line_ids.filtered(
            lambda ml: ml.lot_id and ml.quantity > 0 and ml.product_id.tracking == "serial"
        )
        lots = serial_lines.lot_id
        if lots:
            live = Warranty.search([("lot_id", "in", lots.ids), ("state", "!=", "void")]).lot_id
            latest = self._aftersales_latest_sale_delivery(lots)
            skipped = serial_lines.filtered(lambda ml: ml.lot_id in live or latest[ml.lot_id] != ml.move_id)
        else:
            skipped = serial_lines.browse()
        partial = skipped.move_id
        orders = moves.sale_line_id.order_id
        already_pending = orders.filtered("warranty_certificate_pending")
        # A move whose serials are all skipped gets nothing; the others of a partially covered move
        # are created below one by one, since _create_from_moves would void the live warranties.
        whole = moves - partial
        warranties = Warranty._create_from_moves(whole) if whole else Warranty
        if partial:
            policies = partial.product_id._get_warranty_policies()
            vals_list = [
                {
                    **Warranty._prepare_sale_move_vals(line.move_id, policies[line.product_id]),
                    "lot_id": line.lot_id.id,
                    "quantity": 1.0,
                }
                for line in serial_lines.filtered(lambda ml: ml.move_id in partial) - skipped
            ]
            if vals_list:
                new = Warranty.with_context(mail_create_nolog=True, tracking_disable=True).create(vals_list)
                new._refresh_expiry_state()
                warranties |= new
        # Customers are not emailed certificates of deliveries made long before the warranty existed.
        (warranties.sale_order_id - already_pending).warranty_certificate_pending = False
        return warranties

    def _aftersales_latest_sale_delivery(self, lots):
        """Map each serial of ``lots`` to the move of its latest done sale delivery to a customer."""
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search_fetch(
                [
                    ("lot_id", "in", lots.ids),
                    ("quantity", ">", 0),
                    ("move_id.state", "=", "done"),
                    ("move_id.sale_line_id", "!=", False),
                    ("location_dest_id.usage", "=", "customer"),
                    ("location_id.usage", "!=", "customer"),
                ],
                ["lot_id", "move_id", "date"],
                order="date desc, id desc",
            )
        )
        latest = {}
        for line in lines:
            latest.setdefault(line.lot_id, line.move_id)
        return latest
