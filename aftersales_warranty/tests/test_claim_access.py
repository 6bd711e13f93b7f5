from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .claim_common import AftersalesClaimCommon


@tagged("post_install", "-at_install")
class TestClaimAccess(AftersalesClaimCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sla = cls.env["aftersales.claim.sla"].create({"name": "Standard", "resolve_hours": 48})

    def test_salesperson_reads_only(self):
        claim = self._claim()
        claim.action_start_diagnosis()
        claim.action_start_repair()
        as_salesman = claim.with_user(self.salesman)
        self.assertEqual(self.Claim.with_user(self.salesman).search([("id", "=", claim.id)]), claim)
        data = as_salesman.web_read(
            {
                "state": {},
                "partner_id": {"fields": {"display_name": {}}},
                "lot_id": {"fields": {"display_name": {}}},
                "warranty_id": {"fields": {"display_name": {}}},
                "sla_id": {"fields": {"display_name": {}}},
                "date_deadline": {},
                "is_overdue": {},
                "under_warranty": {},
                "repair_count": {},
                "picking_count": {},
            }
        )[0]
        self.assertEqual(data["state"], "in_progress")
        self.assertEqual(data["lot_id"]["display_name"], "AC-1")
        self.assertEqual(data["sla_id"]["display_name"], "Standard")
        self.assertEqual(data["repair_count"], 1)
        with self.assertRaises(AccessError):
            as_salesman.write({"priority": "3"})
        with self.assertRaises(AccessError):
            self._claim(user=self.salesman)
        with self.assertRaises(AccessError):
            as_salesman.unlink()
        with self.assertRaises(AccessError):
            as_salesman.action_resolve()
        self.assertEqual(claim.state, "in_progress")

    def test_agent_works_claims_but_does_not_delete_them(self):
        claim = self._claim()
        claim.write({"priority": "2", "description": "<p>Leaks water.</p>"})
        claim.action_start_diagnosis()
        self.assertEqual(claim.state, "diagnosis")
        fresh = self._claim()
        with self.assertRaises(AccessError):
            fresh.unlink()
        self.assertTrue(fresh.exists())
        Sla = self.env["aftersales.claim.sla"].with_user(self.agent)
        self.assertEqual(
            Sla.search([("id", "=", self.sla.id)]).resolve_hours, 48, "agents read service levels"
        )
        with self.assertRaises(AccessError):
            Sla.create({"name": "Mine", "resolve_hours": 1})
        with self.assertRaises(AccessError):
            self.sla.with_user(self.agent).write({"resolve_hours": 1})

    def test_manager_deletes_new_claims_only(self):
        started = self._claim_in_state("diagnosis")
        cancelled = self._claim_in_state("cancelled", lot_id=self.lot_2.id)
        fresh = self._claim(lot_id=self.lot_2.id)
        for claim in (started, cancelled, fresh | started):
            with (
                self.assertRaisesRegex(UserError, "past 'New' and cannot be deleted"),
                self.env.cr.savepoint(),
            ):
                claim.with_user(self.manager).unlink()
        self.assertEqual((fresh | started | cancelled).exists(), fresh | started | cancelled, "none deleted")
        fresh.with_user(self.manager).unlink()
        self.assertFalse(fresh.exists())

    def test_manager_configures_service_levels(self):
        Sla = self.env["aftersales.claim.sla"].with_user(self.manager)
        sla = Sla.create({"name": "Express", "resolve_hours": 8})
        sla.write({"resolve_hours": 12})
        self.assertEqual(sla.resolve_hours, 12)
        sla.unlink()
        self.assertFalse(sla.exists())

    def test_other_company_sees_nothing(self):
        claim = self._claim()
        other_company = self.env["res.company"].create({"name": "Other Co"})
        outsider = new_test_user(
            self.env,
            login="as_claim_outsider",
            groups="aftersales_warranty.group_aftersales_manager,sales_team.group_sale_salesman",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        Claim = self.Claim.with_user(outsider)
        self.assertFalse(Claim.search([]))
        with self.assertRaises(AccessError):
            claim.with_user(outsider).read(["name"])
        with self.assertRaises(AccessError):
            claim.with_user(outsider).write({"priority": "3"})
        Sla = self.env["aftersales.claim.sla"].with_user(outsider)
        self.assertFalse(Sla.search([("id", "=", self.sla.id)]), "another company's service level")
        # Its own claims work as usual, in its own company, with company-less service levels.
        shared = self.env["aftersales.claim.sla"].create(
            {"name": "Group", "company_id": False, "resolve_hours": 5}
        )
        own = Claim.create({"partner_id": self.other_customer.id})
        self.assertEqual(own.company_id, other_company)
        self.assertEqual(own.sla_id, shared)
        self.assertEqual(Claim.search([]), own)
        self.assertNotIn(own, self.Claim.with_user(self.agent).search([]))
