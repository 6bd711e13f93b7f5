#!/usr/bin/env python3
"""Soak: a two-worker Odoo under a busy support floor for a while; errors, lost writes, memory.

    python3 tests/soak/soak.py [--database aftersales_soak] [--minutes 10] [--clients 16]
                               [--url http://127.0.0.1:8069 --server-pid PID]

1. Prepares DATABASE (created with both addons and their demo data when missing): a serial
   product with a warranty policy, 8 portal customers (``soak_portal_N`` / ``soak``) with two
   delivered serials each, and an agent (``soak_agent`` / ``soak``, After-Sales User).
2. Starts Odoo with ``--workers=2`` on a free loopback port (or uses ``--url``), then runs the
   clients for MINUTES: portal browsing (/my, /my/warranties, /my/claims and their pages), claims
   filed through the portal form (/my/warranties/<id>/report), claims created through JSON-RPC,
   and agents moving claims new -> diagnosis -> (repair ->) resolved -> closed through JSON-RPC.
3. Prints requests, errors (HTTP 5xx, tracebacks, failed logins, RPC errors other than a
   refusal with a message: target 0), lost writes (claims created but not in the database, and
   transitions acknowledged but not stored: target 0) and the resident memory of the server's
   worker processes at start and end. Exits non-zero when there are errors or lost writes.

Two agents may pick the same claim: the second gets a clear UserError (counted as "refused",
not an error). Loopback only; the server it started is stopped whatever happens. Nothing here
is collected by pytest.
"""

import argparse
import collections
import contextlib
import http.cookiejar
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The benchmarks' helpers: creating or updating the database, starting and stopping Odoo.
sys.path.insert(0, str(ROOT / "tests" / "bench"))
from benchlib import ensure_database, odoo_server  # noqa: E402

ADDONS = "aftersales_warranty,aftersales_feedback"
PORTAL_USERS = 8
PASSWORD = "soak"  # a throw-away soak database, loopback only
TAG = "soak-run"


# ----------------------------------------------------------------------
# Database and server
# ----------------------------------------------------------------------


def prepare_data(database, run):
    """Portal customers with delivered serials and an agent; returns their logins and ids."""
    import odoo  # noqa: PLC0415  (Odoo is an installed prerequisite, imported only here)
    from odoo.fields import Command  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={ROOT}", "-d", database, "--log-level=warn", "--http-interface=127.0.0.1"]
    )
    with Registry(database).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        policy = env["aftersales.warranty.policy"].search([("name", "=", "Soak 24 months")], limit=1)
        policy = policy or env["aftersales.warranty.policy"].create(
            {"name": "Soak 24 months", "duration": 24, "duration_unit": "month"}
        )
        product = env["product.product"].search([("default_code", "=", "SOAK-MOWER")], limit=1)
        product = product or env["product.product"].create(
            {
                "name": "Soak Mower",
                "default_code": "SOAK-MOWER",
                "is_storable": True,
                "tracking": "serial",
                "warranty_policy_id": policy.id,
            }
        )
        stock = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1).lot_stock_id
        portal_group = env.ref("base.group_portal")
        users = []
        for index in range(PORTAL_USERS):
            login = f"soak_portal_{index}"
            user = env["res.users"].with_context(active_test=False).search([("login", "=", login)])
            if not user:
                partner = env["res.partner"].create(
                    {"name": f"Soak Customer {index}", "email": f"{login}@example.com"}
                )
                user = (
                    env["res.users"]
                    .with_context(no_reset_password=True)
                    .create(
                        {
                            "login": login,
                            "partner_id": partner.id,
                            "group_ids": [Command.set(portal_group.ids)],
                        }
                    )
                )
            user.write({"active": True, "password": PASSWORD})
            lots = env["stock.lot"].create(
                [
                    {"name": f"SOAK-{run}-{index}-{unit}", "product_id": product.id, "company_id": company.id}
                    for unit in (1, 2)
                ]
            )
            for lot in lots:
                env["stock.quant"]._update_available_quantity(product, stock, 1.0, lot_id=lot)
            order = env["sale.order"].create(
                {
                    "partner_id": user.partner_id.id,
                    "company_id": company.id,
                    "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})],
                }
            )
            order.action_confirm()
            picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            picking.action_assign()
            picking.move_ids.picked = True
            picking.with_context(skip_sms=True).button_validate()
            warranties = order.warranty_ids.filtered(lambda w: w.state == "active")
            users.append({"login": login, "partner_id": user.partner_id.id, "warranty_ids": warranties.ids})
        agent = env["res.users"].with_context(active_test=False).search([("login", "=", "soak_agent")])
        if not agent:
            agent = env["res.users"].create(
                {
                    "name": "Soak Agent",
                    "login": "soak_agent",
                    "group_ids": [
                        Command.set(
                            [
                                env.ref("aftersales_warranty.group_aftersales_user").id,
                                env.ref("stock.group_stock_user").id,
                            ]
                        )
                    ],
                }
            )
        agent.write({"active": True, "password": PASSWORD})
        missing = [u["login"] for u in users if len(u["warranty_ids"]) != 2]
        if missing:
            raise RuntimeError(f"portal customers without their two warranties: {missing}")
        return {"portal": users, "agent_uid": agent.id, "product_id": product.id}


def worker_memory(server_pid):
    """{pid: RSS in MB} of the server's HTTP workers (its children but the websocket one)."""
    try:
        import psutil  # noqa: PLC0415  (optional: /proc is read without it)
    except ImportError:
        psutil = None
    if psutil:
        return {
            child.pid: child.memory_info().rss / 2**20
            for child in psutil.Process(server_pid).children()
            if "gevent" not in child.cmdline()
        }
    memory = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError, KeyError, ValueError):
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            args = (status.parent / "cmdline").read_text().split("\0")
            if int(fields["PPid"]) == server_pid and "gevent" not in args:
                memory[int(fields["Pid"])] = int(fields["VmRSS"].split()[0]) / 1024
    return memory


# ----------------------------------------------------------------------
# Clients
# ----------------------------------------------------------------------


class RpcRefused(Exception):
    """A refusal with a message for the user (UserError, ValidationError, AccessError)."""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.errors = []
        self.created = []  # claim ids acknowledged to a client
        self.transitions = {}  # claim id -> state an agent was told it now has

    def add(self, key, amount=1):
        with self.lock:
            self.counts[key] += amount

    def error(self, where, message):
        with self.lock:
            self.counts["errors"] += 1
            self.errors.append(f"{where}: {message}"[:500])

    def claim(self, claim_id):
        with self.lock:
            self.created.append(claim_id)


class Session:
    """One HTTP client with its own cookies (a browser, or an RPC client)."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with self.opener.open(self.base + path, data=body, timeout=120) as response:
            return response.status, response.geturl(), response.read().decode(errors="replace")

    def json(self, path, params):
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(
            self.base + path, data=payload, headers={"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=120) as response:
            body = json.loads(response.read())
        if "error" in body:
            data = body["error"].get("data", {})
            if data.get("name", "").split(".")[-1] in ("UserError", "ValidationError", "AccessError"):
                raise RpcRefused(data.get("message"))
            raise RuntimeError(f"{data.get('name')}: {data.get('message')}")
        return body["result"]


def portal_login(base, database, login):
    session = Session(base)
    result = session.json("/web/session/authenticate", {"db": database, "login": login, "password": PASSWORD})
    if not result or not result.get("uid"):
        raise RuntimeError(f"{login} cannot log in")
    return session


def execute(session, database, uid, model, method, *args, **kwargs):
    return session.json(
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [database, uid, PASSWORD, model, method, list(args), kwargs],
        },
    )


def check_page(stats, where, status, html):
    if status >= 500 or "Traceback" in html or "Internal Server Error" in html:
        stats.error(where, f"HTTP {status}")
        return False
    return True


def run_client(kind, index, ctx, stats, stop):
    """One client loop until ``stop``; every failure is recorded, none ends the loop."""
    rng = random.Random(index)
    base, database = ctx["url"], ctx["database"]
    customer = ctx["portal"][index % len(ctx["portal"])]
    session = None
    while not stop.is_set():
        try:
            if kind in ("browse", "file") and session is None:
                session = portal_login(base, database, customer["login"])
            elif session is None:
                session = Session(base)
            if kind == "browse":
                for path in ("/my", "/my/warranties", "/my/claims"):
                    status, _url, html = session.get(path)
                    stats.add("portal pages")
                    check_page(stats, f"{customer['login']} GET {path}", status, html)
                    claim_ids = re.findall(r'href="/my/claims/(\d+)', html)
                    if claim_ids:
                        claim_path = f"/my/claims/{rng.choice(claim_ids)}"
                        status, _url, html = session.get(claim_path)
                        stats.add("portal pages")
                        check_page(stats, f"{customer['login']} GET {claim_path}", status, html)
                warranty_path = f"/my/warranties/{rng.choice(customer['warranty_ids'])}"
                status, _url, html = session.get(warranty_path)
                stats.add("portal pages")
                check_page(stats, f"{customer['login']} GET {warranty_path}", status, html)
            elif kind == "file":
                warranty_id = rng.choice(customer["warranty_ids"])
                status, _url, html = session.get(f"/my/warranties/{warranty_id}")
                stats.add("portal pages")
                token = re.search(r'name="csrf_token" value="([^"]+)"', html)
                if not check_page(stats, f"GET /my/warranties/{warranty_id}", status, html) or not token:
                    stats.error(f"GET /my/warranties/{warranty_id}", "no report form (csrf token)")
                    continue
                form = {
                    "csrf_token": token.group(1),
                    "description": f"{TAG} {ctx['run']}: portal claim of client {index}",
                    "phone": "+32 2 290 34 90",
                }
                status, final_url, html = session.get(f"/my/warranties/{warranty_id}/report", form)
                stats.add("portal claims filed")
                created = re.search(r"/my/claims/(\d+)\?created=1", final_url)
                if check_page(stats, "POST report", status, html) and not created:
                    stats.error("POST report", f"not sent to the new claim but to {final_url}")
                elif created:
                    stats.claim(int(created.group(1)))
            elif kind == "rpc":
                claim_id = execute(
                    session,
                    database,
                    ctx["agent_uid"],
                    "aftersales.claim",
                    "create",
                    {
                        "partner_id": customer["partner_id"],
                        "warranty_id": rng.choice(customer["warranty_ids"]),
                        "product_id": ctx["product_id"],
                        "channel": "phone",
                        "phone": "+32 2 290 34 90",
                        "description": f"<p>{TAG} {ctx['run']}: RPC claim of client {index}</p>",
                    },
                )
                stats.add("RPC claims created")
                stats.claim(claim_id)
            else:
                agent_step(session, ctx, stats, rng)
        except RpcRefused as exc:
            stats.add("refused with a message")
            if "someone else" not in (exc.args[0] or "") and "cannot" not in (exc.args[0] or ""):
                stats.error(kind, f"unexpected refusal: {exc}")
        except urllib.error.HTTPError as exc:
            stats.error(kind, f"HTTP {exc.code} {exc.url}")
            session = None
        except Exception as exc:  # a soak records every failure and goes on
            stats.error(kind, repr(exc))
            session = None
            time.sleep(0.5)


def agent_step(session, ctx, stats, rng):
    """Take a new claim of this run and move it to the end of its road, as one agent would."""
    database, uid = ctx["database"], ctx["agent_uid"]
    new = execute(
        session,
        database,
        uid,
        "aftersales.claim",
        "search",
        [("state", "=", "new"), ("description", "ilike", f"{TAG} {ctx['run']}")],
        limit=5,
        order="id",
    )
    if not new:
        time.sleep(0.2)
        return
    claim_id = rng.choice(new)
    road = ["action_start_diagnosis", "action_resolve", "action_close"]  # advice given
    if rng.random() < 0.3:
        road.insert(1, "action_start_repair")  # a repair order under warranty
    states = {
        "action_start_diagnosis": "diagnosis",
        "action_start_repair": "in_progress",
        "action_resolve": "resolved",
        "action_close": "closed",
    }
    for step, method in enumerate(road):
        try:
            execute(session, database, uid, "aftersales.claim", method, [claim_id])
        except RpcRefused:
            if step:  # only the first step may race with another agent: this one owns the claim
                raise
            stats.add("refused with a message")
            return
        stats.add("agent transitions")
        with stats.lock:
            stats.transitions[claim_id] = states[method]


# ----------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------


def verify(database, stats, run):
    """Lost writes: acknowledged claims missing, acknowledged states not stored."""
    ids = sorted(set(stats.created))
    rows = {}
    if ids:
        query = f"SELECT id, state FROM aftersales_claim WHERE id IN ({','.join(map(str, ids))})"
        output = subprocess.run(
            ["psql", "-X", "-d", database, "-Atc", query], capture_output=True, text=True, check=True
        ).stdout
        rows = dict(line.split("|") for line in output.splitlines() if line)
    missing = [claim_id for claim_id in ids if str(claim_id) not in rows]
    wrong = [cid for cid, state in stats.transitions.items() if rows.get(str(cid)) != state]
    in_db = subprocess.run(
        [
            "psql",
            "-X",
            "-d",
            database,
            "-Atc",
            f"SELECT count(*) FROM aftersales_claim WHERE description ILIKE '%{TAG} {run}%'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return missing, wrong, int(in_db)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("AFTERSALES_SOAK_DB", "aftersales_soak"))
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", help="use this running Odoo (loopback) instead of starting one")
    parser.add_argument("--server-pid", type=int, help="with --url: its main process, for the memory")
    args = parser.parse_args()
    if args.url and urllib.parse.urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("--url must be a loopback address")

    ensure_database(args.database, ADDONS, demo=True)
    run = time.strftime("%Y%m%d%H%M%S")
    print(f"Preparing portal customers, serials and an agent in {args.database}...", flush=True)
    ctx = prepare_data(args.database, run)
    ctx.update(database=args.database, run=run)
    # 16 clients: 6 portal browsers, 4 portal claim filers, 3 RPC claim creators, 3 agents.
    mix = ["browse", "file", "rpc", "agent", "browse", "file", "browse", "agent"]
    mix += ["rpc", "browse", "file", "agent", "browse", "file", "rpc", "browse"]
    kinds = [mix[i % len(mix)] for i in range(args.clients)]
    logdir = Path(tempfile.mkdtemp(prefix="aftersales-soak-"))
    logfile = logdir / "odoo.log"
    server = (
        contextlib.nullcontext((args.url.rstrip("/"), args.server_pid))
        if args.url
        else odoo_server(args.database, args.workers, logfile)
    )
    stats = Stats()
    with server as (url, server_pid):
        ctx["url"] = url
        # One request per worker first, so that the start figure is of loaded workers.
        for _i in range(args.workers * 2):
            Session(url).get("/web/login")
        start_memory = worker_memory(server_pid) if server_pid else {}
        stop = threading.Event()
        threads = [
            threading.Thread(target=run_client, args=(kind, index, ctx, stats, stop), daemon=True)
            for index, kind in enumerate(kinds)
        ]
        print(
            f"Running {len(threads)} clients ({collections.Counter(kinds)}) for {args.minutes:g} min "
            f"against {url} (--workers={args.workers}); Odoo log: {logfile}",
            flush=True,
        )
        began = time.monotonic()
        for thread in threads:
            thread.start()
        stop.wait(args.minutes * 60)
        stop.set()
        for thread in threads:
            thread.join(timeout=180)
        elapsed = time.monotonic() - began
        end_memory = worker_memory(server_pid) if server_pid else {}
    missing, wrong, in_db = verify(args.database, stats, run)
    log_errors = []
    if logfile.exists():
        log_errors = [
            line for line in logfile.read_text().splitlines() if re.search(r" (ERROR|CRITICAL) ", line)
        ]

    def memory(figures):
        if not figures:
            return "n/a"
        detail = ", ".join(f"pid {pid}: {rss:.0f} MB" for pid, rss in sorted(figures.items()))
        return f"{sum(figures.values()):.0f} MB ({detail})"

    requests = sum(v for k, v in stats.counts.items() if k not in ("errors", "refused with a message"))
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| clients, minutes | {len(threads)}, {elapsed / 60:.1f} |")
    for key in ("portal pages", "portal claims filed", "RPC claims created", "agent transitions"):
        print(f"| {key} | {stats.counts[key]} |")
    print(f"| operations per second | {requests / elapsed:.1f} |")
    refused = stats.counts["refused with a message"]
    print(f"| refused with a clear message (two agents, one claim) | {refused} |")
    print(f"| errors (target 0) | {stats.counts['errors']} |")
    print(f"| ERROR/CRITICAL lines in the server log | {len(log_errors)} |")
    print(f"| claims acknowledged / in the database (this run) | {len(set(stats.created))} / {in_db} |")
    print(f"| lost writes (target 0) | {len(missing) + len(wrong)} |")
    print(f"| HTTP workers' RSS at start | {memory(start_memory)} |")
    print(f"| HTTP workers' RSS at end | {memory(end_memory)} |")
    same = set(start_memory) == set(end_memory)
    print(f"| same worker processes at start and end | {'yes' if same else 'no (recycled by Odoo)'} |")
    for line in stats.errors[:20] + log_errors[:20]:
        print("  ", line)
    if missing or wrong:
        print(f"   missing claims: {missing[:20]}; transitions not stored: {wrong[:20]}")
    return 1 if stats.counts["errors"] or log_errors or missing or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
