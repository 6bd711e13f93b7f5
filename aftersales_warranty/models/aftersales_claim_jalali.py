from odoo import api, fields, models

from .aftersales_jalali_mixin import jalali_company_day, jalali_month_value, jalali_year_value


class AftersalesClaim(models.Model):
    """The claims grouped by the Solar Hijri month and year of their report (see the mixin)."""

    _inherit = "aftersales.claim"

    date_reported_jalali_month = fields.Char(
        "Solar Hijri Month",
        compute="_compute_date_reported_jalali",
        store=True,
        precompute=True,  # in the INSERT: no UPDATE of each new record
        help="Month of the report in the Solar Hijri calendar, in the company's time zone.",
    )
    date_reported_jalali_year = fields.Char(
        "Solar Hijri Year",
        compute="_compute_date_reported_jalali",
        store=True,
        precompute=True,  # in the INSERT: no UPDATE of each new record
        help="Year of the report in the Solar Hijri calendar, in the company's time zone.",
    )

    @api.depends("date_reported", "company_id")
    def _compute_date_reported_jalali(self):
        for claim in self:
            day = jalali_company_day(claim.date_reported, claim.company_id)
            claim.date_reported_jalali_month = jalali_month_value(day)
            claim.date_reported_jalali_year = jalali_year_value(day)
