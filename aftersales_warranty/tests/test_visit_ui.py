from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestVisitTour(AftersalesWarrantyCommon, HttpCase):
    def test_agent_plans_a_visit_from_a_claim(self):
        # Around the clock, every day: wherever the browser clicks is working time.
        always = self.env["resource.calendar"].create(
            {
                "name": "Always",
                "tz": "UTC",
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {"name": f"Day {day}", "dayofweek": str(day), "hour_from": 0, "hour_to": 24}
                    )
                    for day in range(7)
                ],
            }
        )
        self.company.resource_calendar_id = always
        technician = new_test_user(
            self.env,
            login="tour_technician",
            groups="aftersales_warranty.group_aftersales_technician",
            name="Technician Sara",
        )
        lot = self._add_stock(self.product_serial, lot_names=["TOUR-VISIT-SN"])
        self._deliver(self._sell([(self.product_serial, 1)]))
        claim = self.env["aftersales.claim"].create(
            {"lot_id": lot.id, "partner_id": self.customer.id, "priority": "3"}
        )
        self.start_tour(
            f"/odoo/action-aftersales_warranty.aftersales_claim_action/{claim.id}",
            "aftersales_visit_plan_tour",
            login="as_agent",
        )
        visit = self.env["aftersales.visit"].search([("claim_id", "=", claim.id)])
        self.assertEqual(visit.state, "scheduled")
        self.assertEqual(visit.kind, "repair")
        self.assertEqual(visit.technician_id, technician)
        self.assertTrue(visit.calendar_event_id)
