from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.aftersales_warranty.models.ir_qweb_fields import format_aftersales_date

# Months from the delivery of a unit to its claim, in bands: [from, to) months.
SERVICE_BANDS = [
    ("0_3", "0-3 months"),
    ("3_6", "3-6 months"),
    ("6_12", "6-12 months"),
    ("12_24", "12-24 months"),
    ("24_plus", "24+ months"),
]
BAND_LIMITS = [(3, "0_3"), (6, "3_6"), (12, "6_12"), (24, "12_24")]
# The early warning looks at the units delivered in these last days.
QUALITY_WINDOW_DAYS = 90
# Claims that say nothing about the product: refused, cancelled, or solved by advice.
NOT_A_FAILURE = ("cancelled", "rejected")


class AftersalesQualityReport(models.Model):
    """Failure rates: units delivered and the claims against them, per product, product category,
    vendor (the product's main supplier) and day of delivery (a warranty's start date is the day its
    unit reached the customer).

    Two kinds of rows, added up by every grouping: units (``units_delivered``, from the warranties,
    one per delivered serial) and claims (``claim_count``, with their months in service, symptom
    and cause). A claim counts when it is not cancelled nor rejected nor solved by advice. The
    failure rate (claims per 100 units) of any cell is computed by PostgreSQL from that cell's sums
    (see ``_read_group_select``), never averaged from rows.
    """

    _name = "aftersales.quality.report"
    _description = "After-Sales Quality Report"
    _auto = False
    _order = "date_delivered desc, product_id"
    _rec_name = "product_id"

    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", "Product Template", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    vendor_id = fields.Many2one(
        "res.partner", readonly=True, help="The product's main vendor (first in its purchase tab)."
    )
    date_delivered = fields.Date("Delivered On", readonly=True)
    months_in_service = fields.Selection(
        SERVICE_BANDS, readonly=True, help="Months from the unit's delivery to the claim."
    )
    symptom_id = fields.Many2one("aftersales.failure.code", readonly=True)
    cause_id = fields.Many2one("aftersales.failure.code", readonly=True)
    units_delivered = fields.Float(readonly=True, aggregator="sum", digits=(16, 0))
    claim_count = fields.Integer("Claims", readonly=True, aggregator="sum")
    failure_rate = fields.Float(
        "Failure Rate (%)",
        readonly=True,
        aggregator="failure_rate",
        digits=(16, 2),
        help="Claims per 100 units delivered.",
    )

    def _read_group_select(self, aggregate_spec, query):
        fname, __, func = aggregate_spec.partition(":")
        if fname == "failure_rate" and func in ("failure_rate", "avg", "sum"):
            # A rate of rates is not the rate: the claims of the cell over its units.
            return SQL(
                "ROUND((100.0 * SUM(%s) / NULLIF(SUM(%s), 0))::numeric, 2)",
                self._field_to_sql(self._table, "claim_count", query),
                self._field_to_sql(self._table, "units_delivered", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    @property
    def _table_query(self):
        band = SQL("CASE")
        for limit, key in BAND_LIMITS:
            band = SQL("%s WHEN months < %s THEN %s", band, limit, key)
        band = SQL("%s ELSE '24_plus' END", band)
        return SQL(
            """
            SELECT rows.id, rows.company_id, rows.product_id, template.id AS product_tmpl_id,
                   template.categ_id AS categ_id, vendor.partner_id AS vendor_id, rows.date_delivered,
                   rows.months_in_service, rows.symptom_id, rows.cause_id,
                   rows.units_delivered::float8 AS units_delivered, rows.claim_count::integer AS claim_count,
                   CASE WHEN rows.units_delivered > 0
                        THEN ROUND(100.0 * rows.claim_count / rows.units_delivered, 2) END AS failure_rate
              FROM (
                    -- The units: one warranty per delivered serial (its quantity without serial).
                    SELECT MIN(w.id) * 2 AS id, w.company_id, w.product_id, w.date_start AS date_delivered,
                           NULL::varchar AS months_in_service, NULL::integer AS symptom_id,
                           NULL::integer AS cause_id, SUM(w.quantity) AS units_delivered, 0 AS claim_count
                      FROM aftersales_warranty w
                     WHERE w.state != 'pending' AND w.date_start IS NOT NULL
                  GROUP BY w.company_id, w.product_id, w.date_start
                 UNION ALL
                    -- The claims against them, by months in service (to the claim's day in the
                    -- company's time zone).
                    SELECT MIN(claim_id) * 2 + 1, company_id, product_id, date_delivered, %(band)s,
                           symptom_id, cause_id, 0, COUNT(*)
                      FROM (
                            SELECT c.id AS claim_id, w.company_id, w.product_id,
                                   w.date_start AS date_delivered, c.symptom_id, c.cause_id,
                                   EXTRACT(YEAR FROM age_of.span) * 12 + EXTRACT(MONTH FROM age_of.span)
                                       AS months
                              FROM aftersales_claim c
                              JOIN aftersales_warranty w ON w.id = c.warranty_id
                              JOIN res_company company ON company.id = w.company_id
                              JOIN res_partner company_partner ON company_partner.id = company.partner_id
                             CROSS JOIN LATERAL (
                                   SELECT age((c.date_reported AT TIME ZONE 'UTC'
                                               AT TIME ZONE COALESCE(company_partner.tz, 'UTC'))::date,
                                              w.date_start) AS span) age_of
                             WHERE c.state NOT IN %(not_a_failure)s
                               AND c.resolution IS DISTINCT FROM 'advice'
                               AND w.state != 'pending' AND w.date_start IS NOT NULL
                           ) claims
                  GROUP BY company_id, product_id, date_delivered, 5, symptom_id, cause_id
                   ) rows
              JOIN product_product product ON product.id = rows.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id
         LEFT JOIN LATERAL (
                   SELECT info.partner_id
                     FROM product_supplierinfo info
                    WHERE info.product_tmpl_id = template.id
                      AND (info.product_id IS NULL OR info.product_id = product.id)
                      AND (info.company_id IS NULL OR info.company_id = rows.company_id)
                 ORDER BY info.sequence, info.id
                    LIMIT 1
                   ) vendor ON TRUE
            """,
            band=band,
            not_a_failure=NOT_A_FAILURE,
        )

    # ------------------------------------------------------------------
    # Figures for the early warning and the monthly summary
    # ------------------------------------------------------------------

    @api.model
    def _quality_window(self, company, day=None):
        """(first, last) day of the deliveries the early warning looks at, in the company's zone."""
        if day is None:
            tz = pytz.timezone(company.partner_id.tz or "UTC")
            day = pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date()
        return day - timedelta(days=QUALITY_WINDOW_DAYS - 1), day

    @api.model
    def _quality_figures(self, company, date_from, date_to, products=None, causes=3):
        """Per product of ``company`` delivered between the two days: a dict with ``product``,
        ``units``, ``claims``, ``rate`` (claims per 100 units) and ``causes`` (the ``causes`` most
        frequent causes as (code, claims)), highest rate first. Two grouped queries."""
        domain = [
            ("company_id", "=", company.id),
            ("date_delivered", ">=", date_from),
            ("date_delivered", "<=", date_to),
        ]
        if products is not None:
            domain.append(("product_id", "in", products.ids))
        figures = []
        for product, units, claims in self._read_group(
            domain, ["product_id"], ["units_delivered:sum", "claim_count:sum"]
        ):
            if units:
                figures.append(
                    {
                        "product": product,
                        "units": units,
                        "claims": claims,
                        "rate": round(100.0 * claims / units, 2),
                        "causes": [],
                    }
                )
        by_product = {line["product"]: line for line in figures}
        if by_product and causes:
            top = defaultdict(list)
            for product, cause, count in self._read_group(
                [*domain, ("product_id", "in", [p.id for p in by_product]), ("cause_id", "!=", False)],
                ["product_id", "cause_id"],
                ["claim_count:sum"],
                order="claim_count:sum desc, cause_id",
            ):
                top[product].append((cause, count))
            for product, line in by_product.items():
                line["causes"] = top[product][:causes]
        figures.sort(key=lambda line: (-line["rate"], line["product"].display_name))
        return figures

    @api.model
    def _quality_causes_text(self, causes):
        return ", ".join(f"{cause.display_name} ({count})" for cause, count in causes)

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _cron_quality_early_warning(self):
        """Open an activity for the company's quality manager on each product whose failure rate,
        over the last 90 days' deliveries, is above the company's threshold: with its figures and
        top causes. Not again while that activity is open; again once it is done and the rate is
        still above."""
        activity_type = self.env.ref("aftersales_feedback.mail_activity_type_quality_alert")
        companies = self.env["res.company"].search(
            [("aftersales_quality_threshold", ">", 0), ("aftersales_quality_user_id", "!=", False)]
        )
        in_cron = bool(self.env.context.get("cron_id"))
        Activity = self.env["mail.activity"]
        for company in companies:
            threshold = company.aftersales_quality_threshold
            user = company.aftersales_quality_user_id
            date_from, date_to = self._quality_window(company)
            over = [
                line
                for line in self.sudo()._quality_figures(company, date_from, date_to)
                if line["rate"] > threshold
            ]
            products = self.env["product.product"].union(*(line["product"] for line in over))
            open_for = set(
                Activity.search(
                    [
                        ("res_model", "=", "product.product"),
                        ("res_id", "in", products.ids),
                        ("activity_type_id", "=", activity_type.id),
                        ("user_id", "=", user.id),
                    ]
                ).mapped("res_id")
            )
            lang_env = self.with_context(lang=user.lang or company.partner_id.lang).env
            model_id = self.env["ir.model"]._get_id("product.product")
            deadline = activity_type._get_date_deadline()
            Activity.create(
                [
                    {
                        "activity_type_id": activity_type.id,
                        "res_model_id": model_id,
                        "res_id": line["product"].id,
                        "user_id": user.id,
                        "automated": True,
                        "date_deadline": deadline,
                        "summary": lang_env._(
                            "Failure rate %(rate)s%% (threshold %(threshold)s%%)",
                            rate=line["rate"],
                            threshold=threshold,
                        ),
                        "note": self._quality_alert_note(lang_env, company, line, date_from, date_to),
                    }
                    for line in over
                    if line["product"].id not in open_for
                ]
            )
            if in_cron:
                self.env["ir.cron"]._commit_progress(1)

    @api.model
    def _quality_alert_note(self, env, company, line, date_from, date_to):
        lang = env.lang
        tz = company.partner_id.tz
        text = env._(
            "%(claims)s claims on %(units)s units of %(product)s delivered from %(date_from)s to "
            "%(date_to)s: a failure rate of %(rate)s%%, above the company's threshold of %(threshold)s%%.",
            claims=line["claims"],
            units=int(line["units"]) if float(line["units"]).is_integer() else line["units"],
            product=line["product"].with_env(env).display_name,
            date_from=format_aftersales_date(env, date_from, lang_code=lang, tz=tz),
            date_to=format_aftersales_date(env, date_to, lang_code=lang, tz=tz),
            rate=line["rate"],
            threshold=company.aftersales_quality_threshold,
        )
        causes = (
            env._("Top causes: %(causes)s.", causes=self._quality_causes_text(line["causes"]))
            if line["causes"]
            else env._("No claim has a cause yet.")
        )
        return Markup("<p>%s</p><p>%s</p>") % (escape(text), escape(causes))

    @api.model
    def _cron_quality_monthly_summary(self):
        """Email each company's quality manager the summary of the last month, once per month."""
        template = self.env.ref("aftersales_feedback.mail_template_quality_summary", raise_if_not_found=False)
        if not template:
            return
        companies = self.env["res.company"].search([("aftersales_quality_user_id", "!=", False)])
        for company in companies:
            tz = pytz.timezone(company.partner_id.tz or "UTC")
            today = pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date()
            month = today.replace(day=1) - relativedelta(months=1)
            if company.aftersales_quality_summary_month and company.aftersales_quality_summary_month >= month:
                continue
            template.with_context(aftersales_quality_month=month).send_mail(company.id)
            company.sudo().aftersales_quality_summary_month = month

    @api.model
    def _quality_month_summary(self, company, month):
        """What the monthly email says for ``month`` (its first day): the products delivered in
        the 90 days to its end, their figures, and the claims reported that month."""
        month_end = month + relativedelta(months=1) - timedelta(days=1)
        date_from, date_to = self._quality_window(company, month_end)
        lines = self.sudo()._quality_figures(company, date_from, date_to)
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        start = tz.localize(datetime.combine(month, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        end = tz.localize(datetime.combine(month_end + timedelta(days=1), time.min))
        claims = (
            self.env["aftersales.claim"]
            .sudo()
            .search_count(
                [
                    ("company_id", "=", company.id),
                    ("date_reported", ">=", start),
                    ("date_reported", "<", end.astimezone(pytz.utc).replace(tzinfo=None)),
                    ("state", "not in", NOT_A_FAILURE),
                    ("resolution", "!=", "advice"),
                ]
            )
        )
        threshold = company.aftersales_quality_threshold
        for line in lines:
            line["over"] = bool(threshold) and line["rate"] > threshold
            line["causes_text"] = self._quality_causes_text(line["causes"])
        return {
            "month": month,
            "month_end": month_end,
            "date_from": date_from,
            "date_to": date_to,
            "lines": lines,
            "claims": claims,
            "over": sum(1 for line in lines if line["over"]),
            "threshold": threshold,
        }
