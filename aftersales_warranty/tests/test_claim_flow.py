from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import AftersalesWarrantyCommon


class ClaimCommon(AftersalesWarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.be").phone_code  # noqa: B018  (countries come from base data)
        cls.customer.country_id = cls.env.ref("base.be")
        cls.appliances = cls.env["product.category"].create({"name": "Appliances"})
        cls.coolers = cls.env["product.category"].create({"name": "Coolers", "parent_id": cls.appliances.id})
        cls.product_serial.categ_id = cls.coolers
        cls.lots = cls._add_stock(cls.product_serial, lot_names=["CL-1", "CL-2", "CL-3"])
        with freeze_time("2026-01-10 09:00:00"):
            cls.order = cls._sell([(cls.product_serial, 2)])
            cls._deliver(cls.order)
        cls.warranty = cls.order.warranty_ids.sorted("id")[0]
        cls.lot = cls.warranty.lot_id

    def _claim(self, user=None, **vals):
        values = {"lot_id": self.lot.id, "partner_id": self.customer.id, "channel": "phone", **vals}
        return self.env["aftersales.claim"].with_user(user or self.agent).create(values)


@tagged("post_install", "-at_install")
class TestClaimFlow(ClaimCommon):
    def test_serial_fills_the_claim(self):
        with freeze_time("2026-06-01 10:00:00"):
            claim = self._claim()
        self.assertEqual(claim.product_id, self.product_serial)
        self.assertEqual(claim.warranty_id, self.warranty)
        self.assertEqual(claim.sale_order_id, self.order)
        self.assertTrue(claim.under_warranty)
        self.assertTrue(claim.coverage_parts and claim.coverage_labour)
        self.assertTrue(claim.name.startswith("CLM/"))
        self.assertEqual(self.warranty.claim_count, 1)
        self.assertEqual(self.lot.claim_count, 1)
        self.assertEqual(self.order.claim_count, 1)
        self.assertEqual(self.customer.claim_count, 1)

    def test_under_warranty_follows_the_report_date(self):
        with freeze_time("2027-03-01 10:00:00"):
            late = self._claim(date_reported=datetime(2027, 2, 1, 10, 0))
        self.assertFalse(late.under_warranty, "the warranty ended on 2027-01-10")
        self.assertFalse(late.coverage_parts)
        late.date_reported = datetime(2026, 12, 1, 10, 0)
        self.assertTrue(late.under_warranty, "computed from the warranty at date_reported")

    def test_serial_never_received_is_refused_unless_a_manager_overrides(self):
        Claim = self.env["aftersales.claim"]
        count = Claim.search_count([])
        with (
            self.assertRaisesRegex(ValidationError, "never delivered to Other Customer"),
            self.env.cr.savepoint(),
        ):
            self._claim(partner_id=self.other_customer.id)
        stranger_lot = self.lots.filtered(lambda lot: lot.name == "CL-3")  # still in stock
        with self.assertRaisesRegex(ValidationError, "never delivered"), self.env.cr.savepoint():
            self._claim(lot_id=stranger_lot.id)
        with self.assertRaisesRegex(ValidationError, "Only an After-Sales manager"), self.env.cr.savepoint():
            self._claim(lot_id=stranger_lot.id, serial_override=True)
        self.assertEqual(Claim.search_count([]), count, "nothing is written")
        claim = self._claim(user=self.manager, lot_id=stranger_lot.id, serial_override=True)
        self.assertEqual(claim.lot_id, stranger_lot)
        self.assertFalse(claim.under_warranty)

    def test_phone_normalisation(self):
        claim = self._claim(phone="02 290 34 90")
        self.assertEqual(claim.phone, "+3222903490", "the customer's country (Belgium) completes the number")
        claim.phone = "+98 912 345 6789"
        self.assertEqual(claim.phone, "+989123456789", "a foreign number keeps its own country")
        with self.assertRaisesRegex(ValidationError, "is not valid"), self.env.cr.savepoint():
            claim.phone = "12"
        claim.invalidate_recordset()
        self.assertEqual(claim.phone, "+989123456789")
        count = self.env["aftersales.claim"].search_count([])
        with self.assertRaisesRegex(ValidationError, "is not valid"), self.env.cr.savepoint():
            self._claim(phone="not a phone")
        self.assertEqual(self.env["aftersales.claim"].search_count([]), count)

    def test_transitions_legal_and_illegal(self):
        claim = self._claim()
        self.assertEqual(claim.state, "new")
        illegal = {
            "new": [
                "action_start_repair",
                "action_approve",
                "action_replace",
                "action_resolve",
                "action_close",
            ],
        }
        for action in illegal["new"]:
            with self.assertRaisesRegex(UserError, "is New"):
                getattr(claim, action)()
        claim.action_start_diagnosis()
        self.assertEqual(claim.state, "diagnosis")
        self.assertEqual(claim.user_id, self.agent, "the agent who starts the diagnosis takes the claim")
        for action in ("action_start_diagnosis", "action_approve", "action_close", "action_reopen"):
            with self.assertRaisesRegex(UserError, "is Diagnosis"):
                getattr(claim, action)()
        with self.assertRaisesRegex(UserError, "Reject Reason"):
            claim.action_reject()
        claim.reject_reason = "Damaged by a fall."
        claim.action_reject()
        self.assertEqual((claim.state, claim.resolution), ("rejected", "reject"))
        for action in ("action_cancel", "action_resolve", "action_close"):
            with self.assertRaisesRegex(UserError, "is Rejected"):
                getattr(claim, action)()
        claim.action_reopen()
        self.assertEqual(claim.state, "diagnosis")
        claim.action_resolve()
        self.assertEqual((claim.state, claim.resolution), ("resolved", "advice"))
        self.assertTrue(claim.date_resolved)
        claim.action_close()
        self.assertEqual(claim.state, "closed")
        self.assertTrue(claim.date_closed)
        for action in ("action_reopen", "action_cancel", "action_reject", "action_close"):
            with self.assertRaisesRegex(UserError, "is Closed"):
                getattr(claim, action)()

    def test_cancel_and_delete(self):
        claim = self._claim()
        other = self._claim()
        other.action_start_diagnosis()
        other.action_cancel()
        self.assertEqual(other.state, "cancelled")
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            other.with_user(self.manager).unlink()
        claim.with_user(self.manager).unlink()
        self.assertFalse(claim.exists())


@tagged("post_install", "-at_install")
class TestClaimResolution(ClaimCommon):
    def test_repair_under_warranty_resolves_when_done(self):
        claim = self._claim()
        claim.action_start_diagnosis()
        claim.action_start_repair()
        self.assertEqual((claim.state, claim.resolution), ("in_progress", "repair"))
        repair = claim.repair_order_ids
        self.assertEqual(len(repair), 1)
        self.assertEqual(repair.state, "confirmed")
        self.assertTrue(repair.under_warranty, "Odoo prices the parts 0")
        self.assertEqual(
            (repair.product_id, repair.lot_id, repair.partner_id),
            (self.product_serial, self.lot, self.customer),
        )
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        self.assertEqual(claim.state, "resolved")

    def test_repair_out_of_warranty_waits_for_approval(self):
        with freeze_time("2027-06-01 10:00:00"):
            claim = self._claim()
            self.assertFalse(claim.under_warranty)
            claim.action_start_diagnosis()
            claim.action_start_repair()
            self.assertEqual(claim.state, "awaiting_approval")
            repair = claim.repair_order_ids
            self.assertEqual(repair.state, "draft", "the quotation waits")
            self.assertFalse(repair.under_warranty)
            claim.action_approve()
            self.assertEqual(claim.state, "in_progress")
            self.assertEqual(repair.state, "confirmed")

    def test_request_approval_then_cancel_cancels_the_repair(self):
        with freeze_time("2027-06-01 10:00:00"):
            claim = self._claim()
            claim.action_start_diagnosis()
            claim.action_request_approval()
            self.assertEqual(claim.state, "awaiting_approval")
            self.assertEqual(claim.repair_order_ids.state, "draft")
            claim.action_cancel()
            self.assertEqual(claim.repair_order_ids.state, "cancel")

    def test_replace_inherits_remaining_coverage(self):
        new_lot = self._add_stock(self.product_serial, lot_names=["CL-NEW"])
        with freeze_time("2026-08-01 10:00:00"):
            claim = self._claim()
            claim.action_start_diagnosis()
            claim.action_replace()
            self.assertEqual((claim.state, claim.resolution), ("in_progress", "replace"))
            receipt = claim.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
            delivery = claim.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
            self.assertEqual(receipt.move_ids.move_line_ids.lot_id, self.lot)
            receipt.move_ids.picked = True
            receipt.with_user(self.stock_user).button_validate()
            self.assertEqual(receipt.state, "done")
            delivery.action_assign()
            delivery.move_ids.move_line_ids.lot_id = new_lot
            delivery.move_ids.picked = True
            delivery.with_user(self.stock_user).button_validate()
            self.assertEqual(delivery.state, "done")
        self.assertEqual(self.warranty.state, "void")
        new = new_lot.warranty_id
        self.assertEqual(new.state, "active")
        self.assertEqual(new.partner_id, self.customer)
        self.assertEqual(new.date_end, self.warranty.date_end, "the replacement keeps the remaining coverage")
        self.assertEqual(claim.state, "resolved")

    def test_refund_drafts_a_credit_note(self):
        invoice = self.order._create_invoices()
        invoice.action_post()
        claim = self._claim()
        claim.action_start_diagnosis()
        claim.action_refund()
        self.assertEqual((claim.state, claim.resolution), ("in_progress", "refund"))
        credit_note = claim.credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.invoice_line_ids.quantity, 1.0)
        self.assertEqual(credit_note.invoice_line_ids.price_unit, invoice.invoice_line_ids.price_unit)
        receipt = claim.picking_ids
        self.assertEqual(receipt.picking_type_code, "incoming")
        self.assertEqual(receipt.move_ids.move_line_ids.lot_id, self.lot)

    def test_refund_without_invoice_says_so(self):
        claim = self._claim()
        claim.action_start_diagnosis()
        claim.action_refund()
        self.assertFalse(claim.credit_note_id)
        self.assertIn("No posted invoice", claim.message_ids[:1].body)


@tagged("post_install", "-at_install")
class TestClaimSla(ClaimCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Sla = cls.env["aftersales.claim.sla"]
        cls.sla_default = Sla.create({"name": "Standard", "resolve_hours": 120})
        cls.sla_appliances = Sla.create(
            {"name": "Appliances", "product_categ_ids": [(6, 0, cls.appliances.ids)], "resolve_hours": 72}
        )
        cls.sla_summer = Sla.create(
            {
                "name": "Summer",
                "product_categ_ids": [(6, 0, cls.appliances.ids)],
                "month_from": "6",
                "month_to": "8",
                "resolve_hours": 24,
                "raise_priority": "2",
            }
        )
        cls.sla_winter = Sla.create(
            {"name": "Winter", "month_from": "11", "month_to": "2", "resolve_hours": 96}
        )

    def test_most_specific_rule_and_priority_raise(self):
        with freeze_time("2026-07-15 08:00:00"):
            claim = self._claim()
        self.assertEqual(claim.sla_id, self.sla_summer)
        self.assertEqual(claim.date_deadline, datetime(2026, 7, 16, 8, 0))
        self.assertEqual(claim.priority, "2", "raised to high in season")
        with freeze_time("2026-09-15 08:00:00"):
            autumn = self._claim()
        self.assertEqual(autumn.sla_id, self.sla_appliances, "out of season")
        self.assertEqual(autumn.date_deadline, datetime(2026, 9, 18, 8, 0))
        self.assertEqual(autumn.priority, "1")

    def test_season_wraps_the_year_end(self):
        other_product = self.env["product.product"].create({"name": "Gift card", "type": "service"})
        for moment, expected in (
            ("2026-12-20 08:00:00", self.sla_winter),
            ("2027-01-20 08:00:00", self.sla_winter),
            ("2026-02-20 08:00:00", self.sla_winter),
            ("2026-03-20 08:00:00", self.sla_default),
        ):
            with freeze_time(moment):
                claim = self.env["aftersales.claim"].create(
                    {"product_id": other_product.id, "partner_id": self.customer.id}
                )
            self.assertEqual(claim.sla_id, expected, moment)

    def test_ties_go_to_the_shortest(self):
        faster = self.env["aftersales.claim.sla"].create(
            {"name": "Appliances fast", "product_categ_ids": [(6, 0, self.coolers.ids)], "resolve_hours": 48}
        )
        with freeze_time("2026-09-15 08:00:00"):
            claim = self._claim()
        self.assertEqual(claim.sla_id, faster)

    def test_overdue_is_searchable(self):
        with freeze_time("2026-09-15 08:00:00"):
            claim = self._claim()
        Claim = self.env["aftersales.claim"]
        with freeze_time("2026-09-17 08:00:00"):
            self.assertFalse(claim.is_overdue)
            self.assertNotIn(claim, Claim.search([("is_overdue", "=", True)]))
        with freeze_time("2026-09-19 08:00:00"):
            claim.invalidate_recordset(["is_overdue"])
            self.assertTrue(claim.is_overdue)
            self.assertIn(claim, Claim.search([("is_overdue", "=", True)]))
            self.assertNotIn(claim, Claim.search([("is_overdue", "=", False)]))
            claim.action_start_diagnosis()
            claim.action_resolve()
            claim.invalidate_recordset(["is_overdue"])
            self.assertFalse(claim.is_overdue, "a resolved claim is not overdue")

    def test_bad_rules_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "more than 0 hours"):
            self.env["aftersales.claim.sla"].create({"name": "Zero", "resolve_hours": 0})
        with self.assertRaisesRegex(ValidationError, "both its first and its last month"):
            self.env["aftersales.claim.sla"].create({"name": "Half", "resolve_hours": 5, "month_from": "3"})


@tagged("post_install", "-at_install")
class TestClaimAccess(ClaimCommon):
    def test_groups(self):
        claim = self._claim()
        self.assertEqual(claim.with_user(self.salesman).read(["state"])[0]["state"], "new")
        with self.assertRaises(AccessError):
            claim.with_user(self.salesman).write({"priority": "3"})
        with self.assertRaises(AccessError):
            self._claim(user=self.salesman)
        with self.assertRaises(AccessError):
            claim.with_user(self.agent).unlink()
        with self.assertRaises(AccessError):
            self.env["aftersales.claim.sla"].with_user(self.agent).create({"name": "x", "resolve_hours": 1})
        self.env["aftersales.claim.sla"].with_user(self.manager).create({"name": "x", "resolve_hours": 1})

    def test_other_company(self):
        claim = self._claim()
        other_company = self.env["res.company"].create({"name": "Other Co"})
        outsider = new_test_user(
            self.env,
            login="claim_outsider",
            groups="aftersales_warranty.group_aftersales_manager",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        self.assertFalse(self.env["aftersales.claim"].with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            claim.with_user(outsider).read(["name"])
