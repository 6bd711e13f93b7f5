from odoo import models


class AftersalesWarranty(models.Model):
    _inherit = "aftersales.warranty"

    def _on_registered(self):
        """The buyer registered the unit: the club's points for registering."""
        result = super()._on_registered()
        self.env["res.partner"]._aftersales_club_grant(
            "registration", [(w.partner_id, w.company_id, w) for w in self]
        )
        return result
