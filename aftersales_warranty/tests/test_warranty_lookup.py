from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyLookup(AftersalesWarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._add_stock(cls.product_serial, lot_names=["LK-42"])

    def test_lookup_a_delivered_serial(self):
        with freeze_time("2026-04-02 09:00:00"):
            order = self._sell([(self.product_serial, 1)])
            self._deliver(order)
        for user in (self.salesman, self.agent):
            with Form(self.env["aftersales.warranty.lookup"].with_user(user)) as wizard:
                wizard.serial = "  LK-42 "
                self.assertEqual(wizard.lot_id, self.lot)
                self.assertEqual(wizard.product_id, self.product_serial)
                self.assertEqual(wizard.partner_id, self.customer)
                self.assertEqual(wizard.sale_order_id, order)
                self.assertEqual(wizard.state, "active")
                self.assertEqual(wizard.date_end, date(2027, 4, 2))
                self.assertTrue(wizard.date_delivered)
                self.assertFalse(wizard.message)
            record = wizard.record
            action = record.action_lookup()
            self.assertEqual(action["res_id"], record.id)
            self.assertEqual(record.action_open_warranty()["res_id"], order.warranty_ids.id)

    def test_lookup_unknown_serial(self):
        wizard = self.env["aftersales.warranty.lookup"].with_user(self.salesman).create({"serial": "NOPE-1"})
        self.assertFalse(wizard.lot_id)
        self.assertIn("No serial number NOPE-1", wizard.message)
        with self.assertRaisesRegex(UserError, "No serial number NOPE-1"):
            wizard.action_lookup()
        empty = self.env["aftersales.warranty.lookup"].with_user(self.salesman).create({})
        with self.assertRaisesRegex(UserError, "Type or scan"):
            empty.action_lookup()

    def test_lookup_serial_without_warranty(self):
        wizard = self.env["aftersales.warranty.lookup"].with_user(self.agent).create({"serial": "LK-42"})
        self.assertEqual(wizard.lot_id, self.lot)
        self.assertIn("has no warranty", wizard.message)
        with self.assertRaisesRegex(UserError, "has no warranty"):
            wizard.action_open_warranty()
