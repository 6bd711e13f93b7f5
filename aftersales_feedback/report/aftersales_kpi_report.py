from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.aftersales_warranty.models.aftersales_claim import OPEN_STATES

KPI_KINDS = [
    ("claim_opened", "Claim Opened"),
    ("claim_resolved", "Claim Resolved"),
    ("feedback", "Feedback"),
    ("followup", "Follow-up Call"),
    ("coupon_issued", "Coupon Issued"),
    ("coupon_redeemed", "Coupon Redeemed"),
    ("warranty_cost", "Warranty Repair"),
]
# A customer without a confirmed order for this long, and unhappy, is at risk of leaving.
CHURN_DAYS = 180


class AftersalesKpiReport(models.Model):
    """After-sales KPIs: one row per event (a claim opened or resolved, a feedback, a follow-up call,
    a coupon issued or redeemed, a warranty repair done), dated when it happened.

    Every measure is a count or an amount that adds up over any grouping (day to year, company,
    product, agent), or an average whose non-event rows are NULL (so that AVG only sees the rows it
    is about): CSAT, NPS and SLA compliance are exact in any pivot. The time to resolve is a median,
    computed by PostgreSQL for each cell (see ``aftersales.median.mixin``).
    """

    _name = "aftersales.kpi.report"
    _inherit = ["aftersales.median.mixin"]
    _description = "After-Sales KPIs"
    _auto = False
    _order = "date desc"
    _rec_name = "kind"

    kind = fields.Selection(KPI_KINDS, readonly=True)
    date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    user_id = fields.Many2one("res.users", "Responsible", readonly=True)
    claim_id = fields.Many2one("aftersales.claim", readonly=True)
    # Claims
    claims_opened = fields.Integer(readonly=True, aggregator="sum")
    claims_resolved = fields.Integer(readonly=True, aggregator="sum")
    resolve_hours = fields.Float(
        "Hours to Resolve (Median)",
        readonly=True,
        aggregator="median",
        help="Median time from the report of a claim to its resolution, resolved claims only.",
    )
    sla_count = fields.Integer("Resolved With Deadline", readonly=True, aggregator="sum")
    sla_met = fields.Integer("Resolved In Time", readonly=True, aggregator="sum")
    sla_compliance = fields.Float(
        "SLA Compliance (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the resolved claims with a deadline that were resolved by it.",
    )
    # Feedback
    feedback_count = fields.Integer("Feedback", readonly=True, aggregator="sum")
    score_total = fields.Integer("Total Score", readonly=True, aggregator="sum")
    csat = fields.Float("CSAT (1-5)", readonly=True, aggregator="avg", help="Average satisfaction score.")
    nps_count = fields.Integer("Recommendation Answers", readonly=True, aggregator="sum")
    promoters = fields.Integer(readonly=True, aggregator="sum")
    detractors = fields.Integer(readonly=True, aggregator="sum")
    nps = fields.Float(
        "NPS",
        readonly=True,
        aggregator="avg",
        help="Net Promoter Score: % promoters (9-10) minus % detractors (0-6) among the customers "
        "who answered the 0-10 question.",
    )
    # Follow-up calls
    followups_done = fields.Integer("Calls Done", readonly=True, aggregator="sum")
    followups_no_answer = fields.Integer("Calls Not Answered", readonly=True, aggregator="sum")
    followups_overdue = fields.Integer("Calls Overdue", readonly=True, aggregator="sum")
    # Coupons
    coupons_issued = fields.Integer(readonly=True, aggregator="sum")
    coupons_redeemed = fields.Integer(readonly=True, aggregator="sum")
    # Warranty cost
    cost_parts = fields.Monetary("Parts Given Free", readonly=True, aggregator="sum")
    cost_labour = fields.Monetary("Labour Given Free", readonly=True, aggregator="sum")
    cost_replacement = fields.Monetary("Units Replaced", readonly=True, aggregator="sum")
    warranty_cost = fields.Monetary(
        readonly=True,
        aggregator="sum",
        help="Cost of the parts and labour given free by done repairs under warranty, and of the "
        "replacement units delivered for claims: parts and units at the value of their stock moves "
        "(their cost when they left stock), service lines of the repair quotation priced zero "
        "(quantity x product cost).",
    )

    @property
    def _table_query(self):
        # Today and now come from Python: a test's frozen clock, the user's reading of "overdue".
        return SQL(
            """
            SELECT ROW_NUMBER() OVER (ORDER BY events.kind, events.res_id) AS id, events.*,
                   company.currency_id AS currency_id,
                   template.categ_id AS categ_id
              FROM (%(claims_opened)s
                    UNION ALL %(claims_resolved)s
                    UNION ALL %(feedback)s
                    UNION ALL %(followups)s
                    UNION ALL %(coupons_issued)s
                    UNION ALL %(coupons_redeemed)s
                    UNION ALL %(warranty_cost)s
                    UNION ALL %(warranty_replacements)s) AS events
              JOIN res_company company ON company.id = events.company_id
         LEFT JOIN product_product product ON product.id = events.product_id
         LEFT JOIN product_template template ON template.id = product.product_tmpl_id
            """,
            claims_opened=self._query_claims_opened(),
            claims_resolved=self._query_claims_resolved(),
            feedback=self._query_feedback(),
            followups=self._query_followups(fields.Date.context_today(self)),
            coupons_issued=self._query_coupons_issued(),
            coupons_redeemed=self._query_coupons_redeemed(),
            warranty_cost=self._query_warranty_cost(),
            warranty_replacements=self._query_warranty_replacements(),
        )

    def _select(self, kind, res_id, date, company, partner, product, user, claim, **measures):
        """One event SELECT: the dimensions, then every measure (0 or NULL unless given)."""
        zero_measures = {
            "claims_opened": "0",
            "claims_resolved": "0",
            "resolve_hours": "NULL::float",
            "sla_count": "0",
            "sla_met": "0",
            "sla_compliance": "NULL::float",
            "feedback_count": "0",
            "score_total": "0",
            "csat": "NULL::float",
            "nps_count": "0",
            "promoters": "0",
            "detractors": "0",
            "nps": "NULL::float",
            "followups_done": "0",
            "followups_no_answer": "0",
            "followups_overdue": "0",
            "coupons_issued": "0",
            "coupons_redeemed": "0",
            "cost_parts": "0::numeric",
            "cost_labour": "0::numeric",
            "cost_replacement": "0::numeric",
            "warranty_cost": "0::numeric",
        }
        columns = [
            SQL("%s::varchar AS kind", kind),
            SQL("%s AS res_id", SQL(res_id)),
            SQL("%s AS date", SQL(date)),
            SQL("%s AS company_id", SQL(company)),
            SQL("%s AS partner_id", SQL(partner)),
            SQL("%s AS product_id", SQL(product)),
            SQL("%s AS user_id", SQL(user)),
            SQL("%s AS claim_id", SQL(claim)),
        ]
        for name, default in zero_measures.items():
            value = measures.pop(name, default)
            columns.append(SQL("%s AS %s", SQL(value), SQL.identifier(name)))
        if measures:
            raise ValueError(f"Unknown after-sales KPI measures: {sorted(measures)}")
        return SQL(", ").join(columns)

    def _query_claims_opened(self):
        select = self._select(
            "claim_opened",
            "claim.id",
            "claim.date_reported",
            "claim.company_id",
            "claim.commercial_partner_id",
            "claim.product_id",
            "claim.user_id",
            "claim.id",
            claims_opened="1",
        )
        return SQL("SELECT %s FROM aftersales_claim claim", select)

    def _query_claims_resolved(self):
        # Resolved means solved for the customer: rejected and cancelled claims are no resolution.
        select = self._select(
            "claim_resolved",
            "claim.id",
            "claim.date_resolved",
            "claim.company_id",
            "claim.commercial_partner_id",
            "claim.product_id",
            "claim.user_id",
            "claim.id",
            claims_resolved="1",
            resolve_hours="EXTRACT(EPOCH FROM claim.date_resolved - claim.date_reported) / 3600.0",
            sla_count="(claim.date_deadline IS NOT NULL)::int",
            sla_met="(claim.date_resolved <= claim.date_deadline)::int",
            sla_compliance="""CASE WHEN claim.date_deadline IS NULL THEN NULL
                                   WHEN claim.date_resolved <= claim.date_deadline THEN 100.0
                                   ELSE 0.0 END""",
        )
        return SQL(
            """SELECT %s FROM aftersales_claim claim
                WHERE claim.state IN ('resolved', 'closed') AND claim.date_resolved IS NOT NULL""",
            select,
        )

    def _query_feedback(self):
        select = self._select(
            "feedback",
            "feedback.id",
            "feedback.date",
            "feedback.company_id",
            "partner.commercial_partner_id",
            "feedback.product_id",
            "feedback.user_id",
            "feedback.claim_id",
            feedback_count="1",
            score_total="feedback.score",
            csat="feedback.score::float",
            nps_count="(feedback.nps_given IS TRUE)::int",
            promoters="(feedback.nps_given IS TRUE AND feedback.nps >= 9)::int",
            detractors="(feedback.nps_given IS TRUE AND feedback.nps <= 6)::int",
            nps="""CASE WHEN feedback.nps_given IS NOT TRUE THEN NULL
                        WHEN feedback.nps >= 9 THEN 100.0
                        WHEN feedback.nps >= 7 THEN 0.0
                        ELSE -100.0 END""",
        )
        return SQL(
            """SELECT %s FROM aftersales_feedback feedback
                 JOIN res_partner partner ON partner.id = feedback.partner_id""",
            select,
        )

    def _query_followups(self, today):
        # A finished call counts when it was finished, an open one when it is (or was) due.
        select = self._select(
            "followup",
            "followup.id",
            "COALESCE(followup.date_done, followup.date_deadline::timestamp, followup.create_date)",
            "followup.company_id",
            "partner.commercial_partner_id",
            "NULL::int",
            "followup.user_id",
            "CASE WHEN followup.res_model = 'aftersales.claim' THEN followup.res_id END",
            followups_done="(followup.state = 'done')::int",
            # The last call was not answered: another try is planned, or the follow-up gave up.
            followups_no_answer="(followup.outcome = 'no_answer')::int",
            followups_overdue=SQL("(followup.state = 'open' AND followup.date_deadline < %s)::int", today),
        )
        return SQL(
            """SELECT %s FROM aftersales_followup followup
            LEFT JOIN res_partner partner ON partner.id = followup.partner_id""",
            select,
        )

    def _coupon_select(self, kind, date, **measures):
        return self._select(
            kind,
            "card.id",
            date,
            "COALESCE(card.company_id, claim.company_id, rewarded_order.company_id)",
            "partner.commercial_partner_id",
            "claim.product_id",
            "NULL::int",
            "card.aftersales_claim_id",
            **measures,
        )

    _coupon_from = """loyalty_card card
                 LEFT JOIN res_partner partner ON partner.id = card.partner_id
                 LEFT JOIN aftersales_claim claim ON claim.id = card.aftersales_claim_id
                 LEFT JOIN sale_order rewarded_order ON rewarded_order.id = card.aftersales_sale_order_id"""

    def _query_coupons_issued(self):
        return SQL(
            "SELECT %s FROM %s WHERE card.aftersales_origin IS NOT NULL",
            self._coupon_select("coupon_issued", "card.create_date", coupons_issued="1"),
            SQL(self._coupon_from),
        )

    def _query_coupons_redeemed(self):
        # Redeemed: used on an order that was confirmed (sale_loyalty links the reward line to it).
        return SQL(
            """SELECT %s FROM %s
                 JOIN LATERAL (
                        SELECT MIN(sale_order.date_order) AS date
                          FROM sale_order_line
                          JOIN sale_order ON sale_order.id = sale_order_line.order_id
                         WHERE sale_order_line.coupon_id = card.id AND sale_order.state = 'sale'
                      ) used ON used.date IS NOT NULL
                WHERE card.aftersales_origin IS NOT NULL""",
            self._coupon_select("coupon_redeemed", "used.date", coupons_redeemed="1"),
            SQL(self._coupon_from),
        )

    def _query_warranty_cost(self):
        """Done repairs of claims, under warranty: parts consumed and labour given free, at cost.

        Odoo's repair gives every part of a repair under warranty for free (its quotation line is
        priced zero): parts are the done "add" moves, at their value (the cost when they left
        stock, never today's cost). Odoo 19 repairs
        have no labour lines: labour is the service lines of the repair's quotation, and it was given
        free when that line is priced zero; it is valued quantity x the service product's cost.
        """
        cost = "COALESCE((%s.standard_price ->> repair.company_id::text)::numeric, 0)"
        select = self._select(
            "warranty_cost",
            "repair.id",
            "COALESCE(repair_move.date, repair.schedule_date)",
            "repair.company_id",
            "claim.commercial_partner_id",
            "repair.product_id",
            "claim.user_id",
            "claim.id",
            cost_parts="COALESCE(parts.amount, 0)",
            cost_labour="COALESCE(labour.amount, 0)",
            warranty_cost="COALESCE(parts.amount, 0) + COALESCE(labour.amount, 0)",
        )
        return SQL(
            f"""SELECT %s FROM repair_order repair
                  JOIN aftersales_claim claim ON claim.id = repair.aftersales_claim_id
             LEFT JOIN stock_move repair_move ON repair_move.id = repair.move_id
             LEFT JOIN LATERAL (
                        SELECT SUM(COALESCE(move.value, 0)) AS amount
                          FROM stock_move move
                         WHERE move.repair_id = repair.id
                           AND move.repair_line_type = 'add'
                           AND move.state = 'done'
                      ) parts ON TRUE
             LEFT JOIN LATERAL (
                        SELECT SUM(line.product_uom_qty * {cost % "service"}) AS amount
                          FROM sale_order_line line
                          JOIN sale_order quotation ON quotation.id = line.order_id
                          JOIN product_product service ON service.id = line.product_id
                          JOIN product_template service_template
                            ON service_template.id = service.product_tmpl_id
                         WHERE line.order_id = repair.sale_order_id
                           AND quotation.state != 'cancel'
                           AND line.display_type IS NULL
                           AND service_template.type = 'service'
                           AND line.price_subtotal = 0
                      ) labour ON TRUE
                 WHERE repair.under_warranty AND repair.state = 'done'""",
            select,
        )

    def _query_warranty_replacements(self):
        """Replacement units delivered for claims, at the value of their delivery (their cost)."""
        select = self._select(
            "warranty_cost",
            "move.id",
            "move.date",
            "move.company_id",
            "claim.commercial_partner_id",
            "move.product_id",
            "claim.user_id",
            "claim.id",
            cost_replacement="COALESCE(move.value, 0)",
            warranty_cost="COALESCE(move.value, 0)",
        )
        return SQL(
            """SELECT %s FROM stock_move move
                  JOIN aftersales_claim claim ON claim.id = move.aftersales_claim_id
                  JOIN stock_location destination ON destination.id = move.location_dest_id
                 WHERE move.state = 'done' AND destination.usage = 'customer'""",
            select,
        )


class AftersalesChurnRisk(models.Model):
    """Customers likely to leave: unhappy (a detractor feedback) or let down (a claim still open past
    its deadline), and no confirmed order for 180 days. One row per customer and company."""

    _name = "aftersales.churn.risk"
    _description = "After-Sales Churn Risk"
    _auto = False
    _order = "last_order_date asc nulls first, partner_id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    reason = fields.Selection(
        [("detractor", "Detractor"), ("overdue_claim", "Overdue Claim"), ("both", "Both")],
        readonly=True,
    )
    detractor_count = fields.Integer("Detractor Feedback", readonly=True, aggregator="sum")
    last_detractor_date = fields.Datetime("Last Detractor Feedback", readonly=True)
    last_score = fields.Integer(readonly=True, aggregator="avg")
    overdue_claim_count = fields.Integer("Overdue Claims", readonly=True, aggregator="sum")
    oldest_deadline = fields.Datetime("Oldest Missed Deadline", readonly=True)
    last_order_date = fields.Datetime("Last Confirmed Order", readonly=True)

    @property
    def _table_query(self):
        now = fields.Datetime.now()
        return SQL(
            """
            WITH detractor AS (
                SELECT feedback.company_id, partner.commercial_partner_id AS partner_id,
                       COUNT(*) AS count, MAX(feedback.date) AS last_date
                  FROM aftersales_feedback feedback
                  JOIN res_partner partner ON partner.id = feedback.partner_id
                 WHERE feedback.category = 'detractor'
              GROUP BY 1, 2
            ), overdue AS (
                SELECT claim.company_id, claim.commercial_partner_id AS partner_id,
                       COUNT(*) AS count, MIN(claim.date_deadline) AS oldest
                  FROM aftersales_claim claim
                 WHERE claim.state IN %(open_states)s
                   AND claim.date_deadline < %(now)s
                   AND claim.commercial_partner_id IS NOT NULL
              GROUP BY 1, 2
            ), candidate AS (
                SELECT company_id, partner_id FROM detractor
                 UNION
                SELECT company_id, partner_id FROM overdue
            ), last_order AS (
                SELECT sale_order.company_id, partner.commercial_partner_id AS partner_id,
                       MAX(sale_order.date_order) AS date
                  FROM sale_order
                  JOIN res_partner partner ON partner.id = sale_order.partner_id
                 WHERE sale_order.state = 'sale'
              GROUP BY 1, 2
            ), last_feedback AS (
                SELECT DISTINCT ON (feedback.company_id, partner.commercial_partner_id)
                       feedback.company_id, partner.commercial_partner_id AS partner_id, feedback.score
                  FROM aftersales_feedback feedback
                  JOIN res_partner partner ON partner.id = feedback.partner_id
              ORDER BY feedback.company_id, partner.commercial_partner_id, feedback.date DESC,
                       feedback.id DESC
            )
            SELECT ROW_NUMBER() OVER (ORDER BY candidate.partner_id, candidate.company_id) AS id,
                   candidate.company_id,
                   candidate.partner_id,
                   customer.user_id,
                   CASE WHEN detractor.count > 0 AND overdue.count > 0 THEN 'both'
                        WHEN detractor.count > 0 THEN 'detractor'
                        ELSE 'overdue_claim' END AS reason,
                   COALESCE(detractor.count, 0) AS detractor_count,
                   detractor.last_date AS last_detractor_date,
                   last_feedback.score AS last_score,
                   COALESCE(overdue.count, 0) AS overdue_claim_count,
                   overdue.oldest AS oldest_deadline,
                   last_order.date AS last_order_date
              FROM candidate
              JOIN res_partner customer ON customer.id = candidate.partner_id
         LEFT JOIN detractor
                ON detractor.company_id = candidate.company_id AND detractor.partner_id = candidate.partner_id
         LEFT JOIN overdue
                ON overdue.company_id = candidate.company_id AND overdue.partner_id = candidate.partner_id
         LEFT JOIN last_order
                ON last_order.company_id = candidate.company_id
               AND last_order.partner_id = candidate.partner_id
         LEFT JOIN last_feedback
                ON last_feedback.company_id = candidate.company_id
               AND last_feedback.partner_id = candidate.partner_id
             WHERE last_order.date IS NULL OR last_order.date < %(since)s
            """,
            open_states=OPEN_STATES,
            now=now,
            since=now - timedelta(days=CHURN_DAYS),
        )


class AftersalesRepeatClaim(models.Model):
    """Units (serial numbers) claimed twice or more: the products that keep coming back."""

    _name = "aftersales.repeat.claim"
    _description = "After-Sales Repeat Claims"
    _auto = False
    _order = "claim_count desc, last_claim_date desc"
    _rec_name = "lot_id"

    company_id = fields.Many2one("res.company", readonly=True)
    lot_id = fields.Many2one("stock.lot", "Serial Number", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    partner_id = fields.Many2one("res.partner", "Last Customer", readonly=True)
    unit_count = fields.Integer(
        "Units", readonly=True, aggregator="sum", help="Serial numbers claimed again."
    )
    claim_count = fields.Integer("Claims", readonly=True, aggregator="sum")
    first_claim_date = fields.Datetime("First Claim", readonly=True, aggregator="min")
    last_claim_date = fields.Datetime("Last Claim", readonly=True, aggregator="max")

    @property
    def _table_query(self):
        # A cancelled claim was no problem of the unit (a duplicate, a mistake): it does not count.
        return SQL(
            """
            SELECT MIN(claim.id) AS id,
                   claim.company_id,
                   claim.lot_id,
                   lot.product_id,
                   template.categ_id,
                   (ARRAY_AGG(claim.commercial_partner_id ORDER BY claim.date_reported DESC,
                              claim.id DESC))[1] AS partner_id,
                   1 AS unit_count,
                   COUNT(*) AS claim_count,
                   MIN(claim.date_reported) AS first_claim_date,
                   MAX(claim.date_reported) AS last_claim_date
              FROM aftersales_claim claim
              JOIN stock_lot lot ON lot.id = claim.lot_id
              JOIN product_product product ON product.id = lot.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id
             WHERE claim.state != 'cancelled'
          GROUP BY claim.company_id, claim.lot_id, lot.product_id, template.categ_id
            HAVING COUNT(*) >= 2
            """
        )
