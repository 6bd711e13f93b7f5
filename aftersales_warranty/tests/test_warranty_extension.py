from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyExtension(AftersalesWarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.product_serial, lot_names=["EX-1", "EX-2"])

    def test_extension_on_the_same_order(self):
        with freeze_time("2026-01-31 09:00:00"):
            order = self._sell([(self.product_serial, 2), (self.extension_product, 1)])
            self._deliver(order)
        warranties = order.warranty_ids
        self.assertEqual(set(warranties.mapped("date_end_base")), {date(2027, 1, 31)})
        # One extension unit extends one unit's warranty (issue 25: it extended both).
        self.assertEqual(
            warranties.sorted("id").mapped("date_end"),
            [date(2028, 1, 31), date(2027, 1, 31)],
            "+12 months of extension, for one unit",
        )
        self.assertEqual(warranties.extension_line_ids, order.order_line.filtered("is_warranty_extension"))

    def test_extension_added_after_delivery_and_cancelled(self):
        with freeze_time("2026-01-10 09:00:00"):
            order = self._sell([(self.product_serial, 1)])
            self._deliver(order)
            warranty = order.warranty_ids
            self.assertEqual(warranty.date_end, date(2027, 1, 10))
            # An extension sold later on the same order (upsell) extends the delivered unit.
            order.with_user(self.salesman).write(
                {
                    "order_line": [
                        Command.create({"product_id": self.extension_product.id, "product_uom_qty": 1})
                    ]
                }
            )
            self.assertEqual(warranty.date_end, date(2028, 1, 10))

    def test_action_extend_creates_targeted_quotation(self):
        with freeze_time("2025-01-15 09:00:00"):
            order = self._sell([(self.product_serial, 2)])
            self._deliver(order)
        warranty, other = order.warranty_ids.sorted("id")
        with freeze_time("2026-02-01 09:00:00"):
            self.env["aftersales.warranty"]._cron_expire_warranties()
            self.assertEqual(warranty.state, "expired")
            action = warranty.with_user(self.salesman).action_extend()
            self.assertEqual(action["res_model"], "sale.order")
            quotation = self.env["sale.order"].browse(action["res_id"])
            self.assertEqual(quotation.state, "draft")
            self.assertEqual(quotation.partner_id, self.customer)
            self.assertEqual(quotation.order_line.product_id, self.extension_product)
            self.assertEqual(quotation.order_line.warranty_target_id, warranty)
            self.assertEqual(warranty.date_end, date(2026, 1, 15), "a quotation extends nothing")
            quotation.with_user(self.salesman).action_confirm()
            self.assertEqual(warranty.date_end, date(2027, 1, 15))
            self.assertEqual(
                warranty.state, "active", "an expired warranty extended into the future is active again"
            )
            self.assertEqual(other.date_end, date(2026, 1, 15), "only the targeted warranty is extended")
            self.assertEqual(order.warranty_status, "partial")
            quotation.with_user(self.salesman).action_cancel()
            self.assertEqual(
                warranty.date_end, date(2026, 1, 15), "cancelling the order takes the extension back"
            )
            self.assertEqual(warranty.state, "expired")

    def test_action_extend_refuses_bad_cases(self):
        order = self._sell([(self.product_serial, 1)])
        pending = order.warranty_ids
        with self.assertRaisesRegex(UserError, "only an active or expired warranty"):
            pending.action_extend()
        self._deliver(order)
        warranty = order.warranty_ids.filtered(lambda w: w.state == "active")
        self.policy_12m.extension_product_id = False
        count = self.env["sale.order"].search_count([])
        with self.assertRaisesRegex(UserError, "offers no extension product"):
            warranty.action_extend()
        self.assertEqual(self.env["sale.order"].search_count([]), count, "no quotation is left behind")
