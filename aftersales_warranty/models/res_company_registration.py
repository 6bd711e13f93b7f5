import secrets

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_registration_phone_limit = fields.Integer(
        "Registration Attempts per Phone and Hour",
        default=5,
        help="Registration attempts and serial checks accepted from one phone number in an hour; "
        "0: no limit.",
    )
    aftersales_registration_ip_limit = fields.Integer(
        "Registration Attempts per IP Address and Hour",
        default=30,
        help="Registration attempts and serial checks accepted from one IP address in an hour; 0: no limit.",
    )
    aftersales_clone_check_phones = fields.Integer(
        "Possible Clone: Phones per Serial and Day",
        default=5,
        help="A serial checked from this many different phone numbers or addresses in a day raises a "
        "'possibly cloned serial' activity for the manager; 0: never.",
    )
    aftersales_sms_inbound_token = fields.Char(
        "Inbound SMS Token",
        copy=False,
        groups="base.group_system",
        help="The secret part of the address an SMS gateway posts received texts to "
        "(/aftersales/sms/inbound/<token>).",
    )

    def _aftersales_generate_sms_inbound_token(self):
        """A new secret for the inbound SMS address of each company."""
        for company in self:
            company.sudo().aftersales_sms_inbound_token = secrets.token_urlsafe(32)
