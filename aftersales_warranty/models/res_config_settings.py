from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_send_certificate = fields.Boolean(
        related="company_id.aftersales_send_certificate", readonly=False
    )
    aftersales_visit_max_per_day = fields.Integer(
        related="company_id.aftersales_visit_max_per_day", readonly=False
    )
    aftersales_faulty_location_id = fields.Many2one(
        related="company_id.aftersales_faulty_location_id", readonly=False
    )
    aftersales_warranty_expense_account_id = fields.Many2one(
        related="company_id.aftersales_warranty_expense_account_id", readonly=False
    )
