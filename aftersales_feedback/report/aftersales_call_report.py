from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.aftersales_warranty.models.aftersales_claim import OPEN_STATES

from ..models.aftersales_call import CALL_DIRECTIONS, CALL_STATUSES

# A customer who calls more than this many times about one open claim is chasing it.
REPEAT_CALLS = 2


class AftersalesCallReport(models.Model):
    """The exchange's calls as KPIs: one row per call, with measures that add up over any grouping
    (day, hour, agent, customer, company). The answer rate is an average whose outbound rows are NULL;
    the time to call back a missed call is a median, computed by PostgreSQL for each cell."""

    _name = "aftersales.call.report"
    _inherit = ["aftersales.median.mixin"]
    _description = "After-Sales Calls Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "date"

    date = fields.Datetime("Started", readonly=True)
    call_day = fields.Date("Day", readonly=True)
    call_hour = fields.Integer("Hour", readonly=True, aggregator=False)
    direction = fields.Selection(CALL_DIRECTIONS, readonly=True)
    status = fields.Selection(CALL_STATUSES, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", "Agent", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    claim_id = fields.Many2one("aftersales.claim", readonly=True)
    call_count = fields.Integer("Calls", readonly=True, aggregator="sum")
    calls_in = fields.Integer(readonly=True, aggregator="sum")
    calls_out = fields.Integer(readonly=True, aggregator="sum")
    calls_missed = fields.Integer("Missed Calls", readonly=True, aggregator="sum")
    calls_answered_in = fields.Integer("Calls Answered", readonly=True, aggregator="sum")
    answer_rate = fields.Float(
        "Answer Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the incoming calls that were answered.",
    )
    callback_hours = fields.Float(
        "Hours to Call Back (Median)",
        readonly=True,
        aggregator="median",
        help="Median time from a missed call to the answered call back, missed calls called back only.",
    )
    missed_not_called_back = fields.Integer("Missed, Not Called Back", readonly=True, aggregator="sum")
    talk_minutes = fields.Float("Talk Time (min)", readonly=True, aggregator="sum")
    repeat_caller = fields.Boolean(
        readonly=True,
        help="The customer called more than twice about this open claim.",
    )
    repeat_caller_count = fields.Integer(
        "Repeat Callers",
        readonly=True,
        aggregator="count_distinct",
        help="Customers who called more than twice about one open claim.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH repeat_claims AS (
                SELECT call.claim_id
                  FROM aftersales_call call
                  JOIN aftersales_claim claim ON claim.id = call.claim_id
                 WHERE call.direction = 'inbound' AND claim.state IN %(open)s
              GROUP BY call.claim_id
                HAVING count(*) > %(repeat)s
            )
            SELECT call.id AS id,
                   call.date_start AS date,
                   call.call_day AS call_day,
                   call.call_hour AS call_hour,
                   call.direction AS direction,
                   call.status AS status,
                   call.company_id AS company_id,
                   call.user_id AS user_id,
                   call.partner_id AS partner_id,
                   call.claim_id AS claim_id,
                   1 AS call_count,
                   (call.direction = 'inbound')::int AS calls_in,
                   (call.direction = 'outbound')::int AS calls_out,
                   (call.direction = 'inbound' AND call.status = 'missed')::int AS calls_missed,
                   (call.direction = 'inbound' AND call.status = 'answered')::int AS calls_answered_in,
                   CASE WHEN call.direction = 'inbound'
                        THEN CASE WHEN call.status = 'answered' THEN 100.0 ELSE 0.0 END
                   END AS answer_rate,
                   CASE WHEN call.date_called_back IS NOT NULL
                        THEN EXTRACT(EPOCH FROM call.date_called_back - call.date_start) / 3600.0
                   END AS callback_hours,
                   (call.direction = 'inbound' AND call.status = 'missed'
                        AND call.callback_call_id IS NULL)::int AS missed_not_called_back,
                   COALESCE(call.talk_seconds, 0) / 60.0 AS talk_minutes,
                   (repeat_claims.claim_id IS NOT NULL) AS repeat_caller,
                   CASE WHEN repeat_claims.claim_id IS NOT NULL
                        THEN call.partner_id
                   END AS repeat_caller_count
              FROM aftersales_call call
         LEFT JOIN repeat_claims ON repeat_claims.claim_id = call.claim_id
            """,
            open=tuple(OPEN_STATES),
            repeat=REPEAT_CALLS,
        )
