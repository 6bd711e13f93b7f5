from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    aftersales_is_dealer = fields.Boolean(
        "Dealer / Distributor",
        help="Units delivered to this partner (or to one of its contacts) are resold: their warranty "
        "waits for the buyer's registration instead of starting with the delivery.",
    )
