from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        result = super().action_confirm()
        # A new customer's first confirmed order earns whoever referred them a coupon.
        self.env["loyalty.card"]._aftersales_grant_referral(self.filtered(lambda o: o.state == "sale"))
        return result
