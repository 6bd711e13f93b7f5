from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        refunds = posted.filtered(lambda m: m.move_type == "out_refund" and m.state == "posted")
        if refunds:
            # The accountant who posts a claim's credit note tells the claim, which settles itself
            # (accountants need not work claims).
            claims = self.env["aftersales.claim"].sudo().search([("credit_note_id", "in", refunds.ids)])
            for move in refunds:
                claims.filtered(lambda c, m=move: c.credit_note_id == m)._on_refund_posted(move)
        return posted
