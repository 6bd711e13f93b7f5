"""Coupon settings of the company (goodwill, review and referral programs, validity, cap) and the
company's creation, which sets up every capability's programs."""

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)

PROGRAM_FIELDS = {
    "aftersales_goodwill_program_id": _lt("After-Sales Goodwill"),
    "aftersales_review_program_id": _lt("Review Reward"),
    "aftersales_referral_program_id": _lt("Referral Reward"),
}


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

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create([self._aftersales_latin_digits(vals) for vals in vals_list])
        companies._aftersales_ensure_programs()
        companies._aftersales_ensure_club()
        return companies

    def write(self, vals):
        return super().write(self._aftersales_latin_digits(vals))

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

    def _aftersales_coupon_expiry(self):
        self.ensure_one()
        if not self.aftersales_coupon_validity_days:
            return False
        return fields.Date.context_today(self) + relativedelta(days=self.aftersales_coupon_validity_days)
