from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyExpiry(AftersalesWarrantyCommon):
    def test_cron_expires_the_day_after_the_end(self):
        self._add_stock(self.product_serial, lot_names=["XP-1"])
        with freeze_time("2025-06-30 08:00:00"):
            order = self._sell([(self.product_serial, 1)])
            self._deliver(order)
        warranty = order.warranty_ids
        self.assertEqual(warranty.date_end, date(2026, 6, 30))
        Warranty = self.env["aftersales.warranty"]
        with freeze_time("2026-06-30 20:00:00"):
            Warranty._cron_expire_warranties()
            self.assertEqual(warranty.state, "active", "covered through date_end inclusive")
            self.assertEqual(warranty.days_left, 1)
        with freeze_time("2026-07-01 01:00:00"):
            Warranty._cron_expire_warranties()
            self.assertEqual(warranty.state, "expired")
            self.assertEqual(order.warranty_status, "expired", "the sale order status follows")
            self.assertEqual(warranty.lot_id.warranty_state, "expired")
            # A second run finds nothing to do: one search, no write.
            self.env.flush_all()
            with self.assertQueryCount(1):
                Warranty._cron_expire_warranties()

    def test_cron_record_runs(self):
        cron = self.env.ref("aftersales_warranty.ir_cron_expire_warranties")
        self.assertEqual(cron.model_id.model, "aftersales.warranty")
        self.assertEqual(cron.interval_type, "days")
        warranty = self.env["aftersales.warranty"].create(
            {
                "product_id": self.product_plain.id,
                "partner_id": self.customer.id,
                "policy_id": self.policy_12m.id,
                "date_start": "2020-01-01",
                "state": "active",
            }
        )
        cron.ir_actions_server_id.run()  # the cron's own code, in this transaction
        warranty.invalidate_recordset()
        self.assertEqual(warranty.state, "expired")

    def test_cron_reports_its_progress_to_the_scheduler(self):
        """A full batch tells the scheduler there may be more, a short one that it was the last."""
        warranties = self.env["aftersales.warranty"].create(
            [
                {
                    "product_id": self.product_plain.id,
                    "partner_id": self.customer.id,
                    "policy_id": self.policy_12m.id,
                    "date_start": f"2020-01-0{day}",
                    "state": "active",
                }
                for day in (3, 1, 2)
            ]
        )
        reports = []

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            reports.append((processed, remaining))
            return 60.0  # time left

        cron = self.env.ref("aftersales_warranty.ir_cron_expire_warranties")
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress):
            self.env["aftersales.warranty"].with_context(cron_id=cron.id)._cron_expire_warranties(
                batch_size=2
            )
        self.assertEqual(reports, [(2, 1), (1, 0)])
        self.assertEqual(set(warranties.mapped("state")), {"expired"})
