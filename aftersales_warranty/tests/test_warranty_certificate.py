from freezegun import freeze_time

from odoo.tests import tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyCertificate(AftersalesWarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.product_serial, lot_names=["CT-1", "CT-2"])

    def _delivered_order(self):
        with freeze_time("2026-06-01 09:00:00"):
            order = self._sell([(self.product_serial, 2)])
            self._deliver(order)
        return order

    def test_certificate_reports(self):
        order = self._delivered_order()
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "aftersales_warranty.report_sale_warranty_certificate", order.ids
        )
        html = html.decode()
        self.assertIn("CT-1", html)
        self.assertIn("CT-2", html)
        self.assertIn("Parts and labour are free for a year.", html, "policy terms are printed")
        self.assertIn(order.name, html)
        warranty = order.warranty_ids[0]
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "aftersales_warranty.report_warranty_certificate", warranty.ids
        )
        self.assertIn(warranty.name, html.decode())
        action = warranty.with_user(self.salesman).action_print_certificate()
        self.assertEqual(action["report_name"], "aftersales_warranty.report_warranty_certificate")

    def test_certificate_emailed_when_warranties_start(self):
        order = self._delivered_order()
        self.assertTrue(order.warranty_certificate_pending)
        self.env["sale.order"]._cron_send_warranty_certificates()
        self.assertFalse(order.warranty_certificate_pending)
        message = order.message_ids.filtered(lambda m: "warranty certificate" in (m.subject or ""))
        self.assertEqual(len(message), 1)
        self.assertIn(self.customer, message.partner_ids)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn(order.name, message.attachment_ids.name)
        self.env["sale.order"]._cron_send_warranty_certificates()
        self.assertEqual(
            len(order.message_ids.filtered(lambda m: "warranty certificate" in (m.subject or ""))),
            1,
            "sent once",
        )

    def test_certificate_setting_off(self):
        self.company.aftersales_send_certificate = False
        order = self._delivered_order()
        self.assertFalse(order.warranty_certificate_pending)
