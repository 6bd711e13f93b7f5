from odoo import models
from odoo.fields import Domain


class StockLocation(models.Model):
    _inherit = "stock.location"

    def _aftersales_is_faulty(self):
        self.ensure_one()
        return bool(self.company_id) and self.company_id.sudo().aftersales_faulty_location_id == self

    def _should_be_valued(self):
        # A faulty unit is worth nothing to the company: its cost is booked to the warranty-expense
        # account (the location's valuation account) when it arrives, never kept in stock value.
        if self._aftersales_is_faulty():
            return False
        return super()._should_be_valued()

    def _search_is_valued(self, operator, value):
        domain = super()._search_is_valued(operator, value)
        faulty = self.env["res.company"].sudo().search([]).aftersales_faulty_location_id
        if not faulty:
            return domain
        positive = (operator == "=" and value) or (operator == "!=" and not value)
        if positive:
            return Domain(domain) & Domain("id", "not in", faulty.ids)
        return Domain(domain) | Domain("id", "in", faulty.ids)
