import re

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
