from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        if not self.env.context.get("aftersales_skip_warranty"):
            self.env["aftersales.warranty"]._create_from_moves(moves)
        return moves
