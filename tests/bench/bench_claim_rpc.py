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

With ``--vs-rma``, our claim intake side by side with OCA ``rma`` 19.0 on one Odoo instead:

    python3 tests/bench/bench_claim_rpc.py --vs-rma [--database aftersales_bench_rma] [--rounds 2]
                                           [--round-size 200] [--clients 8] [--customers 1]
                                           [--orders 1] [--query-samples 30] [--profile]
                                           [--sql] [--keep-copy] [--oca-dir DIR]

1. Installs OCA ``rma`` and ``rma_sale`` 19.0 from their PyPI wheels (``pip install --no-deps
   --target``) into a folder of the benchmark's own outside the repository (``--oca-dir``, by
   default ``$TMPDIR/aftersales_bench_rma_oca``), added to the addons path of this benchmark's
   Odoo only. DATABASE (``aftersales_bench_rma``) is created with our two addons, ``rma``,
   ``rma_sale`` and what their manifests depend on, or updated when kept; each run works in a copy
   (``DATABASE_run``) dropped at the end.
2. In that copy: the company's email, CUSTOMERS customers with an email and a phone, a
   serial-tracked product with a 24-month warranty policy, and for each customer ORDERS confirmed
   sale orders whose deliveries (done) carry one serial per claim and per RMA to come: every
   serial has its warranty, and no two claims share a serial.
3. Odoo with ``--workers=WORKERS``; CLIENTS threads (client ``c`` speaks for customer
   ``c % CUSTOMERS``, whose clients take its orders in turn), in alternating rounds of ROUND_SIZE
   records: claims
   (``aftersales.claim.create`` with serial, customer, phone, description, channel), then RMAs
   (``rma.create`` with customer, order, delivery, its move, product, quantity 1, operation
   *Repair* and a description naming the serial: OCA ``rma`` has no serial field), ROUNDS times
   each, all as admin through ``/jsonrpc``, after an uncounted warm-up (one claim and one RMA
   per client: both workers load the registry before the first round). Prints claims/s and
   RMAs/s (records over the wall time of their rounds), their ratio, errors, the serialization
   failures the server logged (retried by Odoo), records stored (must equal records sent), then
   runs the claim acknowledgment cron when there is one (``ir.cron`` calling
   ``_cron_send_claim_acknowledgments``, through ``method_direct_trigger``; the server has no
   cron worker, so its time is printed apart, and claims/s with it) and counts the
   acknowledgments: the messages on the claims to their customer (or emails queued to them).
4. In process, as admin, after those rounds (the first customer then holds many claims): one
   claim and one RMA at a time, QUERY_SAMPLES of each, the SQL statements of each creation
   (median; claims 2-11 against the last 10), and the tables hit by one claim and one RMA
   creation; ``--sql`` prints those statements, ``--profile`` a cProfile of ten claim creations.

Exits non-zero when claims are slower than RMAs (ratio < 1.0), on any error, when records are
missing, when the acknowledgments differ from the claims (when the cron exists), or when the
queries per claim grow.

Loopback only, bounded in count and time (the server is stopped at the end, whatever happens).
"""

import argparse
import ast
import contextlib
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from benchlib import (
    ROOT,
    addons_path,
    copy_database,
    drop_database,
    ensure_database,
    odoo_server,
    pip_install_addons,
    vacuum_database,
)

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


# ----------------------------------------------------------------------------------------------
# --vs-rma: our claim intake against OCA rma 19.0 on one Odoo
# ----------------------------------------------------------------------------------------------

OCA_REQUIREMENTS = ("odoo-addon-rma>=19.0,<19.1", "odoo-addon-rma_sale>=19.0,<19.1")
OCA_ADDONS = ("rma", "rma_sale")
OUR_ADDONS = ("aftersales_warranty", "aftersales_feedback")
ACK_METHOD = "_cron_send_claim_acknowledgments"
PHONE = "+32 470 12 34 56"
PROBLEM = "the unit does not power on any more"


def oca_addons(target):
    """The folder holding OCA ``rma`` and ``rma_sale`` (installed from PyPI when missing), and the
    addons to install: ours, theirs, and what their manifests depend on."""
    folder = pip_install_addons(target, OCA_REQUIREMENTS)
    depends = []
    for name in OCA_ADDONS:
        manifest = ast.literal_eval((folder / name / "__manifest__.py").read_text())
        print(f"{name} {manifest['version']} depends on {', '.join(manifest['depends'])}", flush=True)
        depends += [dep for dep in manifest["depends"] if dep not in OCA_ADDONS and dep not in depends]
    return folder, [*OUR_ADDONS, *depends, *OCA_ADDONS]


def ack_cron_in_source():
    """Whether our cron data declares the claim acknowledgment cron (being added to the addon)."""
    path = ROOT / "aftersales_warranty" / "data" / "ir_cron_data.xml"
    return path.is_file() and ACK_METHOD in path.read_text()


def slot_of(client, customers, orders):
    """The delivered order (slot ``customer * orders + order``) client ``client`` draws from: its
    customer is ``client % customers``; that customer's clients take its orders in turn."""
    return (client % customers) * orders + (client // customers) % orders


def round_plan(args):
    """Per slot (see ``slot_of``), the serials needed by the claims and by the RMAs: the rounds, a
    warm-up of one per client, and for the in-process part (first slot) ``--query-samples`` more,
    plus 11 claims (one for its SQL, ten profiled)."""
    per_client = [len(range(number, args.round_size, args.clients)) for number in range(args.clients)]
    claims, rmas = [0] * (args.customers * args.orders), [0] * (args.customers * args.orders)
    for number, count in enumerate(per_client):
        slot = slot_of(number, args.customers, args.orders)
        claims[slot] += count * args.rounds + 1
        rmas[slot] += count * args.rounds + 1
    claims[0] += args.query_samples + 11
    rmas[0] += args.query_samples + 1
    return claims, rmas


def prepare_vs_rma(odoo, registry, args, claims_needed, rmas_needed, tag):
    """Customers, a serial-tracked product with a warranty policy, and per customer ``--orders``
    delivered sale orders, slot ``s`` with ``claims_needed[s] + rmas_needed[s]`` serials, each
    with its warranty; commits. Returns per slot the serials kept for claims and for RMAs, with
    the customer and the order's delivery."""
    env = odoo.api.Environment(
        registry.cursor(), odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_notify_force_send": False}
    )
    cr = env.cr
    try:
        company = env.company
        if not company.email:
            company.email = "service@example.com"  # the acknowledgment is written by the company
        policy = env["aftersales.warranty.policy"].create(
            {"name": f"Bench RMA {tag} 24 months", "duration": 24}
        )
        product = env["product.product"].create(
            {
                "name": f"Bench RMA unit {tag}",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 249.0,
                "warranty_policy_id": policy.id,
            }
        )
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        operation = env.ref("rma.rma_operation_return")  # "Repair"
        belgium = env.ref("base.be")
        data = {"product": product.id, "operation": operation.id, "slots": []}
        for index in range(args.customers):
            partner = env["res.partner"].create(
                {
                    "name": f"Bench RMA customer {index + 1} {tag}",
                    "email": f"bench.rma.{index + 1}.{tag}@example.com",
                    "phone": PHONE,
                    "country_id": belgium.id,
                    "street": f"Rue de la Loi {index + 1}",
                    "city": "Brussels",
                    "zip": "1000",
                }
            )
            for slot in range(index * args.orders, (index + 1) * args.orders):
                size = claims_needed[slot] + rmas_needed[slot]
                if not size:
                    data["slots"].append(None)
                    continue
                lots = env["stock.lot"].create(
                    [{"name": f"RMA{tag}-{slot + 1}-{i:05d}", "product_id": product.id} for i in range(size)]
                )
                for lot in lots:
                    env["stock.quant"]._update_available_quantity(
                        product, warehouse.lot_stock_id, 1.0, lot_id=lot
                    )
                order = env["sale.order"].create(
                    {
                        "partner_id": partner.id,
                        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": size})],
                    }
                )
                order.action_confirm()
                picking = order.picking_ids
                picking.action_assign()
                picking.move_ids.picked = True
                # As a user who answered the stock SMS warning once (no SMS to send to IAP here).
                result = picking.with_context(skip_sms=True).button_validate()
                if picking.state != "done":
                    raise RuntimeError(f"the delivery of {order.name} is {picking.state} ({result})")
                delivered = picking.move_line_ids.lot_id.sorted("name")
                warranties = env["aftersales.warranty"].search_count(
                    [("lot_id", "in", delivered.ids), ("partner_id", "=", partner.id)]
                )
                if len(delivered) != size or warranties != size:
                    raise RuntimeError(
                        f"{len(delivered)} serials delivered, {warranties} warranties, {size} wanted"
                    )
                data["slots"].append(
                    {
                        "partner": partner.id,
                        "email": partner.email,
                        "order": order.id,
                        "picking": picking.id,
                        "move": picking.move_ids.id,
                        "claim_lots": [(lot.id, lot.name) for lot in delivered[: claims_needed[slot]]],
                        "rma_lots": [(lot.id, lot.name) for lot in delivered[claims_needed[slot] :]],
                    }
                )
        cr.commit()
    finally:
        cr.close()
    return data


def claim_values(customer, lot, marker):
    lot_id, lot_name = lot
    return {
        "lot_id": lot_id,
        "partner_id": customer["partner"],
        "phone": PHONE,
        "description": f"<p>{marker} serial {lot_name}: {PROBLEM}.</p>",
        "channel": "phone",
    }


def rma_values(data, customer, lot, marker):
    _lot_id, lot_name = lot
    return {
        "partner_id": customer["partner"],
        "order_id": customer["order"],
        "picking_id": customer["picking"],
        "move_id": customer["move"],
        "product_id": data["product"],
        "product_uom_qty": 1.0,
        "operation_id": data["operation"],
        "description": f"<p>{marker} serial {lot_name}: {PROBLEM}.</p>",
    }


def run_round(call, model, jobs):
    """``jobs[c]``: the values client ``c`` creates, one ``create`` call each; all clients at once.
    Returns the ids answered, the errors and the round's wall time."""
    ids, errors, lock = [], [], threading.Lock()
    start = time.perf_counter()
    deadline = start + TIMEOUT

    def client(number):
        for vals in jobs[number]:
            if time.perf_counter() > deadline:
                with lock:
                    errors.append(f"client {number}: time limit of {TIMEOUT} s")
                return
            try:
                record_id = call(model, "create", vals)
            except Exception as error:
                with lock:
                    errors.append(str(error))
                continue
            with lock:
                ids.append(record_id)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ids, errors, time.perf_counter() - start


def count_acknowledgments(call, claims):
    """Acknowledgments of ``claims`` (``[{id, partner_id}]``): the messages on a claim, other than
    notifications (creation, tracking), addressed to its customer, or with an email queued to the
    customer. Returns a dict: ``messages``, ``claims`` (acknowledged), ``per_claim`` (Counter),
    ``to_customer`` and ``to_others`` (the claims' mail.mail by state, Counters)."""
    customer_of = {claim["id"]: claim["partner_id"][0] for claim in claims}
    result = {
        "messages": 0,
        "claims": 0,
        "per_claim": Counter(),
        "to_customer": Counter(),
        "to_others": Counter(),
    }
    if not customer_of:
        return result
    emails = {
        partner["id"]: (partner["email"] or "").lower()
        for partner in call("res.partner", "read", list(set(customer_of.values())), ["email"])
    }
    base = [("model", "=", "aftersales.claim"), ("res_id", "in", list(customer_of))]
    messages = call(
        "mail.message",
        "search_read",
        [*base, ("message_type", "!=", "notification")],
        ["res_id", "partner_ids"],
    )
    mails = call(
        "mail.mail", "search_read", base, ["mail_message_id", "res_id", "recipient_ids", "email_to", "state"]
    )
    acknowledged = {
        message["id"] for message in messages if customer_of[message["res_id"]] in message["partner_ids"]
    }
    res_of = {message["id"]: message["res_id"] for message in messages}
    for mail in mails:
        customer = customer_of.get(mail["res_id"])
        to_customer = customer in mail["recipient_ids"] or (
            emails.get(customer) and emails[customer] in (mail["email_to"] or "").lower()
        )
        result["to_customer" if to_customer else "to_others"][mail["state"]] += 1
        if to_customer and mail["mail_message_id"]:
            acknowledged.add(mail["mail_message_id"][0])
            res_of.setdefault(mail["mail_message_id"][0], mail["res_id"])
    result["per_claim"] = Counter(res_of[message_id] for message_id in acknowledged)
    result["messages"] = len(acknowledged)
    result["claims"] = len(result["per_claim"])
    return result


def rpc_vs_rma(database, data, args, extra_paths, marker):
    result = {
        kind: {"ids": [], "errors": [], "times": [], "conflicts": 0, "warmup_errors": []}
        for kind in ("claim", "rma")
    }
    logfile = Path(tempfile.gettempdir()) / f"{database}.log"
    logfile.unlink(missing_ok=True)  # Odoo appends: only this run's lines

    def conflicts_since(offset):
        """Serialization failures and deadlocks the server logged past ``offset`` (Odoo retries the
        request after each, up to 5 times, waiting a random time that doubles on every retry)."""
        if not logfile.exists():
            return 0, offset
        with logfile.open("rb") as log:
            log.seek(offset)
            text = log.read()
        return len(re.findall(rb"could not serialize access|deadlock detected", text)), offset + len(text)

    with odoo_server(database, args.workers, logfile=str(logfile), extra_paths=extra_paths) as (base, _pid):
        url = f"{base}/jsonrpc"
        uid = jsonrpc(url, "common", "login", database, "admin", "admin")
        if not uid:
            raise RuntimeError("admin/admin cannot log in: use a database created by this script")

        def call(model, method, *call_args):
            return jsonrpc(
                url, "object", "execute_kw", database, uid, "admin", model, method, list(call_args)
            )

        slots = data["slots"]
        queues = {
            kind: [list(slot[f"{kind}_lots"]) if slot else [] for slot in slots] for kind in ("claim", "rma")
        }

        def jobs_of(kind, size, text):
            jobs = [[] for _client in range(args.clients)]
            for index in range(size):
                client = index % args.clients
                slot = slot_of(client, args.customers, args.orders)
                lot = queues[kind][slot].pop(0)
                values = (
                    claim_values(slots[slot], lot, text)
                    if kind == "claim"
                    else rma_values(data, slots[slot], lot, text)
                )
                jobs[client].append(values)
            return jobs

        # Warm-up, not counted: one claim and one RMA per client, so that both workers have loaded
        # the registry and run both code paths before the first measured round (claims).
        for kind, model in (("claim", "aftersales.claim"), ("rma", "rma")):
            _ids, errors, _elapsed = run_round(
                call, model, jobs_of(kind, args.clients, f"warm-up-{marker.rsplit('-', 1)[1]}")
            )
            result[kind]["warmup_errors"] = errors
        # The floor: as many trivial calls (reading the customer's name), same clients, same server.
        partners = [[slots[slot_of(c, args.customers, args.orders)]["partner"]] for c in range(args.clients)]
        floor_jobs = [
            [partners[c]] * len(range(c, args.round_size, args.clients)) for c in range(args.clients)
        ]
        ids, errors, elapsed = run_round(
            lambda model, method, ids: call(model, "read", ids, ["name"]), "res.partner", floor_jobs
        )
        result["floor"] = (len(ids), elapsed, errors)
        print(
            f"floor: {len(ids)} res.partner reads in {elapsed:.1f} s ({len(ids) / elapsed:.1f}/s)", flush=True
        )
        for number in range(2 * args.rounds):
            kind = "claim" if number % 2 == 0 else "rma"
            model = "aftersales.claim" if kind == "claim" else "rma"
            jobs = jobs_of(kind, args.round_size, marker)
            _count, offset = conflicts_since(0)
            ids, errors, elapsed = run_round(call, model, jobs)
            conflicts, _offset = conflicts_since(offset)
            result[kind]["conflicts"] += conflicts
            result[kind]["ids"] += ids
            result[kind]["errors"] += errors
            result[kind]["times"].append(elapsed)
            print(
                f"round {number + 1} ({'claims' if kind == 'claim' else 'RMAs'}): {len(ids)} created in "
                f"{elapsed:.1f} s ({len(ids) / elapsed:.1f}/s), {len(errors)} errors, "
                f"{conflicts} serialization failures retried",
                flush=True,
            )
        marker_domain = [("description", "ilike", marker)]
        result["claim"]["stored"] = call("aftersales.claim", "search_count", marker_domain)
        result["rma"]["stored"] = call("rma", "search_count", marker_domain)
        claims = call("aftersales.claim", "search_read", marker_domain, ["partner_id"])
        result["ack_before_cron"] = count_acknowledgments(call, claims)
        crons = call("ir.cron", "search_read", [("code", "ilike", ACK_METHOD)], ["name", "active"])
        result["crons"] = crons
        result["cron_runs"] = 0
        result["cron_seconds"] = 0.0
        if crons:
            # Run as the scheduler would; again while claims remain unacknowledged (a cron that
            # works in batches and asks to be called back), a few times at most. It acknowledges
            # the warm-up's claims too (one per client).
            for _attempt in range(5):
                start = time.perf_counter()
                for cron in crons:
                    call("ir.cron", "method_direct_trigger", [cron["id"]])
                result["cron_seconds"] += time.perf_counter() - start
                result["cron_runs"] += 1
                if count_acknowledgments(call, claims)["claims"] >= len(claims):
                    break
        result["ack"] = count_acknowledgments(call, claims)
        rmas = call("rma", "search_read", marker_domain, ["partner_id"])
        result["rma_messages"] = call(
            "mail.message",
            "search_count",
            [
                ("model", "=", "rma"),
                ("res_id", "in", [rma["id"] for rma in rmas]),
                ("message_type", "!=", "notification"),
            ],
        )
    result["logfile"] = logfile
    return result


SQL_TABLE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+(?:ONLY\s+)?"?([A-Za-z_][A-Za-z0-9_]*)"?', re.I)


def _sql_summary(statements):
    """(statement kind, first table) -> count, for statements as ``cr.execute`` received them."""
    summary = Counter()
    for query in statements:
        text = str(getattr(query, "code", query)).strip()
        verb = text.split(None, 1)[0].upper() if text else "?"
        match = SQL_TABLE.search(text)
        summary[(verb, match.group(1) if match else "-")] += 1
    return summary


@contextlib.contextmanager
def capturing_sql(cr):
    statements = []
    execute = cr.execute

    def recording(query, params=None, log_exceptions=True):
        statements.append(query)
        return execute(query, params, log_exceptions)

    cr.execute = recording
    try:
        yield statements
    finally:
        del cr.execute


def query_run_vs_rma(odoo, registry, data, samples, profile, marker):
    """Queries per claim and per RMA creation, one at a time, alternating, as admin, in process
    (rolled back); plus the SQL summary of one of each, and a profile of ten claims when asked."""
    customer = data["slots"][0]
    claim_lots = list(customer["claim_lots"][-(samples + 11) :])
    rma_lots = list(customer["rma_lots"][-(samples + 1) :])
    out = {"claims": [], "rmas": []}
    with registry.cursor() as cr:
        admin = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}).ref("base.user_admin").id
        env = odoo.api.Environment(cr, admin, {})
        Claim, Rma = env["aftersales.claim"], env["rma"]
        out["prior_claims"] = Claim.search_count([("partner_id", "=", customer["partner"])])

        def queries(func, milliseconds):
            env.flush_all()
            before, start = cr.sql_log_count, time.perf_counter()
            func()
            env.flush_all()
            milliseconds.append((time.perf_counter() - start) * 1000)
            return cr.sql_log_count - before

        out["claim_ms"], out["rma_ms"] = [], []
        for _index in range(samples):
            claim_vals = claim_values(customer, claim_lots.pop(0), marker)
            rma_vals = rma_values(data, customer, rma_lots.pop(0), marker)
            out["claims"].append(queries(lambda v=claim_vals: Claim.create(v), out["claim_ms"]))
            out["rmas"].append(queries(lambda v=rma_vals: Rma.create(v), out["rma_ms"]))
        env.flush_all()
        with capturing_sql(cr) as statements:
            Claim.create(claim_values(customer, claim_lots.pop(0), marker))
            env.flush_all()
        out["claim_sql"] = _sql_summary(statements)
        out["claim_sql_text"] = [" ".join(str(getattr(q, "code", q)).split()) for q in statements]
        with capturing_sql(cr) as statements:
            Rma.create(rma_values(data, customer, rma_lots.pop(0), marker))
            env.flush_all()
        out["rma_sql"] = _sql_summary(statements)
        out["rma_sql_text"] = [" ".join(str(getattr(q, "code", q)).split()) for q in statements]
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _index in range(10):
                Claim.create(claim_values(customer, claim_lots.pop(0), marker))
                env.flush_all()
            profiler.disable()
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            # The addons' functions (ours, mail, stock...) first, then everything by own time.
            stats.sort_stats("cumulative").print_stats(r"/addons/|/aftersales_", 40)
            stats.sort_stats("tottime").print_stats(25)
            out["profile"] = stream.getvalue()
        cr.rollback()
    return out


def vs_rma_main(args):
    database = args.database or "aftersales_bench_rma"
    copy = f"{database}_run"
    folder, addons = oca_addons(Path(args.oca_dir))
    extra_paths = [folder]
    ensure_database(database, ",".join(addons), extra_paths=extra_paths)
    claims_needed, rmas_needed = round_plan(args)
    tag = time.strftime("%H%M%S")
    marker = f"bench-vs-rma-{time.time_ns()}"
    import odoo  # noqa: PLC0415  (an installed prerequisite, imported only here)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    copy_database(database, copy)
    try:
        odoo.tools.config.parse_config(
            [f"--addons-path={addons_path(extra_paths)}", "-d", copy, "--log-level=warn", "--no-http"]
        )
        registry = Registry(copy)
        start = time.perf_counter()
        data = prepare_vs_rma(odoo, registry, args, claims_needed, rmas_needed, tag)
        print(
            f"Prepared {args.customers} customer(s), {sum(1 for slot in data['slots'] if slot)} delivered "
            f"order(s), {sum(claims_needed) + sum(rmas_needed)} delivered "
            f"serials with their warranties in {time.perf_counter() - start:.0f} s.",
            flush=True,
        )
        # The setup's bulk writes leave autovacuum and stale statistics to the first round (claims).
        vacuum_database(copy)
        rpc = rpc_vs_rma(copy, data, args, extra_paths, marker)
        inproc = query_run_vs_rma(odoo, registry, data, args.query_samples, args.profile, marker)
    finally:
        Registry.delete(copy)  # no pooled connection may stay on the copy that is dropped
        odoo.sql_db.close_db(copy)
        if args.keep_copy:
            print(f"Kept {copy}.")
        else:
            drop_database(copy)
    return report_vs_rma(args, rpc, inproc)


def _median(values):
    return statistics.median(values) if values else 0


def report_vs_rma(args, rpc, inproc):
    sent = args.rounds * args.round_size
    claim, rma = rpc["claim"], rpc["rma"]
    claim_time, rma_time = sum(claim["times"]), sum(rma["times"])
    claim_rate = len(claim["ids"]) / claim_time if claim_time else 0.0
    rma_rate = len(rma["ids"]) / rma_time if rma_time else 0.0
    ratio = claim_rate / rma_rate if rma_rate else 0.0
    cron = bool(rpc["crons"])
    ack = rpc["ack"]
    messages, acknowledged = ack["messages"], ack["claims"]
    one_each = acknowledged == messages == claim["stored"] and set(ack["per_claim"].values()) <= {1}
    before_messages = rpc["ack_before_cron"]["messages"]
    claims_q, rmas_q = inproc["claims"], inproc["rmas"]
    first, last = claims_q[1:11], claims_q[-10:]
    grows = _median(last) > _median(first)

    def by_state(counter):
        return ", ".join(f"{state} {count}" for state, count in sorted(counter.items())) or "none"

    print()
    print("| measure | claims | RMAs |")
    print("| --- | --- | --- |")
    print(f"| Odoo server | --workers={args.workers}, loopback | same server |")
    setup = f"{args.clients}, {args.customers}, {args.orders}"
    print(f"| clients, customers, delivered orders per customer | {setup} | {setup} |")
    print(f"| rounds of {args.round_size} (alternating) | {args.rounds} | {args.rounds} |")
    print(f"| records sent | {sent} | {sent} |")
    print(f"| answered with an id | {len(claim['ids'])} | {len(rma['ids'])} |")
    print(f"| errors | {len(claim['errors'])} | {len(rma['errors'])} |")
    print(
        f"| serialization failures retried by Odoo (server log) | {claim['conflicts']} | {rma['conflicts']} |"
    )
    print(f"| stored in the database | {claim['stored']} | {rma['stored']} |")
    print(
        f"| wall time of the rounds | {' + '.join(f'{t:.1f}' for t in claim['times'])} = {claim_time:.1f} s "
        f"| {' + '.join(f'{t:.1f}' for t in rma['times'])} = {rma_time:.1f} s |"
    )
    print(f"| records per second | {claim_rate:.1f} | {rma_rate:.1f} |")
    print(f"| ratio claims/RMAs | {ratio:.2f} | |")
    floor_count, floor_time, _floor_errors = rpc["floor"]
    floor = f"{floor_count / floor_time:.1f}" if floor_time else "-"
    print(f"| floor: trivial calls per second (`res.partner.read`, one round) | {floor} | {floor} |")
    median_claim, median_rma = _median(claims_q), _median(rmas_q)
    print(f"| queries per create, in process (median of {len(claims_q)}) | {median_claim} | {median_rma} |")
    print(f"| queries per claim, claims 2-11 / last 10 (median) | {_median(first)} / {_median(last)} | |")
    claim_ms, rma_ms = _median(inproc["claim_ms"][1:]), _median(inproc["rma_ms"][1:])
    print(f"| time per create, in process (median, first left out) | {claim_ms:.1f} ms | {rma_ms:.1f} ms |")
    runs = f"run {rpc['cron_runs']} time(s), {rpc['cron_seconds']:.1f} s" if cron else "none"
    print(f"| acknowledgment cron (over RPC, after the rounds) | {runs} | |")
    if cron and claim_time:
        with_cron = len(claim["ids"]) / (claim_time + rpc["cron_seconds"])
        print(f"| claims per second, the cron's time included | {with_cron:.1f} | |")
    print(f"| acknowledgments (to the customer) before / after the cron | {before_messages} / {messages} | |")
    print(f"| claims acknowledged | {acknowledged} | |")
    print(f"| emails to the customers (mail.mail by state) | {by_state(ack['to_customer'])} | |")
    print(f"| emails to others, e.g. followers (mail.mail by state) | {by_state(ack['to_others'])} | |")
    print(f"| messages other than notifications on the RMAs | | {rpc['rma_messages']} |")
    print()
    print(f"Claims per second / RMAs per second: {ratio:.2f} (target >= 1.0).")
    print(
        f"Records stored = records sent: claims {'yes' if claim['stored'] == sent else 'NO'}, "
        f"RMAs {'yes' if rma['stored'] == sent else 'NO'}."
    )
    print(
        f"Acknowledgment cron ({ACK_METHOD}): "
        + (", ".join(f"{c['name']!r}" for c in rpc["crons"]) if cron else "not in the database")
        + f"; in aftersales_warranty/data/ir_cron_data.xml: {'yes' if ack_cron_in_source() else 'no'}."
    )
    print(
        f"One acknowledgment per claim: {'yes' if one_each else 'no'}"
        f" ({messages} for {claim['stored']} claims, {acknowledged} claims acknowledged)."
    )
    print(
        f"Queries per claim {'GROW' if grows else 'do not grow'} with the number of claims "
        f"(the customer had {inproc['prior_claims']} claims before the in-process ones)."
    )
    for kind, label in (("claim_sql", "one claim creation"), ("rma_sql", "one RMA creation")):
        summary = inproc[kind]
        print(f"\nSQL of {label}: {sum(summary.values())} statements")
        print("\n| statement | table | count |")
        print("| --- | --- | --- |")
        for (verb, table), count in summary.most_common(30):
            print(f"| {verb} | {table} | {count} |")
    if args.sql:
        for kind, label in (("claim_sql_text", "one claim creation"), ("rma_sql_text", "one RMA creation")):
            print(f"\nStatements of {label}, in order (first 400 characters):\n")
            for number, text in enumerate(inproc[kind], 1):
                print(f"{number:3}. {text[:400]}")
    if inproc.get("profile"):
        print("\nProfile of ten claim creations (cumulative):\n")
        print(inproc["profile"])
    for kind, label in (("claim", "claim"), ("rma", "RMA")):
        for error in list(dict.fromkeys(rpc[kind]["errors"]))[:5]:
            print(f"{label} error: {error}")
        for error in list(dict.fromkeys(rpc[kind]["warmup_errors"]))[:3]:
            print(f"{label} error in the warm-up: {error}")
    for error in list(dict.fromkeys(rpc["floor"][2]))[:3]:
        print(f"error of a trivial call (floor): {error}")
    print(f"Server log: {rpc['logfile']}")
    failed = (
        ratio < 1.0
        or claim["errors"]
        or rma["errors"]
        or claim["warmup_errors"]
        or rma["warmup_errors"]
        or claim["stored"] != sent
        or rma["stored"] != sent
        or len(claim["ids"]) != sent
        or len(rma["ids"]) != sent
        or (cron and not one_each)
        or grows
    )
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("AFTERSALES_BENCH_DB"),
        help="default: aftersales_bench, or aftersales_bench_rma with --vs-rma",
    )
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent JSON-RPC clients")
    parser.add_argument("--workers", type=int, default=2, help="Odoo --workers (0: threaded server)")
    group = parser.add_argument_group("--vs-rma")
    group.add_argument("--vs-rma", action="store_true", help="claims against OCA rma 19.0 RMAs")
    group.add_argument("--rounds", type=int, default=2, help="rounds of claims, and of RMAs")
    group.add_argument("--round-size", type=int, default=200, help="records per round")
    group.add_argument("--customers", type=int, default=1, help="customers (client c: customer c %% N)")
    group.add_argument(
        "--orders", type=int, default=1, help="delivered sale orders per customer (clients take them in turn)"
    )
    group.add_argument("--query-samples", type=int, default=30, help="in-process creations of each")
    group.add_argument("--profile", action="store_true", help="cProfile of ten claim creations")
    group.add_argument("--sql", action="store_true", help="the statements of one claim and one RMA creation")
    group.add_argument("--keep-copy", action="store_true", help="keep DATABASE_run for inspection")
    group.add_argument(
        "--oca-dir",
        default=str(Path(tempfile.gettempdir()) / "aftersales_bench_rma_oca"),
        help="where the OCA wheels are installed (outside the repository)",
    )
    args = parser.parse_args()
    if args.vs_rma:
        if not (1 <= args.customers <= args.clients and args.rounds >= 1 and args.round_size >= 1):
            parser.error("--customers must be between 1 and --clients; --rounds and --round-size >= 1")
        if args.orders < 1:
            parser.error("--orders must be >= 1")
        return vs_rma_main(args)
    args.database = args.database or "aftersales_bench"
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
