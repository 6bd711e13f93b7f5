from odoo import fields, models
from odoo.tools import SQL

from ..models.aftersales_club_rule import CLUB_EVENTS

CLUB_REPORT_KINDS = [("member", "Member"), ("earned", "Points Earned"), ("spent", "Points Spent")]


class AftersalesClubReport(models.Model):
    """Customer club KPIs: one row per member (with their tier and balance), one per grant of points
    (by event: purchases and the club's after-sales events) and one per spending of points."""

    _name = "aftersales.club.report"
    _description = "Customer Club KPIs"
    _auto = False
    _order = "date desc"
    _rec_name = "kind"
    # What the view reads: written in the same transaction, it is flushed before the report is read.
    _depends = {
        "loyalty.card": ["partner_id", "program_id", "points", "create_date"],
        "loyalty.history": [
            "card_id",
            "issued",
            "used",
            "aftersales_event",
            "aftersales_date",
            "create_date",
        ],
        "res.company": ["aftersales_club_program_id"],
        "res.partner": ["aftersales_club_tier_id"],
    }

    kind = fields.Selection(CLUB_REPORT_KINDS, readonly=True)
    event = fields.Selection([("purchase", "Purchase"), *CLUB_EVENTS], readonly=True)
    date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    tier_id = fields.Many2one("aftersales.club.tier", readonly=True)
    member_count = fields.Integer("Members", readonly=True, aggregator="sum")
    points_earned = fields.Float(readonly=True, aggregator="sum")
    points_spent = fields.Float(readonly=True, aggregator="sum")
    points_balance = fields.Float(readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        # The tier is company-dependent (one value per company in the partner's jsonb column): each
        # member row reads the value of its card's company.
        return SQL(
            """
            SELECT c.id * 3 AS id, 'member' AS kind, NULL AS event, c.create_date AS date,
                   co.id AS company_id, c.partner_id,
                   (p.aftersales_club_tier_id ->> co.id::text)::integer AS tier_id,
                   1 AS member_count, 0.0 AS points_earned, 0.0 AS points_spent, c.points AS points_balance
              FROM loyalty_card c
              JOIN res_company co ON co.aftersales_club_program_id = c.program_id
              LEFT JOIN res_partner p ON p.id = c.partner_id
            UNION ALL
            SELECT h.id * 3 + 1, 'earned', COALESCE(h.aftersales_event, 'purchase'),
                   COALESCE(h.aftersales_date, h.create_date), co.id, c.partner_id,
                   (p.aftersales_club_tier_id ->> co.id::text)::integer,
                   0, h.issued, 0.0, 0.0
              FROM loyalty_history h
              JOIN loyalty_card c ON c.id = h.card_id
              JOIN res_company co ON co.aftersales_club_program_id = c.program_id
              LEFT JOIN res_partner p ON p.id = c.partner_id
             WHERE h.issued > 0
            UNION ALL
            SELECT h.id * 3 + 2, 'spent', NULL, COALESCE(h.aftersales_date, h.create_date), co.id,
                   c.partner_id, (p.aftersales_club_tier_id ->> co.id::text)::integer,
                   0, 0.0, h.used, 0.0
              FROM loyalty_history h
              JOIN loyalty_card c ON c.id = h.card_id
              JOIN res_company co ON co.aftersales_club_program_id = c.program_id
              LEFT JOIN res_partner p ON p.id = c.partner_id
             WHERE h.used > 0
            """
        )
