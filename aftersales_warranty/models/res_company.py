from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_send_certificate = fields.Boolean(
        "Send Warranty Certificates",
        default=True,
        help="Email the warranty certificate to the customer when the warranties of an order start.",
    )
