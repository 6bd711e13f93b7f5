from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyPolicy(AftersalesWarrantyCommon):
    def test_end_date_same_day_clamped_at_month_end(self):
        policy = self.env["aftersales.warranty.policy"].create({"name": "1 month", "duration": 1})
        policy.duration_unit = "month"
        self.assertEqual(policy._get_date_end(date(2026, 1, 31)), date(2026, 2, 28))
        self.assertEqual(policy._get_date_end(date(2026, 3, 15)), date(2026, 4, 15))
        policy.duration_unit = "year"
        self.assertEqual(policy._get_date_end(date(2024, 2, 29)), date(2025, 2, 28))
        policy.write({"duration": 4, "duration_unit": "year"})
        self.assertEqual(policy._get_date_end(date(2024, 2, 29)), date(2028, 2, 29))
        policy.write({"duration": 2, "duration_unit": "week"})
        self.assertEqual(policy._get_date_end(date(2026, 12, 25)), date(2027, 1, 8))
        policy.write({"duration": 30, "duration_unit": "day"})
        self.assertEqual(policy._get_date_end(date(2026, 2, 1)), date(2026, 3, 3))

    def test_duration_must_be_positive(self):
        Policy = self.env["aftersales.warranty.policy"].with_user(self.manager)
        count = Policy.search_count([])
        for bad in (0, -3):
            with self.assertRaisesRegex(ValidationError, "greater than zero"), self.env.cr.savepoint():
                Policy.create({"name": f"Bad {bad}", "duration": bad})
        self.assertEqual(Policy.search_count([]), count, "nothing is written for a bad duration")
        with self.assertRaisesRegex(ValidationError, "greater than zero"), self.env.cr.savepoint():
            self.policy_12m.with_user(self.manager).duration = 0
        self.policy_12m.invalidate_recordset()
        self.assertEqual(self.policy_12m.duration, 12)

    def test_extension_must_be_a_service(self):
        with self.assertRaisesRegex(ValidationError, "only service products"):
            self.env["product.product"].create(
                {"name": "Boxed extension", "type": "consu", "is_warranty_extension": True}
            )
        with self.assertRaisesRegex(ValidationError, "greater than zero"):
            self.env["product.product"].create(
                {
                    "name": "Empty extension",
                    "type": "service",
                    "is_warranty_extension": True,
                    "warranty_extension_duration": 0,
                }
            )
        with self.assertRaisesRegex(ValidationError, "at most 100 Years, not 7974"):
            self.env["product.product"].create(
                {
                    "name": "Endless extension",
                    "type": "service",
                    "is_warranty_extension": True,
                    "warranty_extension_duration": 7974,
                    "warranty_extension_unit": "year",
                }
            )
        with self.assertRaisesRegex(ValidationError, "not a warranty extension"):
            self.policy_12m.extension_product_id = self.product_no_warranty

    def test_category_policy_is_the_default_and_product_wins(self):
        parent = self.env["product.category"].create(
            {"name": "Appliances", "warranty_policy_id": self.policy_sale_6m.id}
        )
        child = self.env["product.category"].create({"name": "Coolers", "parent_id": parent.id})
        product = self.env["product.product"].create(
            {"name": "Fan", "type": "consu", "is_storable": True, "categ_id": child.id}
        )
        self.assertEqual(
            product.product_tmpl_id._get_warranty_policy(), self.policy_sale_6m, "inherited from a parent"
        )
        self.assertEqual(product.effective_warranty_policy_id, self.policy_sale_6m)
        product.warranty_policy_id = self.policy_12m
        self.assertEqual(
            product._get_warranty_policies(), {product: self.policy_12m}, "the product's own policy wins"
        )
        self.policy_12m.active = False
        self.assertEqual(product._get_warranty_policies(), {}, "an archived policy gives no warranty")

    def test_access(self):
        self.assertTrue(self.policy_12m.with_user(self.salesman).read(["name"]))
        with self.assertRaises(AccessError):
            self.policy_12m.with_user(self.salesman).write({"duration": 3})
        with self.assertRaises(AccessError):
            self.policy_12m.with_user(self.agent).write({"duration": 3})
        self.policy_12m.with_user(self.manager).write({"duration": 24})
        self.assertEqual(self.policy_12m.duration, 24)
