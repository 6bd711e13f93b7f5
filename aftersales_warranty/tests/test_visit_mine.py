"""A technician's *My Visits*, the first thing they open on a phone: today's and the coming
scheduled visits in the order they come, never an empty "Draft" column."""

import ast

from odoo.tests import tagged

from .visit_common import AftersalesVisitCommon, tehran


@tagged("post_install", "-at_install")
class TestMyVisits(AftersalesVisitCommon):
    def test_my_visits_opens_on_the_scheduled_visits_in_date_order(self):
        action = self.env.ref("aftersales_warranty.aftersales_visit_action_mine")
        self.assertEqual(action.view_mode.split(",")[0], "list", "a list of the day, not a kanban by state")
        my_list = self.env.ref("aftersales_warranty.aftersales_visit_view_list_mine")
        self.assertEqual(action.view_ids.sorted("sequence")[:1].view_id, my_list)

        # What the web client opens: the list's own order, the action's default filters.
        Visit = self.env["aftersales.visit"].with_user(self.technician)
        arch = Visit.get_views([(my_list.id, "list")])
        self.assertIn('default_order="date_start, id"', arch["views"]["list"]["arch"])
        self.assertEqual(
            ast.literal_eval(action.context),
            {"search_default_filter_mine": 1, "search_default_filter_scheduled": 1},
        )


@tagged("post_install", "-at_install")
class TestPlanVisitOpensWhereSomethingIs(AftersalesVisitCommon):
    def test_plan_visit_opens_on_the_first_free_slot_then_on_the_claims_visit(self):
        claim = self._claim()
        context = claim.with_user(self.agent).action_plan_visit()["context"]
        self.assertNotIn("default_date_start", context, "a normal claim: the agent picks the time")
        __, start, __ = self.env["aftersales.visit"]._earliest_free_slot(claim.company_id)
        self.assertEqual(context["initial_date"], str(start), "the week of the first free slot")
        visit = (
            self.Visit.with_user(self.agent)
            .with_context(**context)
            .create(
                {
                    "technician_id": self.technician.id,
                    "date_start": tehran("2026-06-09 09:00"),
                    "date_end": tehran("2026-06-09 11:00"),
                }
            )
        )
        visit.with_user(self.agent).action_schedule()
        context = claim.with_user(self.agent).action_plan_visit()["context"]
        self.assertEqual(context["initial_date"], str(visit.date_start), "the week of the claim's visit")
