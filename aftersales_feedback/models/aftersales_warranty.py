from odoo import models


class AftersalesWarranty(models.Model):
    _inherit = "aftersales.warranty"

    # The quality report and its early warning read the delivered units by day of delivery (the
    # last 90 days, this year): a range scan instead of the whole table.
    _quality_delivered_index = models.Index("(date_start, product_id) WHERE state != 'pending'")
