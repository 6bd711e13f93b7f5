#!/usr/bin/env python3
"""Serial look-up benchmark among 1,000,000 warranties: median time and the query plans.

    python3 tests/bench/bench_lookup_1m.py [--database aftersales_bench_1m] [--samples 200]

DATABASE (created with ``aftersales_warranty`` when missing) receives once, by set-based SQL,
1,000,000 serials with one warranty each on 100,000 sale orders (``benchlib.ensure_million_warranties``;
the generation time is printed; ``bench_warranty_cron_1m.py`` reuses the data). Then SAMPLES
serials drawn at random, and SAMPLES / 10 unknown ones, are looked up as the look-up wizard
(``aftersales.warranty.lookup``) does, as the administrator:

* ``look-up``: what ``_compute_lot_id`` answers for a new wizard with the serial: the serial,
  its live warranty, status, end date, history and message (the target applies to this);
* ``form``: the wizard's ``onchange`` with the specification of its form view, i.e. everything
  the browser receives when the serial is typed (display names, delivery date, coverage, past
  warranties and claims): what the table size costs, plus the form's constant rendering.

The ORM cache is emptied before each look-up. Prints the median and 95th percentile of each,
with its queries, and ``EXPLAIN ANALYZE`` of the serial search and of the warranty read: both
must be index scans. Target: median under 5 ms. Everything but the generated data is rolled back.
"""

import argparse
import os
import random
import statistics
import sys
import time

from benchlib import ensure_million_warranties, open_registry

# What the look-up answers: the serial, its live warranty and status, the history, the message.
LOOKUP_FIELDS = ["lot_id", "warranty_id", "warranty_ids", "state", "date_end", "message"]

M2O = {"fields": {"display_name": {}}}
# The specification the browser sends when the serial is typed in the wizard's form (its view).
FORM_SPEC = {
    "serial": {},
    "message": {},
    "product_id": M2O,
    "lot_id": M2O,
    "partner_id": M2O,
    "sale_order_id": M2O,
    "date_delivered": {},
    "warranty_id": M2O,
    "state": {},
    "date_start": {},
    "date_end": {},
    "coverage_parts": {},
    "coverage_labour": {},
    "coverage_replacement": {},
    "warranty_ids": {
        "fields": {
            "name": {},
            "partner_id": M2O,
            "sale_order_id": M2O,
            "date_start": {},
            "date_end": {},
            "state": {},
        }
    },
    "claim_ids": {
        "fields": {"name": {}, "date_reported": {}, "partner_id": M2O, "resolution": {}, "state": {}}
    },
}


def explain(cr, query):
    cr.execute(b"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query.code.encode(), query.params)
    return [row[0] for row in cr.fetchall()]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("AFTERSALES_BENCH_1M_DB", "aftersales_bench_1m"))
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    odoo, registry = open_registry(args.database)
    data = ensure_million_warranties(registry)
    rows, plans = [], {}
    with registry.cursor() as cr:
        root = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = root.ref("base.user_admin")
        env = odoo.api.Environment(cr, admin.id, {"lang": "en_US", "tz": "UTC"})
        cr.execute("SELECT count(*) FROM aftersales_warranty")
        total = cr.fetchone()[0]
        cr.execute("SELECT max(id) FROM stock_lot")
        max_lot = cr.fetchone()[0]
        rng = random.Random(args.seed)
        cr.execute(
            "SELECT name FROM stock_lot WHERE id = ANY(%s)",
            [[rng.randint(1, max_lot) for _i in range(args.samples * 2)]],
        )
        known = [name for (name,) in cr.fetchall()][: args.samples]
        unknown = [
            f"SN{rng.randrange(16**6):06X}{rng.randrange(10**7):07d}X" for _i in range(args.samples // 10)
        ]
        Lookup = env["aftersales.warranty.lookup"]

        def lookup(serial):
            wizard = Lookup.new({"serial": serial})
            return [wizard[name] for name in LOOKUP_FIELDS]

        def form(serial):
            return Lookup.onchange({"serial": serial}, ["serial"], FORM_SPEC)

        def measure(func, serials):
            samples = []
            for serial in serials:
                env.invalidate_all()
                before, start = cr.sql_log_count, time.perf_counter()
                func(serial)
                samples.append((cr.sql_log_count - before, time.perf_counter() - start))
            return samples

        for serial in known[:10]:  # warm the registry and the database's caches of the code path
            form(serial)
        for label, func in (
            ("look-up (_compute_lot_id)", lookup),
            ("form as the browser gets it (onchange)", form),
        ):
            for kind, serials in (("known serial", known), ("unknown serial", unknown)):
                samples = measure(func, serials)
                times = [t * 1000 for _q, t in samples]
                rows.append(
                    (
                        label,
                        kind,
                        len(samples),
                        statistics.median(q for q, _t in samples),
                        statistics.median(times),
                        percentile(times, 0.95),
                    )
                )
        # The plans of the two statements the look-up depends on.
        serial = known[0]
        lot_query = env["stock.lot"]._search(
            [("name", "=", serial), ("company_id", "in", [*env.companies.ids, False])], limit=1
        )
        plans["serial search (stock.lot by name)"] = explain(cr, lot_query.select())
        lot = env["stock.lot"].search([("name", "=", serial)], limit=1)
        warranty_query = env["aftersales.warranty"]._search([("lot_id", "in", lot.ids)])
        plans["warranties of the serial (aftersales.warranty by lot_id)"] = explain(
            cr, warranty_query.select()
        )
        cr.rollback()

    print()
    print(
        f"Warranties in the database: {total:,} (generated {data['generated']}"
        f" in {data['generation_seconds']} s; this run: {data['seconds']:.0f} s of generation)"
    )
    print()
    print(
        "| serial look-up among 1,000,000 | serials | queries (median) | median (ms) | 95th percentile (ms) |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, kind, count, queries, median, p95 in rows:
        print(f"| {label}, {kind} | {count} | {queries:g} | {median:.2f} | {p95:.2f} |")
    for title, plan in plans.items():
        print(f"\nEXPLAIN ANALYZE, {title}:\n")
        print("\n".join(f"    {line}" for line in plan))
    index_scans = all(
        any("Index Scan" in line or "Index Only Scan" in line for line in plan) for plan in plans.values()
    )
    compute_median = next(
        median
        for label, kind, _c, _q, median, _p in rows
        if label.startswith("look-up") and kind == "known serial"
    )
    held = compute_median < 5 and index_scans
    print(
        f"\nindex scans: {'yes' if index_scans else 'NO'}; median look-up {compute_median:.2f} ms"
        f" (target < 5 ms): {'held' if held else 'NOT HELD'}"
    )
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
