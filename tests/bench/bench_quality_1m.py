#!/usr/bin/env python3
"""Quality report and early warning over 1,000,000 warranties and 50,000 claims: time and queries.

    python3 tests/bench/bench_quality_1m.py [--database aftersales_bench_1m] [--claims 50000]
                                            [--products 50] [--rounds 3]

DATABASE holds the 1,000,000 generated warranties of ``bench_lookup_1m.py`` (generated when
missing: ``benchlib.ensure_million_warranties``). Everything happens in a throw-away copy,
``DATABASE_quality`` (``createdb -T``), dropped at the end: DATABASE is left as it was.

In the copy: ``aftersales_feedback`` is installed (time printed); the warranties are spread over
PRODUCTS products in three categories with a vendor each (set-based ``UPDATE``); 10 cause codes and
5 symptom codes are created; CLAIMS claims are inserted set-based on as many warranties (product
``p`` of PRODUCTS fails at about 2.6 + p / 10 % of its units, so that the products differ), reported
0 to 30 months after the delivery; then ``ANALYZE``.

1. The quality report as the web client reads it (``formatted_read_group`` with the pivot's
   measures: units, claims, failure rate): by product, by month of delivery (the whole table), by
   category and vendor, by months in service, and the last 90 days' top causes per product; the
   median of ROUNDS runs of each, with its queries. ``EXPLAIN ANALYZE`` of the by-product read.
2. The early warning (``After-Sales: quality early warning``) as the scheduler runs it
   (``ir.cron.method_direct_trigger``), threshold 6 %: activities opened, time, queries; then again,
   which must open nothing.
3. The monthly summary (``After-Sales: monthly quality summary``): one email rendered and queued,
   time and queries; then again, which must send nothing.

Targets: every report read under 5 s, the cron under 10 s with a constant number of queries,
second runs without effect.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

from benchlib import ROOT, drop_database, million_warranties_copy

# The reads a user makes in the pivot and the graph: (label, groupby, domain).
READS = [
    ("by product", ["product_id"], []),
    ("by month of delivery", ["date_delivered:month"], []),
    ("by category and vendor", ["categ_id", "vendor_id"], []),
    ("by months in service", ["months_in_service"], []),
    ("by product and cause, last 90 days", ["product_id", "cause_id"], "last90"),
]
MEASURES = ["units_delivered:sum", "claim_count:sum", "failure_rate:failure_rate"]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("AFTERSALES_BENCH_1M_DB", "aftersales_bench_1m"))
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work_db = f"{args.database}_quality"
    odoo, sql_db, Registry, data, _copy_seconds = million_warranties_copy(args.database, work_db)
    try:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "odoo",
                f"--addons-path={ROOT}",
                "-d",
                work_db,
                "-i",
                "aftersales_feedback",
                "--stop-after-init",
                "--log-level=warn",
                "--no-http",
            ],
            check=True,
        )
        install_seconds = time.perf_counter() - start
        registry = Registry(work_db)
        prepared = prepare(odoo, registry, data, args)
        held = run(odoo, sql_db, registry, args, prepared, install_seconds)
        return 0 if held else 1
    finally:
        Registry.delete(work_db)
        sql_db.close_db(work_db)
        drop_database(work_db)


def prepare(odoo, registry, data, args):
    """Products, categories, vendors, failure codes and the claims, set-based; returns figures."""
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        base = env["product.product"].browse(int(data["product"]))
        categories = env["product.category"].create(
            [{"name": f"Bench quality {name}"} for name in ("Air Conditioners", "Washing Machines", "Phones")]
        )
        vendors = env["res.partner"].create(
            [{"name": f"Bench vendor {i}", "is_company": True} for i in range(5)]
        )
        products = base | env["product.product"].create(
            [
                {"name": f"Bench quality unit {i}", "type": "consu", "tracking": "serial"}
                for i in range(1, args.products)
            ]
        )
        for index, product in enumerate(products):
            product.categ_id = categories[index % 3]
        env["product.supplierinfo"].create(
            [
                {"partner_id": vendors[index % 5].id, "product_tmpl_id": product.product_tmpl_id.id}
                for index, product in enumerate(products)
            ]
        )
        causes = env["aftersales.failure.code"].create(
            [{"code": f"BQ-C{i:02d}", "name": f"Bench cause {i}", "kind": "cause"} for i in range(10)]
        )
        symptoms = env["aftersales.failure.code"].create(
            [{"code": f"BQ-S{i:02d}", "name": f"Bench symptom {i}", "kind": "symptom"} for i in range(5)]
        )
        env.flush_all()
        product_ids = products.ids
        # Warranty w goes to product w % PRODUCTS (its serial's product too).
        cr.execute(
            """
            UPDATE aftersales_warranty w SET product_id = (%(products)s::int[])[1 + w.id %% %(count)s]
            """,
            {"products": product_ids, "count": len(product_ids)},
        )
        cr.execute(
            """
            UPDATE stock_lot l SET product_id = w.product_id
              FROM aftersales_warranty w WHERE w.lot_id = l.id AND l.product_id != w.product_id
            """
        )
        # Product p fails at (26 + p) per mille of its units: a deterministic hash picks them.
        cr.execute(
            """
            INSERT INTO aftersales_claim (name, company_id, partner_id, commercial_partner_id, product_id,
                                          lot_id, warranty_id, sale_order_id, channel, priority, state,
                                          resolution, date_reported, under_warranty, customer_confirmed,
                                          ack_pending, cause_id, symptom_id,
                                          create_uid, write_uid, create_date, write_date)
            SELECT 'BQ' || to_char(w.id, 'FM0000000'), w.company_id, w.partner_id, w.commercial_partner_id,
                   w.product_id, w.lot_id, w.id, w.sale_order_id, 'phone', '1',
                   CASE WHEN w.id %% 10 = 0 THEN 'diagnosis' ELSE 'closed' END,
                   CASE WHEN w.id %% 10 = 0 THEN NULL ELSE 'repair' END,
                   LEAST(w.date_start + (w.id %% 900) * interval '1 day', now() at time zone 'UTC'),
                   true, true, false,
                   (%(causes)s::int[])[1 + (w.id / 7) %% 10], (%(symptoms)s::int[])[1 + (w.id / 3) %% 5],
                   1, 1, now(), now()
              FROM aftersales_warranty w
             WHERE (w.id::bigint * 7919) %% 1000 < 26 + w.id %% %(count)s
             ORDER BY w.id
             LIMIT %(claims)s
            """,
            {
                "causes": causes.ids,
                "symptoms": symptoms.ids,
                "count": len(product_ids),
                "claims": args.claims,
            },
        )
        claims = cr.rowcount
        cr.execute("ANALYZE aftersales_warranty; ANALYZE aftersales_claim; ANALYZE stock_lot")
        cr.execute("SELECT count(*) FROM aftersales_warranty")
        warranties = cr.fetchone()[0]
        admin = env.ref("base.user_admin")
        env.company.write({"aftersales_quality_threshold": 6.0, "aftersales_quality_user_id": admin.id})
    return {
        "claims": claims,
        "warranties": warranties,
        "products": len(product_ids),
        "seconds": time.perf_counter() - start,
    }


def run(odoo, sql_db, registry, args, prepared, install_seconds):
    def timed(func):
        before_q, start = sql_db.sql_counter, time.perf_counter()
        result = func()
        return result, sql_db.sql_counter - before_q, time.perf_counter() - start

    rows = []
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        Report = env["aftersales.quality.report"]
        Report.search([], limit=1)  # warm the model
        date_from, date_to = Report._quality_window(env.company)
        for label, groupby, domain in READS:
            if domain == "last90":
                domain = [("date_delivered", ">=", date_from), ("date_delivered", "<=", date_to)]
            seconds, queries, groups = [], 0, 0
            for _round in range(args.rounds):
                env.invalidate_all()
                result, queries, elapsed = timed(
                    lambda d=domain, g=groupby: Report.formatted_read_group(d, g, MEASURES)
                )
                seconds.append(elapsed)
                groups = len(result)
            rows.append((label, groups, queries, statistics.median(seconds)))
        total = Report.formatted_read_group([], [], MEASURES)[0]
        # The statement the by-product read runs (the pivot's first screen).
        cr.execute(
            odoo.tools.SQL(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT r.product_id, SUM(r.units_delivered), SUM(r.claim_count),"
                " ROUND((100.0 * SUM(r.claim_count) / NULLIF(SUM(r.units_delivered), 0))::numeric, 2)"
                " FROM (%s) r GROUP BY r.product_id",
                Report._table_query,
            )
        )
        plan = [line for (line,) in cr.fetchall()]

    def activities():
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*), count(*) FILTER (WHERE active) FROM mail_activity"
                " WHERE res_model = 'product.product'"
            )
            return cr.fetchone()

    def trigger(xmlid):
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env.ref(xmlid).method_direct_trigger()

    def mails():
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM mail_mail mail JOIN mail_message message"
                " ON message.id = mail.mail_message_id WHERE message.model = 'res.company'"
            )
            return cr.fetchone()[0]

    before = activities()
    _r, warn_queries, warn_seconds = timed(
        lambda: trigger("aftersales_feedback.ir_cron_quality_early_warning")
    )
    first = activities()
    _r, warn_queries2, warn_seconds2 = timed(
        lambda: trigger("aftersales_feedback.ir_cron_quality_early_warning")
    )
    second = activities()
    mails_before = mails()
    _r, sum_queries, sum_seconds = timed(
        lambda: trigger("aftersales_feedback.ir_cron_quality_monthly_summary")
    )
    sent = mails() - mails_before
    _r, sum_queries2, sum_seconds2 = timed(
        lambda: trigger("aftersales_feedback.ir_cron_quality_monthly_summary")
    )
    sent2 = mails() - mails_before - sent

    print()
    print(
        f"Copy: {prepared['warranties']:,} warranties over {prepared['products']} products,"
        f" {prepared['claims']:,} claims inserted (set-based, {prepared['seconds']:.0f} s);"
        f" aftersales_feedback installed in {install_seconds:.0f} s."
    )
    print(
        f"Whole table: {total['units_delivered:sum']:,.0f} units, {total['claim_count:sum']:,} claims,"
        f" failure rate {total['failure_rate:failure_rate']} %."
    )
    print()
    print(f"| quality report read (median of {args.rounds}) | groups | queries | time (s) |")
    print("| --- | ---: | ---: | ---: |")
    for label, groups, queries, seconds in rows:
        print(f"| {label} | {groups:,} | {queries} | {seconds:.2f} |")
    print()
    print("| cron | result | queries | time (s) |")
    print("| --- | --- | ---: | ---: |")
    print(
        f"| early warning (threshold 6 %), first run | {first[1] - before[1]} activities opened |"
        f" {warn_queries} | {warn_seconds:.2f} |"
    )
    print(
        f"| early warning, second run | {second[1] - first[1]} opened | {warn_queries2} |"
        f" {warn_seconds2:.2f} |"
    )
    print(f"| monthly summary, first run | {sent} email(s) queued | {sum_queries} | {sum_seconds:.2f} |")
    print(f"| monthly summary, second run | {sent2} queued | {sum_queries2} | {sum_seconds2:.2f} |")
    print()
    print("EXPLAIN ANALYZE of the by-product read:")
    print("\n".join(f"    {line}" for line in plan))
    held = (
        all(seconds < 5 for _l, _g, _q, seconds in rows)
        and warn_seconds < 10
        and first[1] > before[1]
        and second == first
        and sent == 1
        and sent2 == 0
    )
    print(
        "\ntargets (reads < 5 s, early warning < 10 s, second runs change nothing): "
        + ("held" if held else "NOT HELD")
    )
    return held


if __name__ == "__main__":
    sys.exit(main())
