#!/usr/bin/env python3
"""Follow-up cron benchmark: queries and time per delivered order the daily follow-up run costs.

    python3 tests/bench/bench_followup_cron.py [--database aftersales_bench_feedback] [--sizes 1000,10000]

For each N, N more customers with one delivered order each are generated in batches (orders written
straight in state ``sale`` with a delivery date five days ago: the cron only reads that), then the
"call after delivery" rule runs over them twice: once scheduling the call on the order, once on the
customer's after-sales opportunity (one CRM lead per customer). A second run of the same rule must
do nothing. Queries come from the cursor's counter, times from ``perf_counter``; everything is rolled
back. The database is created with ``aftersales_feedback`` if missing.
"""

import argparse
import os
import sys
import time

from benchlib import open_registry


def generate_orders(env, size, tag):
    partners = env["res.partner"].create(
        [{"name": f"Bench {tag} {i}", "email": f"bench{tag}{i}@example.com"} for i in range(size)]
    )
    orders = env["sale.order"].create(
        [{"partner_id": partner.id, "state": "sale", "user_id": env.uid} for partner in partners]
    )
    env.flush_all()
    env.cr.execute(
        "UPDATE sale_order SET effective_date = now() at time zone 'UTC' - interval '5 days'"
        " WHERE id = ANY(%s)",
        [orders.ids],
    )
    env.invalidate_all()
    return orders


def measure(env, func):
    env.invalidate_all()
    cr = env.cr
    before, start = cr.sql_log_count, time.perf_counter()
    func()
    env.flush_all()
    return cr.sql_log_count - before, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", default=os.environ.get("AFTERSALES_BENCH_DB", "aftersales_bench_feedback")
    )
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    odoo, registry = open_registry(args.database, addons="aftersales_feedback")
    rows = []
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True})
        env["aftersales.followup.rule"].search([]).active = False
        Rule = env["aftersales.followup.rule"]
        generated = 0  # a new rule follows every delivered order in its window, earlier ones included
        for size in sizes:
            for mode in ("record", "opportunity"):
                orders = generate_orders(env, size, f"{mode[0]}{size}")
                generated += size
                rule = Rule.create(
                    {
                        "name": f"Bench {mode} {size}",
                        "trigger": "order_delivered",
                        "delay_days": 3,
                        "responsible": "salesperson",
                        "create_opportunity": mode == "opportunity",
                    }
                )
                queries, elapsed = measure(env, lambda r=rule: r._run(batch_size=args.batch_size))
                made = env["aftersales.followup"].search_count([("rule_id", "=", rule.id)])
                if made != generated:
                    raise SystemExit(f"expected {generated} follow-ups, found {made}")
                again, again_time = measure(env, lambda r=rule: r._run(batch_size=args.batch_size))
                if env["aftersales.followup"].search_count([("rule_id", "=", rule.id)]) != made:
                    raise SystemExit("the second run created follow-ups")
                rows.append((made, mode, queries, elapsed, again, again_time))
                rule.active = False
                orders.flush_recordset()
        cr.rollback()

    print()
    print(
        "| orders followed | call on | queries | queries per 1,000 orders | time (s) | ms per order |"
        " second run: queries, s |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for size, mode, queries, elapsed, again, again_time in rows:
        print(
            f"| {size} | {mode} | {queries} | {queries * 1000 / size:.1f} | {elapsed:.2f} |"
            f" {elapsed * 1000 / size:.2f} | {again}, {again_time:.2f} |"
        )
    per_batch = {(mode, size): q * args.batch_size / size for size, mode, q, *_rest in rows}
    print(f"\nqueries per batch of {args.batch_size}: {per_batch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
