from odoo import fields, models
from odoo.exceptions import AccessError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_goodwill_program_id = fields.Many2one(
        related="company_id.aftersales_goodwill_program_id", readonly=False
    )
    aftersales_review_program_id = fields.Many2one(
        related="company_id.aftersales_review_program_id", readonly=False
    )
    aftersales_referral_program_id = fields.Many2one(
        related="company_id.aftersales_referral_program_id", readonly=False
    )
    aftersales_goodwill_monthly_cap = fields.Integer(
        related="company_id.aftersales_goodwill_monthly_cap", readonly=False
    )
    aftersales_coupon_validity_days = fields.Integer(
        related="company_id.aftersales_coupon_validity_days", readonly=False
    )
    aftersales_rating_request = fields.Boolean(related="company_id.aftersales_rating_request", readonly=False)
    aftersales_sms_provider = fields.Selection(
        related="company_id.aftersales_sms_provider", readonly=False, required=True
    )
    aftersales_kavenegar_api_key = fields.Char(
        related="company_id.aftersales_kavenegar_api_key", readonly=False, groups="base.group_system"
    )
    aftersales_kavenegar_sender = fields.Char(
        related="company_id.aftersales_kavenegar_sender", readonly=False
    )
    aftersales_pbx_numbers = fields.Char(related="company_id.aftersales_pbx_numbers", readonly=False)
    aftersales_callback_user_id = fields.Many2one(
        related="company_id.aftersales_callback_user_id", readonly=False
    )
    aftersales_pbx_token = fields.Char(related="company_id.aftersales_pbx_token", groups="base.group_system")

    def action_aftersales_generate_pbx_token(self):
        """Give the company a new exchange token (the old one stops working): administrators only."""
        if not self.env.is_system():
            raise AccessError(self.env._("Only a system administrator can generate the exchange's token."))
        self.company_id._aftersales_generate_pbx_token()
        return True

    aftersales_quality_threshold = fields.Float(
        related="company_id.aftersales_quality_threshold", readonly=False
    )
    aftersales_quality_user_id = fields.Many2one(
        related="company_id.aftersales_quality_user_id", readonly=False
    )
