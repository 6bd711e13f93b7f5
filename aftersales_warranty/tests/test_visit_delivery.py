from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .visit_common import AftersalesVisitCommon


@tagged("post_install", "-at_install")
class TestVisitFromDelivery(AftersalesVisitCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.split_ac = cls.env["product.product"].create(
            {
                "name": "Split Air Conditioner",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "warranty_policy_id": cls.policy_12m.id,
                "aftersales_install_required": True,
            }
        )
        cls.analyser = cls.env["product.product"].create(
            {
                "name": "Blood Analyser",
                "type": "consu",
                "is_storable": True,
                "warranty_policy_id": cls.policy_sale_6m.id,
                "aftersales_training_required": True,
            }
        )

    def test_installation_per_unit_training_per_delivery(self):
        lots = self._add_stock(self.split_ac, lot_names=["SPLIT-1", "SPLIT-2"])
        self._add_stock(self.analyser, 5.0)
        order = self._sell([(self.split_ac, 2), (self.analyser, 3), (self.product_no_warranty, 1)])
        self._add_stock(self.product_no_warranty, 1.0)
        picking = self._deliver(order)
        visits = self.Visit.search([("picking_id", "=", picking.id)])
        installs = visits.filtered(lambda v: v.kind == "install")
        self.assertEqual(installs.lot_id, lots, "one installation visit per delivered serial")
        self.assertEqual(len(installs), 2)
        self.assertEqual(installs.warranty_id, lots.warranty_id, "each with its unit's warranty")
        self.assertEqual(set(installs.mapped("state")), {"draft"}, "to schedule")
        self.assertEqual(installs.partner_id, self.customer)
        self.assertEqual(installs.address_id, self.customer_shipping, "at the delivery address")
        training = visits.filtered(lambda v: v.kind == "training")
        self.assertEqual(len(training), 1, "one training visit per delivery")
        self.assertEqual(training.product_id, self.analyser)
        # Delivered again (the same moves, as a second call would do): nothing more.
        self.Visit._create_from_moves(picking.move_ids)
        self.assertEqual(self.Visit.search_count([("picking_id", "=", picking.id)]), 3)

    def test_partial_delivery_and_return(self):
        self._add_stock(self.analyser, 5.0)
        order = self._sell([(self.analyser, 4)])
        first = self._deliver(order, quantities={self.analyser: 1})
        second = self._deliver(order)
        self.assertEqual(
            self.Visit.search_count([("picking_id", "=", first.id), ("kind", "=", "training")]), 1
        )
        self.assertEqual(
            self.Visit.search_count([("picking_id", "=", second.id), ("kind", "=", "training")]), 1
        )
        returned = self._return(second)
        self.assertFalse(self.Visit.search([("picking_id", "=", returned.id)]), "a return brings no visit")

    def test_products_without_visits(self):
        order = self._sell([(self.product_no_warranty, 1)])
        self._add_stock(self.product_no_warranty, 1.0)
        picking = self._deliver(order)
        self.assertFalse(self.Visit.search([("picking_id", "=", picking.id)]))


@tagged("post_install", "-at_install")
class TestMaintenanceVisits(AftersalesVisitCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy_12m.maintenance_interval_months = 3

    def _maintenance(self):
        return self.Visit.search(
            [("kind", "=", "maintenance"), ("warranty_id", "in", self.order.warranty_ids.ids)]
        )

    def test_once_per_interval(self):
        # Delivered 2026-01-10, covered until 2027-01-10, maintained every three months.
        with freeze_time("2026-03-20 08:00:00"):
            self.Visit._cron_create_maintenance_visits()
        self.assertFalse(self._maintenance(), "the first period is not over")
        self.Visit._cron_create_maintenance_visits()  # 2026-06-01
        visits = self._maintenance()
        self.assertEqual(len(visits), 2, "one per unit")
        self.assertEqual(set(visits.mapped("maintenance_due_date")), {self._date("2026-04-10")})
        self.assertEqual(visits.lot_id, self.lot | self.lot_2)
        self.assertEqual(set(visits.mapped("state")), {"draft"})
        self.Visit._cron_create_maintenance_visits()
        with freeze_time("2026-07-09 08:00:00"):
            self.Visit._cron_create_maintenance_visits()
        self.assertEqual(len(self._maintenance()), 2, "once per interval")
        with freeze_time("2026-07-10 08:00:00"):
            self.Visit._cron_create_maintenance_visits()
            self.Visit._cron_create_maintenance_visits()
        self.assertEqual(len(self._maintenance()), 4)
        self.assertEqual(
            set(self._maintenance().mapped("maintenance_due_date")),
            {self._date("2026-04-10"), self._date("2026-07-10")},
        )

    def test_not_after_expiry(self):
        with freeze_time("2027-01-11 08:00:00"):
            self.env["aftersales.warranty"]._cron_expire_warranties()
            self.Visit._cron_create_maintenance_visits()
        self.assertFalse(self._maintenance(), "an expired warranty gets no maintenance visit")

    def test_no_interval_no_visit(self):
        self.policy_12m.maintenance_interval_months = 0
        self.Visit._cron_create_maintenance_visits()
        self.assertFalse(self._maintenance())

    @staticmethod
    def _date(text):
        return fields.Date.to_date(text)
