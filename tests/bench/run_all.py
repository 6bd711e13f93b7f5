#!/usr/bin/env python3
"""Run every benchmark of this folder, one after the other, and print all their figures.

    python3 tests/bench/run_all.py [--database aftersales_bench] [--database-1m aftersales_bench_1m]
                                   [--skip NAME,...] [--only NAME,...]

From a clean clone the databases are created (``aftersales_warranty`` installed; the million
warranties generated once, a few minutes, and kept for the next run). Each benchmark runs in its
own process, so that its memory and timings are its own; their tables are printed as they come,
then a summary of exit codes (non-zero: a target or a check failed, see that benchmark's output).

Benchmarks, in order (NAME: command):
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHES = [
    ("delivery", "bench_warranty_delivery.py", ["--sizes", "1,100,1000"], "db"),
    ("sale_list", "bench_sale_list.py", ["--orders", "80", "--rounds", "30"], "db"),
    ("lookup_1m", "bench_lookup_1m.py", ["--samples", "200"], "db1m"),
    ("cron_1m", "bench_warranty_cron_1m.py", ["--certificates", "20", "--reminder-days", "75"], "db1m"),
    ("claim_rpc", "bench_claim_rpc.py", ["--count", "1000", "--clients", "8", "--workers", "2"], "db"),
    ("followup_cron", "bench_followup_cron.py", ["--sizes", "1000,10000"], "feedback"),
    ("occasion_cron", "bench_occasion_cron.py", ["--sizes", "1000,10000"], "feedback"),
    ("club", "bench_club.py", ["--answers", "1000,10000", "--members", "10000,100000"], "feedback"),
    ("call_import", "bench_call_import.py", ["--lines", "100000"], "feedback"),
    ("quality_1m", "bench_quality_1m.py", ["--claims", "50000", "--products", "50"], "db1m"),
    ("visit_planning", "bench_visit_planning.py", ["--sizes", "1000,10000"], "db"),
]
__doc__ += "".join(f"\n* ``{name}``: ``{script} {' '.join(extra)}``" for name, script, extra, _db in BENCHES)
__doc__ += (
    "\n\nThe feedback benchmarks use ``aftersales_bench_feedback`` (``aftersales_feedback`` installed).\n"
)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="aftersales_bench")
    parser.add_argument("--database-1m", default="aftersales_bench_1m")
    parser.add_argument("--database-feedback", default="aftersales_bench_feedback")
    parser.add_argument("--only", default="", help="comma-separated names to run (default: all)")
    parser.add_argument("--skip", default="", help="comma-separated names not to run")
    args = parser.parse_args()
    only = {name for name in args.only.split(",") if name}
    skip = {name for name in args.skip.split(",") if name}
    databases = {"db": args.database, "db1m": args.database_1m, "feedback": args.database_feedback}
    results = []
    for name, script, extra, db in BENCHES:
        if (only and name not in only) or name in skip:
            continue
        command = [sys.executable, str(HERE / script), "--database", databases[db], *extra]
        print(f"\n## {name}: {' '.join(['python3', f'tests/bench/{script}', *command[2:]])}\n", flush=True)
        start = time.perf_counter()
        code = subprocess.run(command, check=False).returncode
        results.append((name, code, time.perf_counter() - start))
    print("\n## Summary\n")
    print("| benchmark | exit code | wall time (s) |")
    print("| --- | ---: | ---: |")
    for name, code, seconds in results:
        print(f"| {name} | {code} | {seconds:.0f} |")
    return max((code for _name, code, _s in results), default=0)


if __name__ == "__main__":
    sys.exit(main())
