from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _get_warranty_policies(self):
        """Map each product of ``self`` that carries a warranty to its active policy."""
        policies = {}
        for product in self:
            policy = product.product_tmpl_id._get_warranty_policy()
            if policy and policy.active:
                policies[product] = policy
        return policies
