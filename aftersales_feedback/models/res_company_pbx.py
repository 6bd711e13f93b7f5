"""The company's telephone exchange (issue 18): its numbers, its token, and reading its call records."""

import hmac
import secrets

import pytz

from odoo import fields, models

from .res_company_sms import LATIN_DIGITS


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_pbx_numbers = fields.Char(
        "Exchange Numbers",
        help="The company's phone numbers on its telephone exchange, comma-separated: a call to one of "
        "them is an incoming call.",
    )
    # The exchange's credential to post calls: system administrators only, as the Kavenegar key.
    aftersales_pbx_token = fields.Char(
        "Exchange Token", groups="base.group_system", copy=False, readonly=True
    )

    aftersales_callback_user_id = fields.Many2one(
        "res.users",
        "Call-backs Assigned To",
        domain=[("share", "=", False)],
        help="Who gets the 'Call back' to-do of a missed call that no agent's extension took; empty: "
        "the company's first After-Sales manager.",
    )

    def _aftersales_callback_user(self):
        """Who calls back a missed call: the setting, else the company's first After-Sales manager
        (so that no call-back is assigned to nobody)."""
        self.ensure_one()
        if self.aftersales_callback_user_id:
            return self.aftersales_callback_user_id
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("group_ids", "in", self.env.ref("aftersales_warranty.group_aftersales_manager").id),
                    ("share", "=", False),
                    ("company_ids", "in", self.id),
                ],
                order="id",
                limit=1,
            )
        )

    def _aftersales_tz(self):
        """The company's time zone (its partner's), in which the exchange writes local times."""
        self.ensure_one()
        try:
            return pytz.timezone(self.partner_id.tz or "UTC")
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _aftersales_localize(self, moment):
        """A naive UTC datetime as the company's local time (naive)."""
        return pytz.utc.localize(moment).astimezone(self._aftersales_tz()).replace(tzinfo=None)

    def _aftersales_e164(self, number, cache=None):
        """``number`` in E.164 read with the company's country when Odoo's phone validation finds it
        valid, else as given (an extension, ``s``, a withheld number)."""
        self.ensure_one()
        number = (number or "").strip().translate(LATIN_DIGITS)
        if not number:
            return ""
        if cache is not None and number in cache:
            return cache[number]
        result = self._phone_format_number(number, self.country_id, force_format="E164") or number
        if cache is not None:
            cache[number] = result
        return result

    def _aftersales_pbx_context(self):
        """What reading this company's CDRs needs: its users' extensions (extension -> user id) and
        its own numbers, as written and in E.164."""
        self.ensure_one()
        users = (
            self.env["res.users"]
            .sudo()  # the agents of the company, whoever reads the exchange's rows
            .search_fetch(
                [("aftersales_pbx_extension", "!=", False), ("company_ids", "in", self.id)],
                ["aftersales_pbx_extension"],
                order="id",
            )
        )
        extensions = {}
        for user in users:
            extensions.setdefault(user.aftersales_pbx_extension, user.id)
        numbers = set()
        for number in (self.aftersales_pbx_numbers or "").split(","):
            if number.strip():
                numbers |= {number.strip(), self._aftersales_e164(number)}
        return {"extensions": extensions, "numbers": numbers, "e164": {}}

    def _aftersales_company_by_pbx_token(self, token):
        """The company whose exchange token is ``token`` (compared in constant time), else empty."""
        if not isinstance(token, str) or len(token) < 20:
            return self.browse()
        companies = self.sudo().search_fetch(
            [("aftersales_pbx_token", "!=", False)], ["aftersales_pbx_token"]
        )  # sudo: the token is the caller's credential, read by the system only
        for company in companies:
            if hmac.compare_digest(company.aftersales_pbx_token.encode(), token.encode()):
                return company
        return self.browse()

    def _aftersales_generate_pbx_token(self):
        for company in self:
            company.sudo().aftersales_pbx_token = secrets.token_urlsafe(32)
