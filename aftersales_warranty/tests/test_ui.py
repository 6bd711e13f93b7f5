from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyUi(AftersalesWarrantyCommon, HttpCase):
    def test_sale_order_shows_warranty_status(self):
        customer = self.env["res.partner"].create({"name": "Tour Customer"})
        self._add_stock(self.product_serial, lot_names=["TOUR-SN-1"])
        with freeze_time("2026-09-01 09:00:00"):
            order = self._sell([(self.product_serial, 1)], partner=customer)
            self._deliver(order)
        self.assertEqual(order.warranty_status, "active")
        self.salesman.partner_id.tz = "UTC"
        self.start_tour(
            "/odoo/action-sale.action_orders", "aftersales_warranty_sale_order_tour", login="as_salesman"
        )
