"""What a claim does in the workshop, the warehouse and the books: the repair order, the
return receipt, the replacement delivery, the credit note."""

from odoo import Command, models
from odoo.exceptions import UserError


class AftersalesClaim(models.Model):
    _inherit = "aftersales.claim"

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
        # The customer's unit already received goes back: it never became ours.
        self._send_back_units()

    # ------------------------------------------------------------------
    # The workflow's actions, checked against the warehouse and the books
    # ------------------------------------------------------------------

    def action_replace(self):
        self._check_unit_not_settled()
        return super().action_replace()

    def action_refund(self):
        self._check_unit_not_settled()
        return super().action_refund()

    def action_resolve(self):
        self._check_refund_return_done()
        return super().action_resolve()

    def action_close(self):
        self._check_no_open_transfer()
        return super().action_close()

    def _approve_quotation(self):
        """The approval confirms the repair's quotation (its sale order): once the repair is done,
        its parts and services are to invoice."""
        repairs = self.repair_order_ids.filtered(lambda r: r.state == "draft")
        res = super()._approve_quotation()
        # The quotation is the customer's bill, confirmed by the system for whoever approved (the
        # customer on the portal, or a manager): neither needs sales rights.
        repairs = repairs.sudo()
        unquoted = repairs.filtered(lambda r: not r.sale_order_id and r.partner_id and r.move_ids)
        if unquoted:
            unquoted._create_sale_order()
        repairs.sale_order_id.filtered(lambda so: so.state in ("draft", "sent")).action_confirm()
        return res

    def _has_priced_quotation(self):
        """True when every repair waiting for approval has a quotation with a price."""
        self.ensure_one()
        waiting = self.sudo().repair_order_ids.filtered(lambda r: r.state == "draft")
        return bool(waiting) and all(
            r.sale_order_id and not r.sale_order_id.currency_id.is_zero(r.sale_order_id.amount_total)
            for r in waiting
        )

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

    def _claimed_delivery_move(self):
        """The done customer delivery that brought the claimed unit to the customer (sudo).

        The warranty's own delivery when it has one, otherwise the serial's latest delivery to a
        customer; empty when the unit's delivery is not on record.
        """
        self.ensure_one()
        claim = self.sudo()  # agents need not read stock moves
        move = claim.warranty_id.move_id
        if (
            move
            and move.state == "done"
            and move.picking_id
            and move.location_dest_id.usage == "customer"
            and (not claim.lot_id or claim.lot_id in move.move_line_ids.lot_id)
        ):
            return move
        if claim.lot_id:
            line = (
                self.env["stock.move.line"]
                .sudo()
                .search(
                    [
                        ("lot_id", "=", claim.lot_id.id),
                        ("state", "=", "done"),
                        ("location_dest_id.usage", "=", "customer"),
                        ("location_id.usage", "!=", "customer"),
                        ("picking_id", "!=", False),
                    ],
                    order="date desc, id desc",
                    limit=1,
                )
            )
            return line.move_id
        return self.env["stock.move"].sudo()

    def _faulty_location(self):
        company = self.company_id.sudo()
        if not company.aftersales_faulty_location_id:
            company._aftersales_create_faulty_locations()
        return company.aftersales_faulty_location_id

    def _set_unit_move_line(self, move, owner):
        """Name the claimed unit on ``move``: its serial, and ``owner`` (the customer) as its owner.

        Returns of a customer's unit come from a location where nothing is reserved, and the unit
        stays the customer's (not valued, never reserved) until the claim settles.
        """
        move = move.sudo()
        move.move_line_ids.unlink()
        self.env["stock.move.line"].sudo().create(
            {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "product_id": move.product_id.id,
                "product_uom_id": move.product_uom.id,
                "lot_id": self.lot_id.id,
                "owner_id": owner.id,
                "quantity": move.product_uom_qty,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
            }
        )

    def _return_of(self, move, quantity=1.0):
        """A return of done ``move`` (Odoo's *Return* of its transfer) for ``quantity``, confirmed;
        the order's delivered quantity follows it (``to_refund``)."""
        wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_context(active_id=move.picking_id.id, active_model="stock.picking")
            .create({"picking_id": move.picking_id.id})
        )
        wizard.product_return_moves.filtered(lambda line: line.move_id != move).unlink()
        line = wizard.product_return_moves
        if line:
            line.write({"quantity": quantity, "to_refund": True})
        else:
            wizard.product_return_moves = [
                Command.create(
                    {
                        "product_id": move.product_id.id,
                        "move_id": move.id,
                        "quantity": quantity,
                        "to_refund": True,
                    }
                )
            ]
        return wizard._create_return()

    def _create_return_receipt(self):
        """The faulty unit comes back: a return of the unit's delivery (its order's delivered quantity
        follows), received into the company's *Faulty Units* location with the customer as owner."""
        self.ensure_one()
        faulty = self._faulty_location()
        delivery = self._claimed_delivery_move()
        if delivery:
            picking = self._return_of(delivery)
            picking.write(
                {
                    "location_dest_id": faulty.id,
                    "aftersales_claim_id": self.id,
                    "partner_id": self.partner_id.id or picking.partner_id.id,
                    "origin": self.name,
                }
            )
            picking.move_ids.write({"location_dest_id": faulty.id})
        else:
            picking_type = self.sudo()._warehouse().in_type_id
            picking = self._create_claim_picking(
                picking_type, self.env.ref("stock.stock_location_customers"), faulty
            )
        owner = (self.partner_id or delivery.picking_id.partner_id).commercial_partner_id
        self._set_unit_move_line(picking.move_ids, owner)
        return picking

    def _create_replacement_delivery(self):
        """A delivery of a replacement unit on the unit's sale line (an exchange: the order's
        delivered quantity is back to what was sold); its warranty inherits the remaining coverage."""
        picking_type = self.sudo()._warehouse().out_type_id
        delivery = self._claimed_delivery_move()
        sale_line = delivery.sale_line_id or self.sudo().warranty_id.sale_line_id
        picking = self._create_claim_picking(
            picking_type,
            picking_type.default_location_src_id,
            self.env.ref("stock.stock_location_customers"),
            aftersales_claim_id=self.id,
            sale_line_id=sale_line.id,
        )
        picking.action_assign()
        if self.lot_id and self.lot_id in picking.move_line_ids.lot_id:
            # Never the customer's own faulty serial (a unit of an older database left in stock).
            picking.move_line_ids.filtered(lambda ml: ml.lot_id == self.lot_id).unlink()
        return picking

    def _send_back_units(self):
        """A claim dropped after the customer's unit arrived: return it to the customer (a return of
        the receipt, so the order's delivered quantity is restored)."""
        for claim in self:
            receipts = claim.sudo().picking_ids.filtered(
                lambda p: p.state == "done" and p.location_id.usage == "customer"
            )
            for move in receipts.move_ids.filtered(lambda m: m.state == "done"):
                returned = sum(
                    move.returned_move_ids.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty")
                )
                if move.product_uom.compare(move.quantity - returned, 0.0) <= 0:
                    continue
                picking = claim._return_of(move, move.quantity - returned)
                picking.write(
                    {
                        "aftersales_claim_id": claim.id,
                        "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        "origin": claim.name,
                    }
                )
                owner = move.move_line_ids.owner_id[:1] or claim.partner_id.commercial_partner_id
                claim._set_unit_move_line(picking.move_ids, owner)
                claim.message_post(
                    body=self.env._(
                        "The customer's unit goes back to them: %(picking)s.",
                        picking=picking._get_html_link(),
                    )
                )

    def _check_no_open_transfer(self):
        for claim in self:
            open_pickings = claim.sudo().picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            if open_pickings:
                raise UserError(
                    self.env._(
                        "Claim %(name)s still has an open transfer (%(picking)s): validate or cancel it "
                        "before closing the claim.",
                        name=claim.name,
                        picking=open_pickings[0].name,
                    )
                )

    def _check_refund_return_done(self):
        for claim in self.filtered(lambda c: c.resolution == "refund"):
            if not claim._refund_return_done():
                raise UserError(
                    self.env._(
                        "Claim %(name)s is a refund: it is resolved once the customer's unit has come "
                        "back, validate its return receipt first.",
                        name=claim.name,
                    )
                )
            draft = claim.sudo().credit_note_id.filtered(lambda m: m.state == "draft")
            if draft:
                raise UserError(
                    self.env._(
                        "Claim %(name)s is a refund: post its credit note %(move)s before resolving it.",
                        name=claim.name,
                        move=draft.display_name,
                    )
                )

    def _check_unit_not_settled(self):
        """A unit already refunded or replaced under another claim is ours: it cannot be refunded
        or replaced again (its warranty is void)."""
        claims = self.sudo()
        settled = (
            claims.search(
                [
                    ("id", "not in", self.ids),
                    ("lot_id", "in", claims.lot_id.ids),
                    ("resolution", "in", ("refund", "replace")),
                    ("state", "in", ("in_progress", "resolved", "closed")),
                ]
            )
            if claims.lot_id
            else self.browse()
        )
        for claim in claims:
            done = settled.filtered(lambda c, lot=claim.lot_id: c.lot_id == lot)
            if done and (not claim.warranty_id or claim.warranty_id.state == "void"):
                raise UserError(
                    self.env._(
                        "Serial %(serial)s was already refunded or replaced under claim %(other)s: claim "
                        "%(name)s cannot refund or replace it again.",
                        serial=claim.lot_id.name,
                        other=done[0].name,
                        name=claim.name,
                    )
                )

    # ------------------------------------------------------------------
    # Entry points: the warehouse and the books tell the claim what happened
    # ------------------------------------------------------------------

    def _on_return_received(self, picking):
        """The customer's unit of these claims arrived (``picking`` done): a refund whose credit
        note is posted (or that has none) is settled."""
        self.filtered(
            lambda c: (
                c.state == "in_progress"
                and c.resolution == "refund"
                and (not c.credit_note_id or c.credit_note_id.state == "posted")
            )
        )._settle_refund()

    def _on_refund_posted(self, move):
        """The credit note ``move`` of these refund claims was posted: those whose unit came back
        are settled."""
        self.filtered(
            lambda c: c.state == "in_progress" and c.resolution == "refund" and c._refund_return_done()
        )._settle_refund()

    def _refund_return_done(self):
        self.ensure_one()
        receipts = self.sudo().picking_ids.filtered(lambda p: p.location_id.usage == "customer")
        return bool(receipts) and all(p.state == "done" for p in receipts)

    def _settle_refund(self):
        """The unit came back and its credit note is posted: the unit is ours, its warranty void, the
        claim resolved."""
        for claim in self:
            claim._void_refunded_warranty()
        self._resolve_done_work()

    def _void_refunded_warranty(self):
        # The warranty moves its own state: the claim tells it through its door.
        self.warranty_id._on_unit_refunded(self)

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
        invoice_lines = line.invoice_lines.filtered(lambda aml: aml.move_id.state != "cancel")
        invoice_line = invoice_lines.filtered(
            lambda aml: aml.move_id.move_type == "out_invoice" and aml.move_id.state == "posted"
        )[:1]
        if not invoice_line:
            self.message_post(
                body=self.env._("No posted invoice was found for this unit: no credit note was drafted.")
            )
            return self.env["account.move"]
        # What is left to credit: the line's posted invoices, net of its credit notes (drafts
        # included, so that two claims never credit one unit twice), beyond the units the customer
        # keeps (delivered, less the returns under way). A returned unit that was never invoiced
        # is simply no longer to invoice.
        uom = line.product_uom_id
        invoiced = sum(
            aml.product_uom_id._compute_quantity(aml.quantity, uom)
            for aml in invoice_lines
            if aml.move_id.move_type == "out_invoice" and aml.move_id.state == "posted"
        )
        credited = sum(
            aml.product_uom_id._compute_quantity(aml.quantity, uom)
            for aml in invoice_lines
            if aml.move_id.move_type == "out_refund"
        )
        returning = sum(
            move.product_uom._compute_quantity(move.product_uom_qty, uom)
            for move in line.move_ids
            if move.state not in ("done", "cancel")
            and move.to_refund
            and move.location_id.usage == "customer"
        )
        quantity = min(1.0, invoiced - credited - (line.qty_delivered - returning))
        if uom.compare(quantity, 0.0) <= 0:
            self.message_post(
                body=self.env._(
                    "The invoiced units of this order line are all credited or kept by the customer: "
                    "no credit note was drafted, the returned unit is no longer to invoice."
                )
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
                    "invoice_origin": line.order_id.name or self.name,
                    "ref": self.env._("Refund of claim %(name)s", name=self.name),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": invoice_line.product_id.id,
                                "quantity": quantity,
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
