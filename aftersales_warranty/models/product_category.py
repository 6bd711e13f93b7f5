from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        help="Default warranty of the products of this category and of its sub-categories; "
        "a product's own policy wins.",
    )
