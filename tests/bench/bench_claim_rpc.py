#!/usr/bin/env python3
"""Claim intake benchmark: claims created through JSON-RPC, and queries per claim.

    python3 tests/bench/bench_claim_rpc.py [--database aftersales_bench] [--count 1000]
                                           [--clients 8] [--workers 2]

1. Starts Odoo on a free loopback port with ``--workers=WORKERS`` (0: threaded server) against
   DATABASE (created with ``aftersales_warranty`` when missing); CLIENTS threads then create COUNT
   claims between them, one ``/jsonrpc`` call each, as admin, at the same time. Prints claims per
   second, errors, and the claims found in the database (must equal the claims sent), then
   deletes them.
2. In-process, creates claims one at a time and prints the SQL queries of each creation for
   the first and the last ten: the count must not grow with the number of claims.

Loopback only, bounded in count and time (the server is stopped at the end, whatever happens).
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request

from benchlib import ROOT, ensure_database, odoo_server

TIMEOUT = 600


def jsonrpc(url, service, method, *args):
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"service": service, "method": method, "args": args},
    }
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.loads(response.read())
    if "error" in body:
        raise RuntimeError(body["error"]["data"]["message"])
    return body["result"]


def rpc_run(database, count, clients=1, workers=0):
    with odoo_server(database, workers) as (base, _pid):
        url = f"{base}/jsonrpc"
        uid = jsonrpc(url, "common", "login", database, "admin", "admin")
        if not uid:
            raise RuntimeError(
                "admin/admin cannot log in: use a database created by setup/run or this script"
            )

        def call(model, method, *args):
            return jsonrpc(url, "object", "execute_kw", database, uid, "admin", model, method, list(args))

        partner_id = call("res.partner", "create", {"name": "Bench Customer", "phone": "+32 2 290 34 90"})
        marker = f"bench-rpc-{time.time_ns()}"
        ids, errors, lock = [], [], threading.Lock()
        start = time.perf_counter()
        deadline = start + TIMEOUT

        def client(number):
            for index in range(number, count, clients):
                if time.perf_counter() > deadline:
                    with lock:
                        errors.append(f"client {number}: time limit of {TIMEOUT} s")
                    return
                try:
                    claim_id = call(
                        "aftersales.claim",
                        "create",
                        {
                            "partner_id": partner_id,
                            "channel": "phone",
                            "phone": "+32 2 290 34 90",
                            "description": f"<p>{marker} {index}</p>",
                        },
                    )
                except Exception as error:
                    with lock:
                        errors.append(str(error))
                    continue
                with lock:
                    ids.append(claim_id)

        threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        stored = call("aftersales.claim", "search_count", [("description", "ilike", marker)])
        for chunk in range(0, len(ids), 500):
            call("aftersales.claim", "unlink", ids[chunk : chunk + 500])
        call("res.partner", "unlink", [partner_id])
    return len(ids), elapsed, stored, errors


def query_run(database, count):
    import odoo  # noqa: PLC0415  (Odoo is an installed prerequisite, imported only here)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config([f"--addons-path={ROOT}", "-d", database, "--log-level=warn"])
    registry = Registry(database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        partner = env["res.partner"].create({"name": "Bench Customer", "phone": "+32 2 290 34 90"})
        Claim = env["aftersales.claim"]
        counts = []
        for index in range(count):
            env.flush_all()
            before = cr.sql_log_count
            Claim.create({"partner_id": partner.id, "channel": "phone", "description": f"<p>{index}</p>"})
            env.flush_all()
            counts.append(cr.sql_log_count - before)
        cr.rollback()
    return counts


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("AFTERSALES_BENCH_DB", "aftersales_bench"))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent JSON-RPC clients")
    parser.add_argument("--workers", type=int, default=2, help="Odoo --workers (0: threaded server)")
    args = parser.parse_args()
    ensure_database(args.database)

    created, elapsed, stored, errors = rpc_run(args.database, args.count, args.clients, args.workers)
    counts = query_run(args.database, min(args.count, 200))
    first, last = counts[1:11], counts[-10:]
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| Odoo server | --workers={args.workers}, loopback |")
    print(f"| concurrent clients | {args.clients} |")
    print(f"| claims sent | {args.count} |")
    print(f"| claims created (answered with an id) | {created} |")
    print(f"| errors | {len(errors)} |")
    print(f"| claims stored in the database | {stored} |")
    print(f"| elapsed | {elapsed:.1f} s |")
    print(f"| claims per second | {created / elapsed:.1f} |")
    print(f"| queries per claim, claims 2-11 (median) | {statistics.median(first)} |")
    print(f"| queries per claim, last 10 of {len(counts)} (median) | {statistics.median(last)} |")
    grows = statistics.median(last) > statistics.median(first)
    print(f"\nQueries per claim {'GROW' if grows else 'do not grow'} with the number of claims.")
    for error in sorted(set(errors))[:5]:
        print(f"error: {error}")
    return 1 if grows or errors or stored != args.count else 0


if __name__ == "__main__":
    sys.exit(main())
