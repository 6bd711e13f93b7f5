from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .claim_common import AftersalesClaimCommon


@tagged("post_install", "-at_install")
class TestClaimRepair(AftersalesClaimCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.compressor = cls.env["product.product"].create(
            {"name": "Compressor", "type": "consu", "is_storable": True, "list_price": 120.0}
        )
        cls._add_stock(cls.compressor, 5)
        # Repairs are the workshop's: Odoo lets storekeepers work them (and quote their parts).
        cls.technician = new_test_user(
            cls.env,
            login="as_technician",
            groups="stock.group_stock_user,sales_team.group_sale_salesman",
            name="Technician",
        )

    def _add_part(self, repair):
        """The technician adds a compressor to ``repair`` and quotes it to the customer."""
        repair = repair.with_user(self.technician)
        repair.write(
            {
                "move_ids": [
                    Command.create(
                        {"product_id": self.compressor.id, "product_uom_qty": 1.0, "repair_line_type": "add"}
                    )
                ]
            }
        )
        repair.action_create_sale_order()
        return repair.sale_order_id.order_line

    def _finish(self, repair):
        """The technician (who cannot work claims) repairs the unit."""
        self.env.invalidate_all()  # a new request: nothing read by the agent is cached for him
        repair = repair.with_user(self.technician)
        repair.action_repair_start()
        self.assertEqual(repair.state, "under_repair")
        repair.move_ids.picked = True
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")

    def test_repair_under_warranty_is_free_and_resolves_the_claim(self):
        claim = self._claim_in_state("diagnosis", cause_id=self.cause.id)
        claim.action_start_repair()
        self.assertEqual((claim.state, claim.resolution), ("in_progress", "repair"))
        repair = claim.repair_order_ids
        self.assertEqual(len(repair), 1)
        self.assertEqual(repair.state, "confirmed", "under warranty, no approval is needed")
        self.assertEqual(
            (repair.product_id, repair.lot_id, repair.partner_id, repair.aftersales_claim_id),
            (self.product_serial, self.lot, self.customer, claim),
        )
        self.assertTrue(repair.under_warranty)
        self.assertEqual(repair.company_id, claim.company_id)
        self.assertFalse(repair.sale_order_id, "the customer's original order is no repair quotation")
        self.assertIn(repair.name, claim.message_ids[0].body)
        # Odoo prices the parts of a repair under warranty 0.
        quoted = self._add_part(repair)
        self.assertNotEqual(quoted.order_id, self.order)
        self.assertEqual(quoted.product_id, self.compressor)
        self.assertEqual(quoted.price_unit, 0.0)
        self.assertEqual(self.order.order_line.product_id, self.product_serial, "the sold order is untouched")
        self._finish(repair)
        self.assertEqual((claim.state, claim.resolution), ("resolved", "repair"))
        self.assertEqual(claim.date_resolved.date(), date(2026, 6, 1))

    def test_repair_out_of_warranty_waits_for_approval(self):
        with freeze_time("2027-03-01 08:00:00"):  # the warranty ended on 2027-01-10
            claim = self._claim_in_state("diagnosis", cause_id=self.cause.id)
            self.assertFalse(claim.under_warranty)
            claim.action_start_repair()
            self.assertEqual((claim.state, claim.resolution), ("awaiting_approval", "repair"))
            repair = claim.repair_order_ids
            self.assertEqual(repair.state, "draft", "the quotation waits for the customer")
            self.assertFalse(repair.under_warranty)
            quoted = self._add_part(repair)
            self.assertEqual(quoted.price_unit, 120.0, "the customer pays the part")
            claim.with_user(self.manager).action_approve()
            self.assertEqual(claim.state, "in_progress")
            self.assertEqual(repair.state, "confirmed")
            self._finish(repair)
            self.assertEqual(claim.state, "resolved")

    def test_claim_waits_for_all_its_repairs(self):
        claim = self._claim_in_state("diagnosis", cause_id=self.cause.id)
        claim.action_start_repair()
        first = claim.repair_order_ids
        second = self.env["repair.order"].with_user(self.agent).create(claim._prepare_repair_vals())
        second._action_repair_confirm()
        self._finish(first)
        self.assertEqual(claim.state, "in_progress", "another repair of the claim is still open")
        self._finish(second)
        self.assertEqual(claim.state, "resolved")

    def test_repair_needs_a_product(self):
        claim = self.Claim.with_user(self.agent).create({"partner_id": self.customer.id})
        claim.action_start_diagnosis()
        with self.assertRaisesRegex(UserError, "has no product to repair"), self.env.cr.savepoint():
            claim.action_start_repair()
        self.assertEqual(claim.state, "diagnosis")
        self.assertFalse(claim.repair_order_ids)


@tagged("post_install", "-at_install")
class TestClaimReplacement(AftersalesClaimCommon):
    def test_replacement_inherits_the_remaining_coverage(self):
        spare = self._add_stock(self.product_serial, lot_names=["AC-NEW"])
        claim = self._claim_in_state("diagnosis", cause_id=self.cause.id)
        claim.action_replace()
        self.assertEqual((claim.state, claim.resolution), ("in_progress", "replace"))
        receipt, delivery = self._pickings(claim)
        self.assertEqual(len(claim.sudo().picking_ids), 2)
        self.assertEqual(receipt.picking_type_code, "incoming")
        self.assertEqual((receipt.partner_id, receipt.origin), (self.customer, claim.name))
        self.assertEqual(receipt.move_line_ids.lot_id, self.lot, "the faulty serial comes back")
        self.assertEqual(delivery.picking_type_code, "outgoing")
        self.assertEqual(delivery.move_ids.aftersales_claim_id, claim)
        self.assertEqual(delivery.move_ids.product_id, self.product_serial)

        self._validate(receipt)
        faulty = self.company.aftersales_faulty_location_id
        self.assertEqual(self._stock_qty(self.lot, faulty), 1.0, "the faulty unit is back, in Faulty Units")
        self.assertEqual(self.warranty.state, "active", "nothing changes until the replacement leaves")
        self.assertEqual(claim.state, "in_progress")

        with freeze_time("2026-06-03 09:00:00"):
            self._validate(delivery, lot=spare)
        self.assertEqual(self._stock_qty(spare, self.customer_location), 1.0)
        new = spare.warranty_id
        self.assertEqual(new.state, "active")
        self.assertEqual(new.partner_id, self.customer)
        self.assertEqual(new.sale_order_id, self.order)
        self.assertEqual(new.policy_id, self.warranty.policy_id)
        self.assertEqual(new.move_id, delivery.move_ids)
        self.assertEqual(new.date_start, date(2026, 6, 3))
        self.assertEqual(new.date_end, date(2027, 1, 10), "the old warranty's end, not a new year")
        self.assertEqual(self.warranty.state, "void")
        self.assertFalse(self.lot.warranty_id)
        self.assertIn("replaced under a claim", self.warranty.message_ids[0].body)
        self.assertEqual((claim.state, claim.resolution), ("resolved", "replace"))
        self.assertTrue(claim.under_warranty, "voiding the replaced warranty does not change the claim")
        self.assertEqual(self.order.warranty_count, 2, "still two units covered on the order")
        self.assertIn(new, self.order.warranty_ids)

    def test_replacement_needs_the_faulty_serial(self):
        claim = self.Claim.with_user(self.agent).create(
            {"partner_id": self.customer.id, "product_id": self.product_serial.id}
        )
        claim.action_start_diagnosis()
        for action in ("action_replace", "action_refund"):
            with (
                self.assertRaisesRegex(UserError, "needs the serial number of the faulty unit"),
                self.env.cr.savepoint(),
            ):
                getattr(claim, action)()
        no_product = self.Claim.with_user(self.agent).create({"partner_id": self.customer.id})
        no_product.action_start_diagnosis()
        with self.assertRaisesRegex(UserError, "has no product"), self.env.cr.savepoint():
            no_product.action_replace()
        self.assertEqual(set((claim | no_product).mapped("state")), {"diagnosis"})
        self.assertFalse((claim | no_product).sudo().picking_ids)


@tagged("post_install", "-at_install")
class TestClaimRefund(AftersalesClaimCommon):
    def test_refund_drafts_a_credit_note_for_one_unit(self):
        invoice = self.order._create_invoices()
        invoice.action_post()
        claim = self._claim_in_state("diagnosis")
        claim.action_refund()
        self.assertEqual((claim.state, claim.resolution), ("in_progress", "refund"))
        credit_note = claim.sudo().credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft", "the accountant checks and posts it")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.partner_id, invoice.partner_id)
        line = credit_note.invoice_line_ids
        self.assertEqual((line.product_id, line.quantity), (self.product_serial, 1.0))
        self.assertEqual(line.price_unit, invoice.invoice_line_ids.price_unit)
        self.assertEqual(line.sale_line_ids, self.order.order_line)
        self.assertAlmostEqual(credit_note.amount_total, invoice.amount_total / 2)
        self.assertIn(credit_note.name or "", claim.message_ids[0].body)
        # The faulty unit comes back; no replacement leaves.
        receipt, delivery = self._pickings(claim)
        self.assertFalse(delivery)
        self.assertEqual(receipt.move_line_ids.lot_id, self.lot)
        self._validate(receipt)
        self.assertEqual(self._stock_qty(self.lot, self.company.aftersales_faulty_location_id), 1.0)
        credit_note.action_post()
        self.assertEqual(self.order.order_line.qty_invoiced, 1.0, "the sale line knows one unit was refunded")
        # The return done and the credit note posted settle the refund: no manual step.
        self.assertEqual((claim.state, claim.resolution), ("resolved", "refund"))

    def test_refund_without_invoice_says_so(self):
        claim = self._claim_in_state("diagnosis")
        claim.action_refund()
        self.assertFalse(claim.credit_note_id)
        self.assertIn("No posted invoice", claim.message_ids[0].body)
        self.assertEqual(len(claim.sudo().picking_ids), 1, "the unit still comes back")
        self.assertEqual(claim.state, "in_progress")


@tagged("post_install", "-at_install")
class TestClaimWithoutStock(AftersalesClaimCommon):
    def _lot_moves(self):
        return self.env["stock.move.line"].search_count([("lot_id", "=", self.lot.id)])

    def test_advice_closes_without_stock_moves(self):
        moves = self._lot_moves()
        claim = self._claim_in_state("diagnosis")
        claim.resolution_note = "<p>Clean the filter every month.</p>"
        claim.action_resolve()
        self.assertEqual((claim.state, claim.resolution), ("resolved", "advice"))
        claim.action_close()
        self.assertEqual(claim.state, "closed")
        self.assertFalse(claim.repair_order_ids or claim.sudo().picking_ids or claim.credit_note_id)
        self.assertEqual(self._lot_moves(), moves)
        self.assertEqual(self.warranty.state, "active")

    def test_reject_closes_without_stock_moves(self):
        moves = self._lot_moves()
        claim = self._claim_in_state("diagnosis")
        claim.reject_reason = "The unit was opened by a third party."
        claim.action_reject()
        self.assertEqual((claim.state, claim.resolution), ("rejected", "reject"))
        self.assertTrue(claim.date_resolved)
        self.assertFalse(claim.repair_order_ids or claim.sudo().picking_ids or claim.credit_note_id)
        self.assertEqual(self._lot_moves(), moves)
        self.assertEqual(self.warranty.state, "active")
