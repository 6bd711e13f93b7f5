import hmac
import re
import secrets

import phonenumbers
import pytz
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import LazyTranslate

from ..tools.sms_api import SmsApiKavenegar

_lt = LazyTranslate(__name__)

PROGRAM_FIELDS = {
    "aftersales_goodwill_program_id": _lt("After-Sales Goodwill"),
    "aftersales_review_program_id": _lt("Review Reward"),
    "aftersales_referral_program_id": _lt("Referral Reward"),
}


# Persian digits (U+06F0-U+06F9) and Arabic-Indic ones (U+0660-U+0669) to 0-9.
LATIN_DIGITS = str.maketrans(
    {chr(base + digit): str(digit) for base in (0x06F0, 0x0660) for digit in range(10)}
)


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_goodwill_program_id = fields.Many2one(
        "loyalty.program", "Goodwill Coupons", domain="[('program_type', '=', 'coupons')]"
    )
    aftersales_review_program_id = fields.Many2one(
        "loyalty.program", "Review Reward Coupons", domain="[('program_type', '=', 'coupons')]"
    )
    aftersales_referral_program_id = fields.Many2one(
        "loyalty.program", "Referral Coupons", domain="[('program_type', '=', 'coupons')]"
    )
    aftersales_club_program_id = fields.Many2one(
        "loyalty.program",
        "Customer Club",
        domain="[('program_type', '=', 'loyalty'), ('company_id', '=', id)]",
        help="The loyalty program of the company's customer club: every customer who bought is a member.",
    )
    aftersales_goodwill_monthly_cap = fields.Integer(
        "Goodwill Coupons per Agent and Month",
        default=0,
        help="How many goodwill coupons an agent may grant per calendar month (0: no limit). "
        "After-sales managers grant more.",
    )
    aftersales_coupon_validity_days = fields.Integer("Coupon Validity (days)", default=90)
    aftersales_rating_request = fields.Boolean(
        "Ask for a Rating",
        default=True,
        help="Email a one-click satisfaction survey when a claim is resolved.",
    )
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
    aftersales_quality_threshold = fields.Float(
        "Failure Rate Threshold (%)",
        digits=(16, 2),
        help="Claims per 100 units delivered in the last 90 days above which the quality manager is "
        "warned, product by product (0: no early warning).",
    )
    aftersales_quality_user_id = fields.Many2one(
        "res.users",
        "Quality Manager",
        domain="[('share', '=', False)]",
        help="The quality or production manager: warned of the products above the threshold, and "
        "emailed a summary every month.",
    )
    aftersales_quality_summary_month = fields.Date(
        "Last Quality Summary", readonly=True, copy=False, help="The month the last monthly summary covered."
    )

    aftersales_pbx_numbers = fields.Char(
        "Exchange Numbers",
        help="The company's phone numbers on its telephone exchange, comma-separated: a call to one of "
        "them is an incoming call.",
    )
    # The exchange's credential to post calls: system administrators only, as the Kavenegar key.
    aftersales_pbx_token = fields.Char(
        "Exchange Token", groups="base.group_system", copy=False, readonly=True
    )

    @api.constrains("aftersales_coupon_validity_days")
    def _check_aftersales_coupon_validity_days(self):
        if any(company.aftersales_coupon_validity_days < 0 for company in self):
            raise ValidationError(self.env._("The coupon validity cannot be negative."))

    @api.constrains("aftersales_goodwill_monthly_cap")
    def _check_aftersales_goodwill_monthly_cap(self):
        if any(company.aftersales_goodwill_monthly_cap < 0 for company in self):
            raise ValidationError(
                self.env._("The number of goodwill coupons per agent and month cannot be negative.")
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

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create([self._aftersales_latin_digits(vals) for vals in vals_list])
        companies._aftersales_ensure_programs()
        companies._aftersales_ensure_club()
        return companies

    def write(self, vals):
        return super().write(self._aftersales_latin_digits(vals))

    @api.model
    def _aftersales_latin_digits(self, vals):
        """A sender line typed on a Persian keyboard, in Persian digits, is the same line in 0-9."""
        sender = vals.get("aftersales_kavenegar_sender")
        if isinstance(sender, str) and sender:
            vals = dict(vals, aftersales_kavenegar_sender=sender.strip().translate(LATIN_DIGITS))
        return vals

    def _aftersales_ensure_programs(self):
        """Create the goodwill, review and referral coupon programs a company lacks (10 % off, emailed)."""
        Program = self.env["loyalty.program"].sudo()  # set-up data, created whoever adds the company
        to_create, targets = [], []
        for company in self:
            for field_name, name in PROGRAM_FIELDS.items():
                if not company[field_name]:
                    to_create.append(company._aftersales_prepare_program_vals(name))
                    targets.append((company, field_name))
        programs = Program.create(to_create) if to_create else Program
        for (company, field_name), program in zip(targets, programs, strict=True):
            company.sudo()[field_name] = program

    def _aftersales_prepare_program_vals(self, name):
        self.ensure_one()
        return {
            "name": name._translate(self.env.lang),
            "program_type": "coupons",
            "company_id": self.id,
            "applies_on": "current",
            "trigger": "with_code",
            "reward_ids": [
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount_mode": "percent",
                        "discount": 10,
                        "discount_applicability": "order",
                        "required_points": 1,
                    }
                )
            ],
            "communication_plan_ids": [
                Command.create(
                    {
                        "trigger": "create",
                        "mail_template_id": self.env.ref("aftersales_feedback.mail_template_coupon").id,
                    }
                )
            ],
        }

    def _get_sms_api_class(self):
        self.ensure_one()
        if self.aftersales_sms_provider == "kavenegar":
            return SmsApiKavenegar
        return super()._get_sms_api_class()

    def _aftersales_coupon_expiry(self):
        self.ensure_one()
        if not self.aftersales_coupon_validity_days:
            return False
        return fields.Date.context_today(self) + relativedelta(days=self.aftersales_coupon_validity_days)

    # ------------------------------------------------------------------
    # Customer club
    # ------------------------------------------------------------------

    def _aftersales_ensure_club(self):
        """Create the customer club program of each company that has none (install, new company,
        upgrade). A points program: 10 points per confirmed order, 10 % off for 100 points."""
        missing = self.filtered(lambda company: not company.aftersales_club_program_id)
        if not missing:
            return
        Program = self.env["loyalty.program"].sudo()  # set-up data, created whoever adds the company
        programs = Program.create([company._aftersales_prepare_club_vals() for company in missing])
        for company, program in zip(missing, programs, strict=True):
            company.sudo().aftersales_club_program_id = program

    def _aftersales_translate_club(self, langs):
        """The club programs' name and point name in ``langs``, from the code's translations, where
        they are still the words the install gave them (a name the manager chose is kept)."""
        programs = self.mapped("aftersales_club_program_id").sudo()  # set-up data, as at creation
        defaults = {"name": "Customer Club", "portal_point_name": "Club points"}
        for lang in set(langs) - {"en_US"}:
            translated = self.with_context(lang=lang).env
            words = {"name": translated._("Customer Club"), "portal_point_name": translated._("Club points")}
            for program in programs:
                for field, english in defaults.items():
                    if program.with_context(lang="en_US")[field] == english and words[field] != english:
                        program.update_field_translations(field, {lang: words[field]})

    def _aftersales_prepare_club_vals(self):
        self.ensure_one()
        return {
            "name": self.env._("Customer Club"),
            "program_type": "loyalty",
            "company_id": self.id,
            "applies_on": "both",
            "trigger": "auto",
            "portal_visible": True,
            "portal_point_name": self.env._("Club points"),
            "rule_ids": [
                Command.create({"reward_point_mode": "order", "reward_point_amount": 10, "minimum_amount": 0})
            ],
            "reward_ids": [
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount_mode": "percent",
                        "discount": 10,
                        "discount_applicability": "order",
                        "required_points": 100,
                    }
                )
            ],
            "communication_plan_ids": [Command.clear()],
        }

    # Telephone exchange (issue 18)
    # ------------------------------------------------------------------

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
        """``number`` in E.164 read with the company's country when phonenumbers finds it valid,
        else as given (an extension, ``s``, a withheld number)."""
        self.ensure_one()
        number = (number or "").strip().translate(LATIN_DIGITS)
        if not number:
            return ""
        if cache is not None and number in cache:
            return cache[number]
        try:
            parsed = phonenumbers.parse(number, self.country_id.code or None)
        except phonenumbers.NumberParseException:
            result = number
        else:
            result = (
                phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
                if phonenumbers.is_valid_number(parsed)
                else number
            )
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

    @api.constrains("aftersales_quality_threshold", "aftersales_quality_user_id")
    def _check_aftersales_quality(self):
        for company in self:
            if company.aftersales_quality_threshold < 0:
                raise ValidationError(self.env._("The failure rate threshold cannot be negative."))
            if company.aftersales_quality_user_id.share:
                raise ValidationError(
                    self.env._(
                        "%(user)s is not an internal user and cannot be the quality manager.",
                        user=company.aftersales_quality_user_id.name,
                    )
                )

    def _aftersales_quality_summary(self):
        """The monthly quality summary of this company (the month is in the context): used by the
        mail template ``mail_template_quality_summary``."""
        self.ensure_one()
        month = fields.Date.to_date(self.env.context.get("aftersales_quality_month"))
        if not month:
            month = fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        return self.env["aftersales.quality.report"]._quality_month_summary(self, month)
