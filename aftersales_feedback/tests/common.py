from odoo.tests import new_test_user

from odoo.addons.aftersales_warranty.tests.claim_common import AftersalesClaimCommon


class AftersalesFeedbackCommon(AftersalesClaimCommon):
    """The claim fixtures of aftersales_warranty plus a sales team, CRM-capable users and the
    company's coupon programs. Nothing here relies on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company._aftersales_ensure_programs()
        cls.team_leader = new_test_user(
            cls.env, login="as_team_leader", groups="sales_team.group_sale_salesman_all_leads", name="Leader"
        )
        cls.team = cls.env["crm.team"].create(
            {"name": "After-Sales Team", "user_id": cls.team_leader.id, "member_ids": [(4, cls.salesman.id)]}
        )
        cls.customer.write({"user_id": cls.salesman.id, "phone": "+32 470 12 34 56"})
        cls.order.team_id = cls.team
        cls.Feedback = cls.env["aftersales.feedback"]
        cls.Rule = cls.env["aftersales.followup.rule"]
        cls.Followup = cls.env["aftersales.followup"]
        # Rules are created by each test: the data rules stay out of the way.
        cls.Rule.search([]).active = False
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")

    @classmethod
    def _rule(cls, trigger, **vals):
        return cls.Rule.create(
            {
                "name": f"Rule {trigger}",
                "trigger": trigger,
                "delay_days": 0,
                "date_from": "2025-01-01",
                "company_id": cls.company.id,
                **vals,
            }
        )

    def _followups(self, rule):
        return self.Followup.search([("rule_id", "=", rule.id)])


def make_buyers(partners, company=None):
    """A confirmed order for each of ``partners``: they bought, so they are customers (for the
    occasion greetings and the customer club), invoiced or not."""
    env = partners.env
    env["sale.order"].sudo().create(
        [
            {"partner_id": partner.id, "company_id": (company or env.company).id, "state": "sale"}
            for partner in partners
        ]
    )
