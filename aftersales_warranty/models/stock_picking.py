from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    aftersales_claim_id = fields.Many2one(
        "aftersales.claim", string="Claim", index="btree_not_null", copy=False, check_company=True
    )
