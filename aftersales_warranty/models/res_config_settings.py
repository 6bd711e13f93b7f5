from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_send_certificate = fields.Boolean(
        related="company_id.aftersales_send_certificate", readonly=False
    )
