from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyAccess(AftersalesWarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_stock(cls.product_serial, lot_names=["AC-1"])
        order = cls._sell([(cls.product_serial, 1)])
        cls._deliver(order)
        cls.warranty = order.warranty_ids
        cls.order = order

    def test_salesperson_reads_only(self):
        warranty = self.warranty.with_user(self.salesman)
        self.assertEqual(warranty.read(["state"])[0]["state"], "active")
        self.assertEqual(self.order.with_user(self.salesman).warranty_status, "active")
        with self.assertRaises(AccessError):
            warranty.write({"partner_id": self.other_customer.id})
        with self.assertRaises(AccessError):
            warranty.action_void()
        with self.assertRaises(AccessError):
            warranty.unlink()

    def test_agent_works_warranties_manager_voids(self):
        # The customer, the unit, the dates and the state come from the delivery: not the agent's.
        for vals in ({"partner_id": self.other_customer.id}, {"state": "void"}, {"date_end": "2099-01-01"}):
            with self.assertRaisesRegex(UserError, "is set by the system"), self.env.cr.savepoint():
                self.warranty.with_user(self.agent).write(vals)
        self.assertEqual(self.warranty.partner_id, self.customer)
        with self.assertRaisesRegex(AccessError, "Only an After-Sales manager can void a warranty"):
            self.warranty.with_user(self.agent).action_void()
        with self.assertRaises(AccessError):
            self.warranty.with_user(self.agent).unlink()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.warranty.with_user(self.manager).unlink()
        self.warranty.with_user(self.manager).action_void()
        self.assertEqual(self.warranty.state, "void")
        with self.assertRaisesRegex(UserError, "already void"):
            self.warranty.with_user(self.manager).action_void()

    def test_other_company_sees_nothing(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        outsider = new_test_user(
            self.env,
            login="as_outsider",
            groups="aftersales_warranty.group_aftersales_manager,sales_team.group_sale_salesman",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        Warranty = self.env["aftersales.warranty"].with_user(outsider)
        self.assertFalse(Warranty.search([("id", "=", self.warranty.id)]))
        with self.assertRaises(AccessError):
            self.warranty.with_user(outsider).read(["name"])
        # Its own warranties work as usual, in its own company.
        own = Warranty.create(
            {
                "product_id": self.product_plain.id,
                "partner_id": self.other_customer.id,
                "policy_id": self.policy_12m.id,
                "date_start": "2026-01-01",
            }
        )
        self.assertEqual(own.company_id, other_company)
        self.assertEqual(Warranty.search([]), own)

    def test_company_check_in_batch(self):
        """Warranties created together are checked together, and still refused when one is foreign."""
        other_company = self.env["res.company"].create({"name": "Other Co"})
        foreign_lot = self.env["stock.lot"].create(
            {"name": "AC-FOREIGN", "product_id": self.product_serial.id, "company_id": other_company.id}
        )
        own_lots = self.env["stock.lot"].create(
            [{"name": f"AC-OWN-{i}", "product_id": self.product_serial.id} for i in range(3)]
        )
        base = {
            "product_id": self.product_serial.id,
            "partner_id": self.customer.id,
            "policy_id": self.policy_12m.id,
            "date_start": "2026-01-01",
        }
        Warranty = self.env["aftersales.warranty"]
        with self.assertRaisesRegex(UserError, "company inconsistencies"), self.cr.savepoint():
            Warranty.create([{**base, "lot_id": lot.id} for lot in own_lots + foreign_lot])
        self.assertFalse(Warranty.search([("lot_id", "in", (own_lots + foreign_lot).ids)]))
        created = Warranty.create([{**base, "lot_id": lot.id} for lot in own_lots])
        self.assertEqual(created.lot_id, own_lots)
        # A foreign policy is caught the same way, for several warranties as for one.
        foreign_policy = self.policy_12m.copy({"company_id": other_company.id})
        with self.assertRaisesRegex(UserError, "company inconsistencies"):
            created.write({"policy_id": foreign_policy.id})
        with self.assertRaisesRegex(UserError, "company inconsistencies"):
            created[0].write({"policy_id": foreign_policy.id})

    def test_storekeeper_opens_a_serial(self):
        """The lot form shows warranties to storekeepers; claims stay with after-sales users."""
        lot = self.warranty.lot_id.with_user(self.stock_user)
        form_fields = lot.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="claim_count"', form_fields)
        data = lot.web_read({"warranty_count": {}, "warranty_state": {}, "warranty_date_end": {}})
        self.assertEqual(data[0]["warranty_count"], 1)
        self.assertEqual(data[0]["warranty_state"], "active")
