from odoo import fields, models
from odoo.exceptions import UserError

from .aftersales_club_rule import CLUB_EVENTS


class LoyaltyHistory(models.Model):
    _name = "loyalty.history"
    _inherit = ["loyalty.history", "aftersales.guard.mixin"]
    # Odoo's loyalty checks its values; the guard holds the club's ledger (see
    # _aftersales_check_protected).
    _aftersales_check_values = False

    aftersales_event = fields.Selection(CLUB_EVENTS, "Club Event", readonly=True, index="btree_not_null")
    aftersales_res_model = fields.Char("Club Record Model", readonly=True)
    aftersales_res_id = fields.Many2oneReference(
        "Club Record", model_field="aftersales_res_model", readonly=True
    )
    # The 365-day window of the club's tiers counts points by this date (the ORM's create_date is
    # the database transaction's clock).
    aftersales_date = fields.Datetime("Earned On", default=fields.Datetime.now, index=True, readonly=True)

    # One grant per event and record, whoever or whatever runs it again (two agents, a cron rerun).
    _aftersales_event_unique = models.UniqueIndex(
        "(aftersales_event, aftersales_res_id) WHERE aftersales_event IS NOT NULL",
        "These points were already granted for this event.",
    )

    def _aftersales_may_write_protected(self, creating):
        # A manager's adjustment ("Update Balance" on the card) is recorded here with its reason.
        return super()._aftersales_may_write_protected(creating) or self.env.user.has_group(
            "aftersales_warranty.group_aftersales_manager"
        )

    def _aftersales_check_protected(self, vals, creating):
        """The club's ledger counts towards the tiers: its lines are written by the club's rules or a
        manager's adjustment, never typed in by users."""
        super()._aftersales_check_protected(vals, creating)
        ledger = {"card_id", "issued", "used", "aftersales_date"} & set(vals)
        if not ledger or self._aftersales_may_write_protected(creating):
            return
        clubs = self.env["loyalty.program"]._aftersales_club_programs()
        cards = self.card_id | self.env["loyalty.card"].browse(vals.get("card_id"))
        if cards.sudo().filtered(lambda card: card.program_id in clubs):
            raise UserError(
                self.env._(
                    "The history of the customer club's points is written by the club's rules: only an "
                    "After-Sales manager adjusts a member's points, with a reason."
                )
            )
