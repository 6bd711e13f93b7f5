from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyDelivery(AftersalesWarrantyCommon):
    def test_one_warranty_per_delivered_serial(self):
        lots = self._add_stock(self.product_serial, lot_names=["SN-1", "SN-2", "SN-3"])
        with freeze_time("2026-03-20 22:00:00"):  # 2026-03-21 01:30 in Tehran
            order = self._sell([(self.product_serial, 3)])
            self.assertEqual(order.warranty_status, "pending")
            self._deliver(order)
        warranties = order.warranty_ids
        self.assertEqual(len(warranties), 3)
        self.assertEqual(warranties.lot_id, lots)
        self.assertEqual(set(warranties.mapped("state")), {"active"})
        self.assertEqual(
            warranties.partner_id, self.customer, "the order's customer, not its shipping address"
        )
        self.assertEqual(
            set(warranties.mapped("date_start")), {date(2026, 3, 21)}, "date in the company's zone"
        )
        self.assertEqual(set(warranties.mapped("date_end")), {date(2027, 3, 21)})
        self.assertEqual(set(warranties.mapped("quantity")), {1.0})
        self.assertTrue(all(w.name.startswith("WAR/") for w in warranties))
        self.assertEqual(len(set(warranties.mapped("name"))), 3)
        self.assertEqual(warranties.sale_line_id, order.order_line)
        self.assertTrue(warranties.move_id)
        self.assertEqual(order.warranty_status, "active")
        self.assertEqual(order.warranty_count, 3)
        self.assertEqual(order.order_line.warranty_date_end, date(2027, 3, 21))
        for lot in lots:
            self.assertEqual(lot.warranty_id.lot_id, lot)
            self.assertEqual(lot.warranty_state, "active")
            self.assertEqual(lot.warranty_date_end, date(2027, 3, 21))
        self.assertEqual(self.customer.warranty_count, 3)
        self.assertEqual(self.customer_shipping.warranty_count, 0)

    def test_untracked_product_one_warranty_per_move_from_order_date(self):
        self._add_stock(self.product_plain, 10)
        with freeze_time("2026-01-31 10:00:00"):
            order = self._sell([(self.product_plain, 4), (self.product_no_warranty, 1)])
        self._add_stock(self.product_no_warranty, 1)
        with freeze_time("2026-02-10 10:00:00"):
            self._deliver(order)
        warranty = order.warranty_ids
        self.assertEqual(len(warranty), 1, "no warranty for a product without policy")
        self.assertEqual(warranty.quantity, 4.0)
        self.assertFalse(warranty.lot_id)
        self.assertEqual(warranty.date_start, date(2026, 1, 31), "trigger 'sale': the confirmation date")
        self.assertEqual(warranty.date_end, date(2026, 7, 31))
        self.assertEqual(warranty.state, "active")

    def test_partial_delivery_and_backorder(self):
        self._add_stock(self.product_serial, lot_names=["P-1", "P-2", "P-3"])
        self._add_stock(self.product_plain, 5)
        with freeze_time("2026-05-01 08:00:00"):
            order = self._sell([(self.product_serial, 3), (self.product_plain, 5)])
            self._deliver(order, quantities={self.product_serial: 2, self.product_plain: 2})
        self.assertEqual(order.warranty_status, "partial")
        active = order.warranty_ids.filtered(lambda w: w.state == "active")
        pending = order.warranty_ids.filtered(lambda w: w.state == "pending")
        self.assertEqual(len(active.filtered("lot_id")), 2)
        self.assertEqual(active.filtered(lambda w: not w.lot_id).quantity, 2.0)
        self.assertEqual(
            sorted(pending.mapped("quantity")), [1.0, 3.0], "pending warranties keep the undelivered quantity"
        )
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(len(backorder), 1)
        with freeze_time("2026-05-15 08:00:00"):
            self._deliver(order)
        self.assertFalse(order.warranty_ids.filtered(lambda w: w.state == "pending"))
        self.assertEqual(len(order.warranty_ids.filtered("lot_id")), 3)
        self.assertEqual(sum(order.warranty_ids.filtered(lambda w: not w.lot_id).mapped("quantity")), 5.0)
        self.assertEqual(
            order.warranty_ids.filtered(lambda w: w.lot_id.name == "P-3").date_start,
            date(2026, 5, 15),
            "each unit's coverage starts on its own delivery",
        )
        self.assertEqual(order.warranty_status, "active")

    def test_multi_step_delivery_creates_warranty_on_the_last_step(self):
        self.warehouse.delivery_steps = "pick_ship"
        self._add_stock(self.product_serial, lot_names=["MS-1"])
        order = self._sell([(self.product_serial, 1)])
        pick = order.picking_ids.filtered(lambda p: p.location_dest_id.usage != "customer")
        pick.action_assign()
        pick.with_user(self.stock_user).button_validate()
        self.assertEqual(order.warranty_status, "pending", "the unit has not reached the customer yet")
        self._deliver(order)
        self.assertEqual(order.warranty_ids.filtered(lambda w: w.state == "active").lot_id.name, "MS-1")

    def test_cancel_order_voids_pending(self):
        order = self._sell([(self.product_serial, 2)])
        self.assertEqual(order.warranty_ids.state, "pending")
        order.with_user(self.salesman).action_cancel()
        self.assertEqual(order.warranty_ids.state, "void")
        self.assertEqual(order.warranty_status, "none")

    def test_resold_serial_voids_the_old_warranty(self):
        lot = self._add_stock(self.product_serial, lot_names=["RS-1"])
        with freeze_time("2026-01-10 08:00:00"):
            first = self._sell([(self.product_serial, 1)])
            picking = self._deliver(first)
        old = first.warranty_ids
        with freeze_time("2026-02-10 08:00:00"):
            self._return(picking)
            second = self._sell([(self.product_serial, 1)], partner=self.other_customer)
            self._deliver(second)
        self.assertEqual(old.state, "void")
        self.assertIn("delivered again", old.message_ids[:1].body)
        new = second.warranty_ids
        self.assertEqual(new.state, "active")
        self.assertEqual(new.partner_id, self.other_customer)
        self.assertEqual(new.date_start, date(2026, 2, 10))
        self.assertEqual(lot.warranty_id, new)
        self.assertEqual(first.warranty_status, "none")
        self.assertEqual(len(lot.warranty_ids), 2)

    def test_one_live_warranty_per_serial_in_database(self):
        lot = self._add_stock(self.product_serial, lot_names=["DB-1"])
        vals = {
            "product_id": self.product_serial.id,
            "lot_id": lot.id,
            "partner_id": self.customer.id,
            "policy_id": self.policy_12m.id,
            "date_start": "2026-01-01",
            "state": "active",
        }
        self.env["aftersales.warranty"].create(vals)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["aftersales.warranty"].create(vals)
            self.env.flush_all()
        voided = self.env["aftersales.warranty"].create({**vals, "state": "void"})
        self.assertEqual(voided.state, "void", "void warranties do not count")

    def test_end_before_start_is_refused(self):
        with self.assertRaisesRegex(Exception, "before it starts"):
            self.env["aftersales.warranty"].create(
                {
                    "product_id": self.product_plain.id,
                    "partner_id": self.customer.id,
                    "policy_id": self.policy_12m.id,
                    "date_start": "2026-05-01",
                    "date_end_base": "2026-04-01",
                    "state": "active",
                }
            )

    def test_return_without_resale_and_no_policy(self):
        self._add_stock(self.product_no_warranty, 2)
        order = self._sell([(self.product_no_warranty, 2)])
        self._deliver(order)
        self.assertFalse(order.warranty_ids)
        self.assertEqual(order.warranty_status, "none")

    def test_creation_queries_do_not_grow_with_serials(self):
        """Warranty creation from N delivered serials costs the same number of queries for any N."""
        counts = {}
        for size in (2, 4, 12):  # the first pass warms the caches (sequence, references)
            self._add_stock(self.product_serial, lot_names=[f"Q{size}-{i}" for i in range(size)])
            order = self._sell([(self.product_serial, size)])
            picking = order.picking_ids
            picking.action_assign()
            picking.with_context(aftersales_skip_warranty=True).button_validate()
            self.assertFalse(order.warranty_ids.filtered(lambda w: w.state == "active"))
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            warranties = self.env["aftersales.warranty"]._create_from_moves(picking.move_ids)
            self.env.flush_all()
            counts[size] = self.env.cr.sql_log_count - start
            self.assertEqual(len(warranties), size)
        self.assertEqual(counts[4], counts[12], f"queries per delivery: {counts}")
        self.assertLessEqual(counts[12], 60)
