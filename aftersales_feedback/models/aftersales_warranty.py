from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class AftersalesWarranty(models.Model):
    _inherit = "aftersales.warranty"
    # The club's bonus is the member's tier at delivery: set by the system, nobody types it.

    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {"club_bonus_months"}

    club_bonus_months = fields.Integer(
        "Club Bonus (months)",
        default=0,
        readonly=True,
        copy=False,
        help="Months the customer club added to the policy's coverage: the customer's tier when the "
        "unit was delivered.",
    )

    @api.depends("club_bonus_months")
    def _compute_date_end(self):
        result = super()._compute_date_end()
        for warranty in self.filtered(lambda w: w.date_end and w.club_bonus_months):
            warranty.date_end += relativedelta(months=warranty.club_bonus_months)
        return result

    @api.model
    def _prepare_sale_move_vals(self, move, policy):
        vals = super()._prepare_sale_move_vals(move, policy)
        partner = move.sale_line_id.order_id.partner_id.sudo().with_company(move.company_id)
        bonus = partner.aftersales_club_tier_id.warranty_bonus_months
        if bonus:
            vals["club_bonus_months"] = bonus
        return vals

    # The quality report and its early warning read the delivered units by day of delivery (the
    # last 90 days, this year): a range scan instead of the whole table.
    _quality_delivered_index = models.Index("(date_start, product_id) WHERE state != 'pending'")
