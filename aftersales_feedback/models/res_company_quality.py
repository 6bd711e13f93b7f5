"""Quality settings of the company: the failure-rate early warning and the monthly summary."""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

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
