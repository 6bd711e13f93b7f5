"""Warranties: what users may write, and the certificate of a customer without an email."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyTrust(AftersalesWarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.product_serial, lot_names=["WT-1", "WT-2"])
        with freeze_time("2026-06-01 09:00:00"):
            cls.order = cls._sell([(cls.product_serial, 1)])
            cls._deliver(cls.order)
        cls.warranty = cls.order.warranty_ids
        cls.Warranty = cls.env["aftersales.warranty"]

    def _legacy_vals(self, **vals):
        return {
            "product_id": self.product_plain.id,
            "partner_id": self.other_customer.id,
            "policy_id": self.policy_12m.id,
            "date_start": "2025-01-01",
            "state": "active",
            **vals,
        }

    def test_only_a_manager_records_a_legacy_warranty(self):
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.Warranty.with_user(self.agent).create(self._legacy_vals())
        legacy = self.Warranty.with_user(self.manager).create(self._legacy_vals())
        self.assertEqual(legacy.state, "active")
        self.assertEqual(str(legacy.date_end), "2026-01-01")
        # Once recorded, its dates and state are the system's, for the manager too.
        with self.assertRaisesRegex(UserError, "is set by the system"), self.env.cr.savepoint():
            legacy.with_user(self.manager).write({"date_start": "2026-01-01"})
        legacy.with_user(self.manager).action_void()
        self.assertEqual(legacy.state, "void")

    def test_bad_values_get_a_sentence(self):
        for vals, field in (
            ({"name": "W\x00"}, "Reference"),
            ({"date_start": "9999-12-31"}, "Start Date"),
            ({"quantity": "many"}, "Quantity"),
            ({"quantity": float("inf")}, "Quantity"),
            ({"partner_id": 1.5}, "Customer"),
        ):
            with self.subTest(vals=vals), self.assertNoLogs(level="ERROR"):
                count = self.Warranty.search_count([])
                with self.assertRaisesRegex(ValidationError, field), self.env.cr.savepoint():
                    self.Warranty.with_user(self.manager).create(self._legacy_vals(**vals))
                self.assertEqual(self.Warranty.search_count([]), count)

    def test_certificate_of_a_customer_without_email(self):
        self.other_customer.email = False
        with freeze_time("2026-06-02 09:00:00"):
            order = self._sell([(self.product_serial, 1)], partner=self.other_customer)
            self._deliver(order)
        self.assertTrue(order.warranty_certificate_pending)
        self.env["sale.order"]._cron_send_warranty_certificates()
        self.assertFalse(order.warranty_certificate_pending)
        self.assertFalse(
            order.message_ids.filtered(lambda m: "warranty certificate" in (m.subject or "")),
            "no email queued to nobody",
        )
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", self.other_customer.ids)]))
        note = order.message_ids.filtered(lambda m: "was not emailed" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("Other Customer has no email address", note.body)
        activity = order.activity_ids.filtered(lambda a: a.summary == "Hand over the warranty certificate")
        self.assertEqual(activity.user_id, order.user_id or self.env.user)
