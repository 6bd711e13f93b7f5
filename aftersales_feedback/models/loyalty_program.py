from odoo import fields, models


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    aftersales_is_club = fields.Boolean(
        "Customer Club", compute="_compute_aftersales_is_club", search="_search_aftersales_is_club"
    )

    def _aftersales_club_programs(self):
        # Which programs are clubs is set-up data, read whoever lists the members.
        return self.env["res.company"].sudo().search([]).aftersales_club_program_id

    def _compute_aftersales_is_club(self):
        clubs = self._aftersales_club_programs()
        for program in self:
            program.aftersales_is_club = program in clubs

    def _search_aftersales_is_club(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        positive = (True in value) == (operator == "in")
        return [("id", "in" if positive else "not in", self._aftersales_club_programs().ids)]
