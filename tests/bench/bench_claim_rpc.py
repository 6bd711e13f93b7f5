#!/usr/bin/env python3
"""Claim intake benchmark: claims created through JSON-RPC, and queries per claim.

    python3 tests/bench/bench_claim_rpc.py [--database aftersales_bench] [--count 1000]

1. Starts Odoo on a free loopback port (``--workers=0``) against DATABASE (created with
   ``aftersales_warranty`` when missing), creates COUNT claims one RPC call each through
   ``/jsonrpc`` as admin, prints claims per second, then deletes them.
2. In-process, creates claims one at a time and prints the SQL queries of each creation for
   the first and the last ten: the count must not grow with the number of claims.

Loopback only, bounded in count and time (the server is stopped at the end, whatever happens).
"""

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from benchlib import ROOT, ensure_database

TIMEOUT = 600


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


@contextlib.contextmanager
def odoo_server(database):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            f"--addons-path={ROOT}",
            "-d",
            database,
            f"--db-filter=^{database}$",
            f"--http-port={port}",
            "--http-interface=127.0.0.1",
            "--workers=0",
            "--max-cron-threads=0",
            "--log-level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2):
                    break
            time.sleep(0.5)
        else:
            raise RuntimeError("Odoo did not start within 120 s")
        yield f"http://127.0.0.1:{port}/jsonrpc"
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
        if server.poll() is None:
            server.kill()


def rpc_run(database, count):
    with odoo_server(database) as url:
        uid = jsonrpc(url, "common", "login", database, "admin", "admin")
        if not uid:
            raise RuntimeError(
                "admin/admin cannot log in: use a database created by setup/run or this script"
            )

        def call(model, method, *args):
            return jsonrpc(url, "object", "execute_kw", database, uid, "admin", model, method, list(args))

        partner_id = call("res.partner", "create", {"name": "Bench Customer", "phone": "+32 2 290 34 90"})
        ids = []
        start = time.perf_counter()
        deadline = start + TIMEOUT
        for index in range(count):
            if time.perf_counter() > deadline:
                print(f"stopped after {index} claims: time limit of {TIMEOUT} s")
                break
            ids.append(
                call(
                    "aftersales.claim",
                    "create",
                    {
                        "partner_id": partner_id,
                        "channel": "phone",
                        "phone": "+32 2 290 34 90",
                        "description": f"<p>Bench claim {index}</p>",
                    },
                )
            )
        elapsed = time.perf_counter() - start
        stored = call("aftersales.claim", "search_count", [("id", "in", ids)])
        call("aftersales.claim", "unlink", ids)
        call("res.partner", "unlink", [partner_id])
    return len(ids), elapsed, stored


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
    args = parser.parse_args()
    ensure_database(args.database)

    created, elapsed, stored = rpc_run(args.database, args.count)
    counts = query_run(args.database, min(args.count, 200))
    first, last = counts[1:11], counts[-10:]
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| claims created through JSON-RPC (1 client) | {created} |")
    print(f"| claims stored in the database | {stored} |")
    print(f"| elapsed | {elapsed:.1f} s |")
    print(f"| claims per second | {created / elapsed:.1f} |")
    print(f"| queries per claim, claims 2-11 (median) | {statistics.median(first)} |")
    print(f"| queries per claim, last 10 of {len(counts)} (median) | {statistics.median(last)} |")
    grows = statistics.median(last) > statistics.median(first)
    print(f"\nQueries per claim {'GROW' if grows else 'do not grow'} with the number of claims.")
    return 1 if grows or stored != created else 0


if __name__ == "__main__":
    sys.exit(main())
