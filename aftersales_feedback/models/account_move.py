from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # A customer with a posted invoice bought: a member of the company's club.
        invoices = posted.filtered(lambda move: move.move_type == "out_invoice" and move.partner_id)
        if invoices:
            Partner = self.env["res.partner"]
            cards = Partner._aftersales_club_enrol(
                [(invoice.partner_id, invoice.company_id) for invoice in invoices]
            )
            Partner._aftersales_club_update_tiers(
                self.env["loyalty.card"].browse({c.id for c in cards.values()})
            )
        return posted
