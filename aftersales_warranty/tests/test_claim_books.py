"""What a claim leaves in the order, the stock and the books, read as the warehouse manager and the
accountant read them, on a product category in real-time valuation (AVCO, then FIFO)."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .claim_common import AftersalesClaimCommon


class ClaimBooksCommon(AftersalesClaimCommon):
    """Three air conditioners sold (10 % off 700, plus 15 % tax), delivered and invoiced, in a
    category valued in real time with ``cost_method``."""

    cost_method = "average"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.air_conditioners.write(
            {"property_valuation": "real_time", "property_cost_method": cls.cost_method}
        )
        cls.product_serial.standard_price = 300.0
        cls.lots = cls._add_stock(cls.product_serial, lot_names=["BK-1", "BK-2", "BK-3", "BK-SPARE"])
        cls.unit, cls.unit_2, cls.unit_3, cls.spare = cls.lots
        # What the upgrade (and a new company's chart) does: the Faulty Units location and the
        # warranty-expense account, its valuation account.
        cls.company._aftersales_create_faulty_locations()
        cls.faulty_location = cls.company.aftersales_faulty_location_id
        cls.warranty_expense = cls.company.aftersales_warranty_expense_account_id
        cls.stock_account = cls.product_serial._get_product_accounts()["stock_valuation"]
        cls.tax = cls.env["account.tax"].create({"name": "VAT 15%", "amount": 15.0, "type_tax_use": "sale"})
        freezer = freeze_time("2026-01-12 09:00:00")
        freezer.start()
        order = cls._sell([(cls.product_serial, 3)])
        order.order_line.write({"discount": 10.0, "tax_ids": [Command.set(cls.tax.ids)]})
        cls.books_order = order
        cls.line = order.order_line
        picking = order.picking_ids
        picking.action_assign()
        move = picking.move_ids
        move.move_line_ids.unlink()
        cls.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": cls.product_serial.id,
                    "product_uom_id": move.product_uom.id,
                    "lot_id": lot.id,
                    "quantity": 1.0,
                    "location_id": cls.stock_location.id,
                    "location_dest_id": move.location_dest_id.id,
                }
                for lot in (cls.unit, cls.unit_2, cls.unit_3)
            ]
        )
        move.picked = True
        picking.with_user(cls.stock_user).button_validate()
        cls.delivery_move = move
        try:
            cls.invoice = cls._invoice(order, 3.0)
        finally:
            freezer.stop()

    @classmethod
    def _invoice(cls, order, quantity):
        invoice = order._create_invoices()
        invoice.invoice_line_ids.quantity = quantity
        invoice.action_post()
        return invoice

    def _books_claim(self, lot=None, **vals):
        claim = self._claim(lot_id=(lot or self.unit).id, cause_id=self.cause.id, **vals)
        claim.action_start_diagnosis()
        return claim

    def _receipt(self, claim):
        return self._pickings(claim)[0]

    def _validate_receipt(self, claim):
        return self._validate(self._receipt(claim))

    def _quant(self, lot):
        """Where the unit is: its quant in the company's locations, or at a customer's."""
        quants = self.env["stock.quant"].search([("lot_id", "=", lot.id), ("quantity", ">", 0)])
        return quants.filtered(lambda q: q.location_id.usage == "internal") or quants

    def _assert_warranty_entry(self, move, amount):
        """``move`` booked Dr warranty expense / Cr stock for ``amount``."""
        entry = move.account_move_id
        self.assertEqual(entry.state, "posted")
        debit = entry.line_ids.filtered(lambda aml: aml.account_id == self.warranty_expense)
        credit = entry.line_ids.filtered(lambda aml: aml.account_id == self.stock_account)
        self.assertAlmostEqual(debit.balance, amount)
        self.assertAlmostEqual(credit.balance, -amount)

    def _assert_return_of_delivery(self, receipt):
        move = receipt.move_ids
        self.assertEqual(move.origin_returned_move_id, self.delivery_move, "a return of the unit's delivery")
        self.assertTrue(move.to_refund, "the order's delivered quantity follows it")
        self.assertEqual(move.sale_line_id, self.line)
        self.assertEqual(receipt.sale_id, self.books_order, "the order's transfers show it")
        self.assertEqual(receipt.location_dest_id, self.faulty_location)


class ClaimBooksTests:
    """The scenarios, run once per cost method."""

    def test_faulty_units_location(self):
        location = self.faulty_location
        self.assertTrue(location)
        self.assertEqual(self.warranty_expense.account_type, "expense")
        self.assertEqual(location.valuation_account_id, self.warranty_expense)
        self.assertFalse(location._should_be_valued(), "faulty units are worth nothing in stock")
        self.assertNotIn(location, self.env["stock.location"].search([("is_valued_internal", "=", True)]))
        self.assertEqual((location.usage, location.company_id), ("internal", self.company))
        self.assertFalse(location._child_of(self.warehouse.lot_stock_id), "outside WH/Stock")
        other = self.env["res.company"].create({"name": "Second Branch"})
        self.assertTrue(other.aftersales_faulty_location_id)
        self.assertEqual(other.aftersales_faulty_location_id.company_id, other)

    def test_refund_of_an_invoiced_unit(self):
        claim = self._books_claim()
        claim.action_refund()
        receipt = self._receipt(claim)
        self._assert_return_of_delivery(receipt)
        self.assertEqual(receipt.move_line_ids.owner_id, self.customer, "the unit is still the customer's")
        credit_note = claim.sudo().credit_note_id
        self.assertEqual(credit_note.invoice_origin, self.books_order.name)
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        invoice_line = self.invoice.invoice_line_ids.filtered("product_id")
        self.assertAlmostEqual(credit_note.amount_untaxed, invoice_line.price_subtotal / 3)
        self.assertAlmostEqual(credit_note.amount_untaxed, 630.0, msg="700 less 10 %")
        self.assertAlmostEqual(credit_note.amount_tax, 94.5)

        self._validate_receipt(claim)
        quant = self._quant(self.unit)
        self.assertEqual((quant.location_id, quant.owner_id), (self.faulty_location, self.customer))
        self.assertFalse(receipt.move_ids.is_in, "the customer's unit is not valued as ours")
        # Delivered at a cost of 300 and refunded, the unit is written off: Dr warranty expense.
        self._assert_warranty_entry(receipt.move_ids, 300.0)
        self.assertEqual(self.line.qty_delivered, 2.0)
        self.assertEqual(claim.state, "in_progress", "the credit note is not posted yet")

        credit_note.action_post()
        self.assertEqual(claim.state, "resolved")
        self.assertEqual((self.line.qty_delivered, self.line.qty_invoiced), (2.0, 2.0))
        self.assertEqual(self.line.qty_to_invoice, 0.0)
        self.assertEqual(self.books_order.invoice_status, "invoiced")
        self.assertEqual(self.warranty_of(self.unit).state, "void", "a refunded unit is not covered")
        receivable = credit_note.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        self.assertAlmostEqual(-receivable.balance, credit_note.amount_total)
        claim.action_close()
        self.assertEqual(claim.state, "closed")

    def test_refunded_unit_never_to_invoice(self):
        lots = self._add_stock(self.product_serial, lot_names=["BK-4", "BK-5"])
        with freeze_time("2026-01-12 09:00:00"):
            order = self._sell([(self.product_serial, 2)])
            self._deliver(order)
            self._invoice(order, 1.0)  # one unit billed so far
        line = order.order_line
        self.assertEqual(order.invoice_status, "to invoice")
        claim = self._books_claim(lot=lots[1])
        claim.action_refund()
        self.assertFalse(claim.credit_note_id, "the customer keeps the one unit billed: nothing to credit")
        self.assertIn("no longer to invoice", claim.message_ids[0].body)
        receipt = self._receipt(claim)
        self.assertEqual(receipt.move_ids.sale_line_id, line)
        self._validate(receipt)
        self.assertEqual(claim.state, "resolved", "nothing to credit: the return settles it")
        self.assertEqual((line.qty_delivered, line.qty_invoiced, line.qty_to_invoice), (1.0, 1.0, 0.0))
        self.assertEqual(
            order.invoice_status, "invoiced", "the customer is not billed for the unit sent back"
        )

    def test_same_serial_is_not_refunded_twice(self):
        claim = self._books_claim()
        claim.action_refund()
        self._validate_receipt(claim)
        claim.sudo().credit_note_id.action_post()
        self.assertEqual(claim.state, "resolved")
        claim.action_close()
        # A manager accepts a claim on the serial (the customer no longer holds it).
        again = self._books_claim(user=self.manager, serial_override=True)
        for action in ("action_refund", "action_replace"):
            with self.assertRaisesRegex(UserError, "already refunded or replaced"), self.env.cr.savepoint():
                getattr(again, action)()
        self.assertEqual(again.state, "diagnosis")
        credit_notes = self.env["account.move"].search([("reversed_entry_id", "=", self.invoice.id)])
        self.assertEqual(len(credit_notes), 1)

    def test_credit_capped_at_what_is_invoiced(self):
        # The accountant already credited one unit of the line by hand.
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({"journal_id": self.invoice.journal_id.id, "reason": "Commercial gesture"})
        )
        manual = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        manual.invoice_line_ids.filtered("product_id").quantity = 1.0
        manual.action_post()
        self.assertEqual(self.line.qty_invoiced, 2.0)
        claim = self._books_claim()
        claim.action_refund()
        self.assertFalse(claim.credit_note_id, "three invoiced, one credited, two kept: nothing more")
        self.assertIn("all credited or kept", claim.message_ids[0].body)
        second = self._books_claim(lot=self.unit_2)
        second.action_refund()
        self.assertEqual(second.sudo().credit_note_id.invoice_line_ids.quantity, 1.0)

    def test_refund_resolves_only_when_the_unit_is_back(self):
        claim = self._books_claim()
        claim.action_refund()
        claim.sudo().credit_note_id.action_post()
        self.assertEqual(claim.state, "in_progress", "the unit has not come back")
        with self.assertRaisesRegex(UserError, "validate its return receipt first"), self.env.cr.savepoint():
            claim.action_resolve()
        self._validate_receipt(claim)
        self.assertEqual(claim.state, "resolved")

    def test_replacement_is_an_exchange(self):
        claim = self._books_claim()
        claim.action_replace()
        receipt, delivery = self._pickings(claim)
        self._assert_return_of_delivery(receipt)
        self.assertEqual(delivery.move_ids.sale_line_id, self.line)
        self.assertEqual(delivery.sale_id, self.books_order)
        self.assertNotIn(self.unit, delivery.move_line_ids.lot_id)
        self._validate(delivery, lot=self.spare)
        self.assertEqual(claim.state, "resolved")
        self.assertEqual(self.line.qty_delivered, 4.0, "the faulty unit is still at the customer's")
        with self.assertRaisesRegex(UserError, "still has an open transfer"), self.env.cr.savepoint():
            claim.action_close()
        self._validate(receipt)
        self.assertEqual(self.line.qty_delivered, 3.0, "one back, one out: three delivered, as sold")
        self.assertEqual(self.line.qty_to_invoice, 0.0)
        self.assertEqual(self.books_order.invoice_status, "invoiced")
        self.assertEqual(self.books_order.delivery_count, 3, "the order shows the return and the exchange")
        quant = self._quant(self.unit)
        self.assertEqual((quant.location_id, quant.owner_id), (self.faulty_location, self.customer))
        self.assertTrue(delivery.move_ids.is_out)
        self.assertAlmostEqual(delivery.move_ids.value, 300.0, msg="the replacement leaves at cost")
        self._assert_warranty_entry(delivery.move_ids, 300.0)
        self.assertFalse(receipt.move_ids.account_move_id, "the faulty unit itself books nothing")
        self.assertEqual(self.warranty_of(self.spare).state, "active")
        claim.action_close()
        self.assertEqual(claim.state, "closed")

    def test_replacement_never_reserves_the_faulty_serial(self):
        for lot in self.spare | self.lot_in_stock:  # nothing else at hand
            self.env["stock.quant"]._update_available_quantity(
                self.product_serial, self.stock_location, -1.0, lot_id=lot
            )
        claim = self._books_claim()
        claim.action_replace()
        receipt, delivery = self._pickings(claim)
        self._validate(receipt)
        delivery.action_assign()
        self.assertNotEqual(delivery.state, "assigned", "the only unit at hand is the customer's faulty one")
        self.assertFalse(delivery.move_line_ids.lot_id)
        other = self._sell([(self.product_serial, 1)], partner=self.other_customer)
        other.picking_ids.action_assign()
        self.assertFalse(other.picking_ids.move_line_ids.lot_id, "no sale reserves it either")
        delivery.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": delivery.move_ids.id,
                "picking_id": delivery.id,
                "product_id": self.product_serial.id,
                "product_uom_id": delivery.move_ids.product_uom.id,
                "lot_id": self.unit.id,
                "quantity": 1.0,
                "location_id": self.faulty_location.id,
                "location_dest_id": delivery.location_dest_id.id,
            }
        )
        delivery.move_ids.picked = True
        with self.assertRaisesRegex(UserError, "customer's faulty unit"), self.env.cr.savepoint():
            delivery.button_validate()

    def test_cancelled_claim_sends_the_unit_back(self):
        warranty = self.warranty_of(self.unit)
        claim = self._books_claim()
        claim.action_refund()
        self._validate_receipt(claim)
        self.assertEqual(self.line.qty_delivered, 2.0)
        claim.action_cancel()
        self.assertEqual(claim.state, "cancelled")
        self.assertEqual(claim.sudo().credit_note_id.state, "cancel")
        back = claim.sudo().picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(back.location_dest_id.usage, "customer")
        self.assertEqual(back.move_ids.origin_returned_move_id, self._receipt(claim).move_ids)
        self.assertEqual(back.move_line_ids.lot_id, self.unit)
        self._validate(back)
        quant = self._quant(self.unit)
        self.assertEqual(quant.location_id.usage, "customer")
        self.assertEqual(self.line.qty_delivered, 3.0, "the unit is the customer's again")
        self.assertEqual(warranty.state, "active")
        self.assertEqual(self.warranty_of(self.unit), warranty, "no new warranty for the same unit")

    def test_covered_repair_parts_are_a_warranty_expense(self):
        part = self.env["product.product"].create(
            {
                "name": "Fan motor",
                "type": "consu",
                "is_storable": True,
                "categ_id": self.air_conditioners.id,
                "standard_price": 40.0,
            }
        )
        self._add_stock(part, 2)
        claim = self._books_claim()
        self.assertTrue(claim.under_warranty)
        claim.action_start_repair()
        repair = self.env["repair.order"].browse(claim.repair_order_ids.ids)  # the workshop's
        repair.write(
            {
                "move_ids": [
                    Command.create({"product_id": part.id, "product_uom_qty": 1.0, "repair_line_type": "add"})
                ]
            }
        )
        repair.action_repair_start()
        repair.move_ids.picked = True
        repair.action_repair_end()
        part_move = repair.move_ids.filtered(lambda m: m.product_id == part)
        self.assertEqual(part_move.state, "done")
        self.assertAlmostEqual(part_move.value, 40.0)
        self._assert_warranty_entry(part_move, 40.0)

    def test_paid_repair_is_billed(self):
        part = self.env["product.product"].create(
            {"name": "Fan motor", "type": "consu", "is_storable": True, "list_price": 80.0}
        )
        self._add_stock(part, 2)
        claim = self._books_claim(date_reported="2028-03-01 08:00:00")  # long after the warranty
        self.assertFalse(claim.under_warranty)
        claim.action_request_approval()
        repair = self.env["repair.order"].browse(claim.repair_order_ids.ids)  # the workshop's
        with self.assertRaisesRegex(UserError, "has no price yet"), self.env.cr.savepoint():
            claim._check_priced_quotation()  # what the portal's Approve checks first
        repair.write(
            {
                "move_ids": [
                    Command.create({"product_id": part.id, "product_uom_qty": 1.0, "repair_line_type": "add"})
                ]
            }
        )
        repair.action_create_sale_order()
        quotation = repair.sale_order_id
        claim._check_priced_quotation()
        claim._portal_approve_quotation()
        self.assertEqual(claim.state, "in_progress")
        self.assertEqual(quotation.state, "sale", "the approval confirms the quotation")
        repair.action_repair_start()
        repair.move_ids.picked = True
        repair.action_repair_end()
        part_line = quotation.order_line.filtered(lambda sol: sol.product_id == part)
        self.assertEqual((part_line.qty_delivered, part_line.qty_to_invoice), (1.0, 1.0))
        self.assertEqual(quotation.invoice_status, "to invoice")

    def warranty_of(self, lot):
        return self.env["aftersales.warranty"].search([("lot_id", "=", lot.id)], order="id desc", limit=1)


@tagged("post_install", "-at_install")
class TestClaimBooksAvco(ClaimBooksTests, ClaimBooksCommon):
    cost_method = "average"


@tagged("post_install", "-at_install")
class TestClaimBooksFifo(ClaimBooksTests, ClaimBooksCommon):
    cost_method = "fifo"
