from odoo import fields, models

from .aftersales_club_rule import CLUB_EVENTS


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

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
