#!/usr/bin/env python3
"""Service visits benchmark: the maintenance cron over N warranties, and planning a visit against
busy technicians.

    python3 tests/bench/bench_visit_planning.py [--database aftersales_bench] [--sizes 1000,10000]
                                                [--technicians 10] [--booked 60]

For each N, N active warranties of a policy with a three-month maintenance interval, delivered four
months ago, are generated (ORM, batched); the daily maintenance cron runs over them (queries from
the cursor's counter, time from ``perf_counter``) and must create N visits, then runs again and
must create none. Then ``--technicians`` technicians each get ``--booked`` scheduled visits over the
next weeks; printed: the queries and time of the earliest free slot over all of them (what an
urgent claim's "Plan Visit" computes) and of scheduling one more visit (the double-booking, working
hours and daily-maximum checks with its calendar event). Everything is rolled back.
"""

import argparse
import os
import sys
import time
from datetime import timedelta

from benchlib import open_registry


def measure(env, func):
    env.invalidate_all()
    cr = env.cr
    before, start = cr.sql_log_count, time.perf_counter()
    result = func()
    env.flush_all()
    return result, cr.sql_log_count - before, time.perf_counter() - start


def generate_warranties(env, size, tag, policy, product, today):
    partners = env["res.partner"].create([{"name": f"Bench visit {tag} {i}"} for i in range(size)])
    start = today - timedelta(days=122)
    return env["aftersales.warranty"].create(
        [
            {
                "product_id": product.id,
                "partner_id": partner.id,
                "policy_id": policy.id,
                "date_start": start,
                "state": "active",
            }
            for partner in partners
        ]
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("AFTERSALES_BENCH_DB", "aftersales_bench"))
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--technicians", type=int, default=10)
    parser.add_argument("--booked", type=int, default=60)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    odoo, registry = open_registry(args.database)
    rows = []
    failed = False
    with registry.cursor() as cr:
        env = odoo.api.Environment(
            cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True, "mail_create_nolog": True}
        )
        Visit = env["aftersales.visit"]
        company = env.company
        # Around the clock: every generated booking is working time.
        calendar = env["resource.calendar"].create(
            {
                "name": "Bench always",
                "tz": "UTC",
                "attendance_ids": [(5, 0, 0)]
                + [
                    (0, 0, {"name": f"Day {d}", "dayofweek": str(d), "hour_from": 0, "hour_to": 24})
                    for d in range(7)
                ],
            }
        )
        company.write({"resource_calendar_id": calendar.id, "aftersales_visit_max_per_day": 0})
        policy = env["aftersales.warranty.policy"].create(
            {"name": "Bench maintained", "duration": 24, "maintenance_interval_months": 3}
        )
        product = env["product.product"].create(
            {"name": "Bench chiller", "type": "consu", "is_storable": True}
        )
        today = odoo.fields.Date.context_today(Visit)
        for size in sizes:
            warranties = generate_warranties(env, size, size, policy, product, today)
            env.flush_all()
            _result, queries, elapsed = measure(env, Visit._cron_create_maintenance_visits)
            made = Visit.search_count([("warranty_id", "in", warranties.ids), ("kind", "=", "maintenance")])
            _result, again, again_time = measure(env, Visit._cron_create_maintenance_visits)
            made_again = Visit.search_count(
                [("warranty_id", "in", warranties.ids), ("kind", "=", "maintenance")]
            )
            if made != size or made_again != made:
                print(f"FAILED: {made} visits for {size} warranties, {made_again} after the second run")
                failed = True
            rows.append((size, queries, elapsed, again, again_time))
        technicians = env["res.users"].create(
            [
                {
                    "name": f"Bench technician {i}",
                    "login": f"bench_technician_{i}",
                    "group_ids": [(4, env.ref("aftersales_warranty.group_aftersales_technician").id)],
                }
                for i in range(args.technicians)
            ]
        )
        customer = env["res.partner"].create({"name": "Bench visited"})
        now = odoo.fields.Datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        booked = Visit.create(
            [
                {
                    "partner_id": customer.id,
                    "technician_id": technician.id,
                    "date_start": now + timedelta(hours=3 * slot),
                    "date_end": now + timedelta(hours=3 * slot + 2),
                }
                for technician in technicians
                for slot in range(args.booked)
            ]
        )
        booked.action_schedule()
        env.flush_all()
        slot, slot_queries, slot_time = measure(
            env, lambda: Visit._earliest_free_slot(company, technicians=technicians)
        )
        extra = Visit.create(
            {
                "partner_id": customer.id,
                "technician_id": slot[0].id,
                "date_start": slot[1],
                "date_end": slot[2],
            }
        )
        _result, schedule_queries, schedule_time = measure(env, extra.action_schedule)
        cr.rollback()

    print()
    print(
        "| warranties | maintenance cron: queries | queries per 1,000 | time (s) | second run: queries, s |"
    )
    print("| ---: | ---: | ---: | ---: | ---: |")
    for size, queries, elapsed, again, again_time in rows:
        per_thousand = queries * 1000 / size
        print(f"| {size} | {queries} | {per_thousand:.1f} | {elapsed:.2f} | {again}, {again_time:.2f} |")
    print()
    print(f"| planning ({args.technicians} technicians, {args.booked} visits each) | queries | time (ms) |")
    print("| --- | ---: | ---: |")
    print(f"| earliest free slot | {slot_queries} | {slot_time * 1000:.1f} |")
    label = "schedule one more visit (checks, calendar event, email)"
    print(f"| {label} | {schedule_queries} | {schedule_time * 1000:.1f} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
