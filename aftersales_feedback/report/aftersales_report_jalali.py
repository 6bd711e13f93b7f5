"""Solar Hijri month and year groupings of the after-sales reports (SQL views), computed in SQL in
the reading user's zone by ``aftersales.jalali.report.mixin`` (aftersales_warranty): the views'
queries are unchanged."""

from odoo import fields, models


class AftersalesKpiReport(models.Model):
    _name = "aftersales.kpi.report"
    _inherit = ["aftersales.kpi.report", "aftersales.jalali.report.mixin"]
    _jalali_groupings = {"date_jalali_month": ("date", "month"), "date_jalali_year": ("date", "year")}

    date_jalali_month = fields.Char(
        "Solar Hijri Month", readonly=True, help="Month of the event in the Solar Hijri calendar."
    )
    date_jalali_year = fields.Char(
        "Solar Hijri Year", readonly=True, help="Year of the event in the Solar Hijri calendar."
    )


class AftersalesQualityReport(models.Model):
    _name = "aftersales.quality.report"
    _inherit = ["aftersales.quality.report", "aftersales.jalali.report.mixin"]
    _jalali_groupings = {
        "date_delivered_jalali_month": ("date_delivered", "month"),
        "date_delivered_jalali_year": ("date_delivered", "year"),
    }

    date_delivered_jalali_month = fields.Char(
        "Solar Hijri Month of Delivery",
        readonly=True,
        help="Month of the delivery in the Solar Hijri calendar.",
    )
    date_delivered_jalali_year = fields.Char(
        "Solar Hijri Year of Delivery",
        readonly=True,
        help="Year of the delivery in the Solar Hijri calendar.",
    )


class AftersalesCallReport(models.Model):
    _name = "aftersales.call.report"
    _inherit = ["aftersales.call.report", "aftersales.jalali.report.mixin"]
    _jalali_groupings = {"date_jalali_month": ("date", "month"), "date_jalali_year": ("date", "year")}

    date_jalali_month = fields.Char(
        "Solar Hijri Month", readonly=True, help="Month of the call in the Solar Hijri calendar."
    )
    date_jalali_year = fields.Char(
        "Solar Hijri Year", readonly=True, help="Year of the call in the Solar Hijri calendar."
    )


class AftersalesClubReport(models.Model):
    _name = "aftersales.club.report"
    _inherit = ["aftersales.club.report", "aftersales.jalali.report.mixin"]
    _jalali_groupings = {"date_jalali_month": ("date", "month"), "date_jalali_year": ("date", "year")}

    date_jalali_month = fields.Char(
        "Solar Hijri Month", readonly=True, help="Month of the event in the Solar Hijri calendar."
    )
    date_jalali_year = fields.Char(
        "Solar Hijri Year", readonly=True, help="Year of the event in the Solar Hijri calendar."
    )
