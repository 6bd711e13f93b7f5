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
