from odoo import api, fields, models

from .aftersales_jalali_mixin import jalali_company_day, jalali_month_value, jalali_year_value


class AftersalesVisit(models.Model):
    """The visits grouped by the Solar Hijri month and year of their start (see the mixin)."""

    _inherit = "aftersales.visit"

    date_start_jalali_month = fields.Char(
        "Solar Hijri Month",
        compute="_compute_date_start_jalali",
        store=True,
        precompute=True,  # in the INSERT: no UPDATE of each new record
        help="Month of the visit in the Solar Hijri calendar, in the company's time zone.",
    )
    date_start_jalali_year = fields.Char(
        "Solar Hijri Year",
        compute="_compute_date_start_jalali",
        store=True,
        precompute=True,  # in the INSERT: no UPDATE of each new record
        help="Year of the visit in the Solar Hijri calendar, in the company's time zone.",
    )

    @api.depends("date_start", "company_id")
    def _compute_date_start_jalali(self):
        for visit in self:
            day = jalali_company_day(visit.date_start, visit.company_id)
            visit.date_start_jalali_month = jalali_month_value(day)
            visit.date_start_jalali_year = jalali_year_value(day)
