from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_send_certificate = fields.Boolean(
        "Send Warranty Certificates",
        default=True,
        help="Email the warranty certificate to the customer when the warranties of an order start.",
    )
    aftersales_visit_max_per_day = fields.Integer(
        "Visits per Technician and Day",
        default=6,
        help="The most service visits planned for one technician on one day; 0: no limit.",
    )
