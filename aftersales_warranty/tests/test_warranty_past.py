from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestPastDeliveries(AftersalesWarrantyCommon):
    """Deliveries validated before their product had a policy get their warranties afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_late = cls.env["product.product"].create(
            {"name": "Heater", "type": "consu", "is_storable": True, "tracking": "serial"}
        )
        cls._add_stock(cls.product_late, lot_names=["PAST-1", "PAST-2", "PAST-3"])
        cls.order_a = cls._sell([(cls.product_late, 2)])
        cls.picking_a = cls._deliver(cls.order_a)
        cls.order_b = cls._sell([(cls.product_late, 1)])
        cls.picking_b = cls._deliver(cls.order_b)
        cls.product_late.warranty_policy_id = cls.policy_12m

    def _run(self, xmlid, user, pickings=None):
        action = self.env.ref(xmlid).with_user(user)
        context = {"active_model": "stock.picking"}
        if pickings is not None:
            context.update(active_ids=pickings.ids, active_id=pickings[:1].id)
        return action.with_context(**context).run()

    def test_selected_deliveries_then_all(self):
        self.assertFalse(self.order_a.warranty_ids | self.order_b.warranty_ids)
        result = self._run(
            "aftersales_warranty.action_server_create_past_warranties", self.manager, self.picking_a
        )
        created = self.env["aftersales.warranty"].search(result["domain"])
        self.assertEqual(sorted(created.lot_id.mapped("name")), ["PAST-1", "PAST-2"])
        self.assertEqual(set(created.mapped("state")), {"active"})
        self.assertEqual(created.sale_order_id, self.order_a)
        # The delivery's day in the company's time zone (Tehran), whatever the hour in UTC.
        delivered = created[0]._date_in_company_tz(created[0].company_id, created[0].move_id.date)
        self.assertEqual(created[0].date_start, delivered)
        self.assertFalse(self.order_b.warranty_ids.filtered(lambda w: w.state != "pending"))
        # Customers are not emailed certificates of deliveries made before the warranty existed.
        self.assertFalse(self.order_a.warranty_certificate_pending)

        result = self._run("aftersales_warranty.action_server_create_all_past_warranties", self.manager)
        created = self.env["aftersales.warranty"].search(result["domain"])
        self.assertEqual(created.lot_id.mapped("name"), ["PAST-3"])
        # Again: everything is covered, nothing more is created.
        result = self._run("aftersales_warranty.action_server_create_all_past_warranties", self.manager)
        self.assertFalse(self.env["aftersales.warranty"].search(result["domain"]))
        live = (self.order_a | self.order_b).warranty_ids.filtered(lambda w: w.state == "active")
        self.assertEqual(len(live), 3)

    def test_only_managers(self):
        for user in (self.agent, self.salesman, self.stock_user):
            with self.assertRaises(AccessError):
                self._run("aftersales_warranty.action_server_create_all_past_warranties", user)
        with self.assertRaises(AccessError):
            self.env["stock.picking"].with_user(self.agent).action_create_past_warranties()
        self.assertFalse(self.order_a.warranty_ids.filtered(lambda w: w.state == "active"))
