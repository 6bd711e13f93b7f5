from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    aftersales_claim_id = fields.Many2one(
        "aftersales.claim",
        string="Replacement for Claim",
        index="btree_not_null",
        copy=False,
        help="Set on the delivery of a replacement unit: its warranty inherits the claimed unit's coverage.",
    )

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        if not self.env.context.get("aftersales_skip_warranty"):
            self.env["aftersales.warranty"]._create_from_moves(moves)
        return moves
