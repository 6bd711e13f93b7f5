#!/usr/bin/env python3
"""Exchange calls benchmark: a 100,000-line Master.csv imported as the wizard imports it.

    python3 tests/bench/bench_call_import.py [--database aftersales_bench_feedback] [--lines 100000]

An Iranian company (Tehran time) with two numbers on its exchange, 20 agents (extensions 101-120) and
5,000 customers with a mobile number; a Master.csv in cdr-csv's 18 columns over 30 days, in time
order: 55 % incoming answered, 15 % incoming missed, 5 % busy or failed, 20 % outgoing answered
(half of them to a number that rang and was missed), 5 % outgoing not answered; 70 % of the outside
numbers are customers', written as 0912..., +98912... or 0098912..., the rest unknown. The file is
read by the wizard's ``_read_rows`` and stored by ``aftersales.call._aftersales_intake_rows`` in
batches of 1,000 (what ``action_import`` does), with the queries, time and resident memory after
each batch; then the whole wizard (``action_import``) imports the same file again, which must add
nothing. Everything is rolled back. The database is created with ``aftersales_feedback`` if missing.
"""

import argparse
import base64
import os
import random
import resource
import sys
import time
from datetime import datetime, timedelta

from benchlib import open_registry

HEADER = (
    "accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,"
    "billsec,disposition,amaflags,uniqueid,userfield"
)


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def customer_number(index, style):
    local = f"0912{index:07d}"
    return {0: local, 1: "+98" + local[1:], 2: "0098" + local[1:]}[style]


def master_csv(lines, customers, seed=18):
    rng = random.Random(seed)
    start = datetime(2026, 5, 1, 8, 0, 0)
    step = timedelta(days=30) / lines
    missed_numbers = []
    out = [HEADER]
    for i in range(lines):
        moment = start + step * i
        stamp = moment.strftime("%Y-%m-%d %H:%M:%S")
        ext = str(101 + rng.randrange(20))
        if rng.random() < 0.7:
            outside = customer_number(rng.randrange(customers), rng.randrange(3))
        else:
            outside = f"021{rng.randrange(10**7, 10**8)}"
        kind = rng.random()
        if kind < 0.55:
            src, dst, disp, chan, dchan = outside, "02188776655", "ANSWERED", "SIP/trunk-1", f"SIP/{ext}-2"
        elif kind < 0.70:
            src, dst, disp, chan, dchan = outside, "02188776655", "NO ANSWER", "SIP/trunk-1", ""
            missed_numbers.append(outside)
        elif kind < 0.75:
            src, dst, disp, chan, dchan = (
                outside,
                "02188776656",
                rng.choice(["BUSY", "FAILED"]),
                "SIP/trunk-1",
                "",
            )
        elif kind < 0.95:
            if missed_numbers and rng.random() < 0.5:
                outside = missed_numbers.pop(rng.randrange(len(missed_numbers)))
            src, dst, disp, chan, dchan = ext, outside, "ANSWERED", f"SIP/{ext}-3", "SIP/trunk-4"
        else:
            src, dst, disp, chan, dchan = ext, outside, "NO ANSWER", f"SIP/{ext}-3", ""
        billsec = rng.randrange(10, 400) if disp == "ANSWERED" else 0
        values = [
            "", src, dst, "from-trunk", f'"" <{src}>', chan, dchan, "Dial", "", stamp,
            stamp if disp == "ANSWERED" else "", stamp, str(billsec + 8), str(billsec), disp,
            "DOCUMENTATION", f"{1777600000 + i}.{i}", "",
        ]  # fmt: skip
        out.append(",".join(f'"{value}"' for value in values))
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", default=os.environ.get("AFTERSALES_BENCH_DB", "aftersales_bench_feedback")
    )
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    odoo, registry = open_registry(args.database, addons="aftersales_feedback")
    text = master_csv(args.lines, args.customers)
    print(f"Master.csv: {args.lines:,} lines, {len(text) / 2**20:.1f} MB", flush=True)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        company = env.company
        company.write(
            {"country_id": env.ref("base.ir").id, "aftersales_pbx_numbers": "02188776655,02188776656"}
        )
        company.partner_id.tz = "Asia/Tehran"
        users = env["res.users"].create(
            [{"name": f"Bench agent {n}", "login": f"bench_agent_{n}"} for n in range(101, 121)]
        )
        for user, extension in zip(users, range(101, 121), strict=True):
            user.aftersales_pbx_extension = str(extension)
        env["res.partner"].create(
            [
                {
                    "name": f"Bench caller {i}",
                    "phone": customer_number(i, 0),
                    "country_id": company.country_id.id,
                }
                for i in range(args.customers)
            ]
        )
        env.flush_all()
        env.invalidate_all()
        Call = env["aftersales.call"]
        wizard = env["aftersales.call.import"].create({"file": base64.b64encode(text.encode())})
        batches = []
        start_rss = rss_mb()
        before, started = cr.sql_log_count, time.perf_counter()
        rows = wizard._read_rows()
        read_time = time.perf_counter() - started

        state = {"queries": cr.sql_log_count, "time": time.perf_counter()}

        def on_batch(done, totals):
            now = time.perf_counter()
            batches.append((done, cr.sql_log_count - state["queries"], now - state["time"], rss_mb()))
            state.update(queries=cr.sql_log_count, time=now)

        result = Call._aftersales_intake_rows(
            company, rows, "cdr_import", batch_size=args.batch_size, on_batch=on_batch
        )
        env.flush_all()
        total_time, total_queries = time.perf_counter() - started, cr.sql_log_count - before
        del rows
        activities = (
            env["mail.activity"]
            .with_context(active_test=False)
            .search_count(
                [("activity_type_id", "=", env.ref("aftersales_feedback.mail_activity_type_call_back").id)]
            )
        )
        stats = {
            "calls": Call.search_count([]),
            "matched": Call.search_count([("partner_id", "!=", False)]),
            "with agent": Call.search_count([("user_id", "!=", False)]),
            "missed in": Call.search_count([("status", "=", "missed"), ("direction", "=", "inbound")]),
            "called back": Call.search_count([("callback_call_id", "!=", False)]),
            "to call back": Call.search_count([("to_call_back", "=", True)]),
            "call-back activities": activities,
        }
        again = env["aftersales.call.import"].create({"file": base64.b64encode(text.encode())})
        again_start, again_queries = time.perf_counter(), cr.sql_log_count
        again.action_import()
        again_time, again_queries = time.perf_counter() - again_start, cr.sql_log_count - again_queries
        again_counts = (again.created_count, again.duplicate_count)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cr.rollback()

    per_1000 = [
        queries * 1000 / (done - (batches[i - 1][0] if i else 0))
        for i, (done, queries, *_r) in enumerate(batches)
    ]
    print()
    print(
        "| lines | created | duplicates | errors | time (s) | lines/s | queries |"
        " queries per 1,000 lines (min / median / max over batches) | RSS start → end (MB) | peak RSS (MB) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |")
    ordered = sorted(per_1000)
    print(
        f"| {args.lines:,} | {result['created']:,} | {result['duplicates']:,} | {len(result['errors'])} |"
        f" {total_time:.1f} | {args.lines / total_time:,.0f} | {total_queries:,} |"
        f" {ordered[0]:.0f} / {ordered[len(ordered) // 2]:.0f} / {ordered[-1]:.0f} |"
        f" {start_rss:.0f} → {batches[-1][3]:.0f} | {peak:.0f} |"
    )
    print(f"\nreading the file: {read_time:.1f} s; {stats}")
    print(
        f"second import of the same file (whole wizard): {again_counts[0]} created, "
        f"{again_counts[1]:,} already stored, {again_time:.1f} s, {again_queries} queries"
    )
    print("\n| batch | lines so far | queries | time (s) | RSS (MB) |\n| ---: | ---: | ---: | ---: | ---: |")
    for index, (done, queries, elapsed, rss) in enumerate(batches):
        if index < 3 or index % 10 == 9 or index == len(batches) - 1:
            print(f"| {index + 1} | {done:,} | {queries} | {elapsed:.2f} | {rss:.0f} |")
    failed = []
    if result["created"] != args.lines or result["errors"]:
        failed.append("every line is a call")
    if again_counts[0]:
        failed.append("the second import adds nothing")
    if ordered[-1] > 1.5 * ordered[len(ordered) // 2]:
        failed.append("queries per batch stay constant (max within 1.5 x the median)")
    if failed:
        print("\nFAILED:", "; ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
