"""SMS settings of the company: the provider that sends every SMS (Odoo's IAP or Kavenegar) and
Kavenegar's account."""

import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.sms_api import SmsApiKavenegar

# Persian digits (U+06F0-U+06F9) and Arabic-Indic ones (U+0660-U+0669) to 0-9.
LATIN_DIGITS = str.maketrans(
    {chr(base + digit): str(digit) for base in (0x06F0, 0x0660) for digit in range(10)}
)


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_sms_provider = fields.Selection(
        [("iap", "Odoo (IAP)"), ("kavenegar", "Kavenegar")],
        "SMS Provider",
        required=True,
        default="iap",
        help="The service that sends every SMS of the company: greetings, survey links, claim notices "
        "and Odoo's own.",
    )
    # A credential of a paid account: system administrators only, as sms_twilio's Twilio token.
    aftersales_kavenegar_api_key = fields.Char(
        "Kavenegar API Key", groups="base.group_system", copy=False, help="The API key of Kavenegar's panel."
    )
    aftersales_kavenegar_sender = fields.Char(
        "Kavenegar Sender Line",
        copy=False,
        help="The line the SMS are sent from, e.g. 10004346. Without it, Kavenegar sends from the "
        "account's default line, one call per distinct text.",
    )

    @api.constrains("aftersales_kavenegar_api_key", "aftersales_kavenegar_sender")
    def _check_aftersales_kavenegar(self):
        for company in self.sudo():  # the key is checked whoever writes it (the field is restricted)
            api_key = company.aftersales_kavenegar_api_key
            if api_key and not re.fullmatch(r"[A-Za-z0-9+/=_.-]+", api_key):
                raise ValidationError(
                    self.env._(
                        "The Kavenegar API key is the code shown in Kavenegar's panel: letters and digits, "
                        "without spaces."
                    )
                )
            sender = company.aftersales_kavenegar_sender
            if sender and not re.fullmatch(r"[0-9]{3,20}", sender):
                raise ValidationError(
                    self.env._(
                        "The Kavenegar sender line %(sender)s is not a line number: write its digits only, "
                        "e.g. 10004346.",
                        sender=sender,
                    )
                )

    @api.model
    def _aftersales_latin_digits(self, vals):
        """A sender line typed on a Persian keyboard, in Persian digits, is the same line in 0-9."""
        sender = vals.get("aftersales_kavenegar_sender")
        if isinstance(sender, str) and sender:
            vals = dict(vals, aftersales_kavenegar_sender=sender.strip().translate(LATIN_DIGITS))
        return vals

    def _get_sms_api_class(self):
        self.ensure_one()
        if self.aftersales_sms_provider == "kavenegar":
            return SmsApiKavenegar
        return super()._get_sms_api_class()
