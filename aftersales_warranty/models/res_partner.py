from odoo import fields, models

from .aftersales_guard_mixin import check_internal_read


class ResPartner(models.Model):
    _inherit = "res.partner"

    warranty_count = fields.Integer(
        compute="_compute_warranty_count",
        groups="sales_team.group_sale_salesman,aftersales_warranty.group_aftersales_user",
    )

    claim_count = fields.Integer(
        compute="_compute_claim_count",
        groups="sales_team.group_sale_salesman,aftersales_warranty.group_aftersales_user",
    )

    def _compute_claim_count(self):
        groups = self.env["aftersales.claim"]._read_group(
            [("commercial_partner_id", "in", self.commercial_partner_id.ids)],
            ["commercial_partner_id"],
            ["__count"],
        )
        counts = dict(groups)
        for partner in self:
            partner.claim_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_claims(self):
        check_internal_read(self)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_warranty.aftersales_claim_action")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def _compute_warranty_count(self):
        """Live warranties of the partner and of its contacts (like the sale order count)."""
        all_partners = self.with_context(active_test=False).search_fetch(
            [("id", "child_of", self.ids)], ["parent_id"]
        )
        groups = self.env["aftersales.warranty"]._read_group(
            [("partner_id", "in", all_partners.ids), ("state", "!=", "void")], ["partner_id"], ["__count"]
        )
        self_ids = set(self._ids)
        self.warranty_count = 0
        for partner, count in groups:
            while partner:
                if partner.id in self_ids:
                    partner.warranty_count += count
                partner = partner.parent_id

    def action_view_warranties(self):
        check_internal_read(self)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_warranty.aftersales_warranty_action"
        )
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"search_default_filter_live": 1}
        return action
