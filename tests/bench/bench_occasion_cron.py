#!/usr/bin/env python3
"""Occasion cron benchmark: queries and time per customer the daily greetings cost.

    python3 tests/bench/bench_occasion_cron.py [--database aftersales_bench_feedback] [--sizes 1000,10000]

For each N, N customers (an email, a valid Iranian mobile number) are generated in one batch, then a
fixed-date occasion for today greets them by email and SMS with a coupon each, in batches of
``--batch-size``. A second run of the same occasion must greet nobody. Queries come from the
cursor's counter, times from ``perf_counter``; everything is rolled back. The database is created
with ``aftersales_feedback`` if missing.
"""

import argparse
import os
import sys
import time

from benchlib import open_registry


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
        Occasion = env["aftersales.occasion"]
        Occasion.search([]).active = False
        iran = env.ref("base.ir")
        program = env.company.aftersales_goodwill_program_id
        today = odoo.fields.Date.context_today(Occasion.with_context(tz=env.company.partner_id.tz or "UTC"))
        greeted = 0
        for size in sizes:
            # Earlier customers stay: the new occasion greets them too, as it would in production.
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Bench {size} {i}",
                        "email": f"bench{size}.{i}@example.com",
                        "phone": f"0912{i:07d}",
                        "country_id": iran.id,
                    }
                    for i in range(size)
                ]
            )
            # Customers are those who bought: a confirmed order each (created as such, in batches).
            for start in range(0, size, 1000):
                page = partners[start : start + 1000]
                env["sale.order"].create([{"partner_id": partner.id, "state": "sale"} for partner in page])
            env.flush_all()
            greeted += size
            occasion = Occasion.create(
                {
                    "name": f"Bench {size}",
                    "kind": "fixed_date",
                    "month": str(today.month),
                    "day": today.day,
                    "channel": "both",
                    "program_id": program.id,
                }
            )
            queries, elapsed = measure(env, lambda o=occasion: o._send_greetings(batch_size=args.batch_size))
            logs = env["aftersales.occasion.log"].search_count([("occasion_id", "=", occasion.id)])
            sent = occasion.last_sent_count  # before the second run overwrites it with 0
            again, again_time = measure(env, lambda o=occasion: o._send_greetings(batch_size=args.batch_size))
            if env["aftersales.occasion.log"].search_count([("occasion_id", "=", occasion.id)]) != logs:
                raise SystemExit("the second run greeted customers again")
            rows.append((logs, sent, queries, elapsed, again, again_time))
            occasion.active = False
        cr.rollback()

    print()
    print(
        "| customers | greeted now | queries | queries per 1,000 customers | time (s) | ms per customer |"
        " second run: queries, s |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for logs, sent, queries, elapsed, again, again_time in rows:
        print(
            f"| {logs} | {sent} | {queries} | {queries * 1000 / logs:.1f} | {elapsed:.2f} |"
            f" {elapsed * 1000 / logs:.2f} | {again}, {again_time:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
