from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyExtensionQuantity(AftersalesWarrantyCommon):
    """Extension units extend warranties one each, and follow the invoiced quantity net of credits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.product_serial, lot_names=["XQ-1", "XQ-2"])
        cls.extension_product.invoice_policy = "order"

    def _order(self, units, extensions):
        with freeze_time("2026-01-31 09:00:00"):
            order = self._sell([(self.product_serial, units), (self.extension_product, extensions)])
            self._deliver(order)
        return order, order.warranty_ids.sorted("id")

    def test_two_extensions_on_one_unit(self):
        _order, warranty = self._order(1, 2)
        self.assertEqual(warranty.date_end, date(2029, 1, 31), "two extension units: +24 months")

    def test_one_extension_per_unit(self):
        _order, warranties = self._order(2, 2)
        self.assertEqual(set(warranties.mapped("date_end")), {date(2028, 1, 31)})

    def test_quantity_zero_extends_nothing(self):
        _order, warranty = self._order(1, 0)
        self.assertEqual(warranty.date_end, date(2027, 1, 31))

    def test_credited_extension_takes_coverage_back(self):
        order, warranty = self._order(1, 1)
        self.assertEqual(warranty.date_end, date(2028, 1, 31))
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(warranty.date_end, date(2028, 1, 31))
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Extension refunded"})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.invoice_line_ids.filtered(lambda aml: aml.product_id != self.extension_product).unlink()
        self.assertEqual(warranty.date_end, date(2028, 1, 31), "a draft credit note takes nothing back")
        credit_note.action_post()
        self.assertEqual(warranty.date_end, date(2027, 1, 31), "the credited extension no longer extends")

    def test_cancelled_invoiced_extension_keeps_its_coverage(self):
        with freeze_time("2026-01-31 09:00:00"):
            order = self._sell([(self.product_serial, 1)])
            self._deliver(order)
        warranty = order.warranty_ids
        quotation = warranty.action_extend()
        upsell = self.env["sale.order"].browse(quotation["res_id"])
        upsell.action_confirm()
        invoice = upsell._create_invoices()
        invoice.action_post()
        self.assertEqual(warranty.date_end, date(2028, 1, 31))
        upsell.with_context(disable_cancel_warning=True)._action_cancel()
        self.assertEqual(warranty.date_end, date(2028, 1, 31), "the posted invoice still sells it")
