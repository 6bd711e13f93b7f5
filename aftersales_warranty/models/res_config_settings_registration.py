from odoo import fields, models
from odoo.exceptions import AccessError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_registration_phone_limit = fields.Integer(
        related="company_id.aftersales_registration_phone_limit", readonly=False
    )
    aftersales_registration_ip_limit = fields.Integer(
        related="company_id.aftersales_registration_ip_limit", readonly=False
    )
    aftersales_clone_check_phones = fields.Integer(
        related="company_id.aftersales_clone_check_phones", readonly=False
    )
    aftersales_sms_inbound_token = fields.Char(
        related="company_id.aftersales_sms_inbound_token", groups="base.group_system"
    )

    def action_aftersales_generate_sms_inbound_token(self):
        """A new inbound SMS token for the company: system administrators only."""
        if not self.env.is_system():
            raise AccessError(self.env._("Only a system administrator can generate the inbound SMS token."))
        self.company_id._aftersales_generate_sms_inbound_token()
        return True
