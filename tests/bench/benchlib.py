"""Shared by the benchmark scripts of this folder (run as scripts, so this folder is on sys.path)."""

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def addons_path(extra_paths=()):
    """The ``--addons-path`` value: this repository, then ``extra_paths`` (folders of third-party
    addons a benchmark downloaded for itself, never a dependency of ours)."""
    return ",".join([str(ROOT), *(str(path) for path in extra_paths)])


def ensure_database(database, addons="aftersales_warranty", demo=False, extra_paths=()):
    """Create ``database`` with ``addons`` installed (with their demo data when ``demo``) when it
    does not exist yet; otherwise update them, so that a database kept from an earlier run has the
    indexes and fields of this code. ``extra_paths``: more addons folders (see ``addons_path``)."""
    exists = subprocess.run(
        ["psql", "-X", "-d", "postgres", "-Atc", f"select 1 from pg_database where datname='{database}'"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    command = [sys.executable, "-m", "odoo", f"--addons-path={addons_path(extra_paths)}", "-d", database]
    if exists != "1":
        print(f"Creating database {database} with {addons} (a minute or more)...", flush=True)
        command += ["-i", addons, *(["--with-demo"] if demo else [])]
    else:
        print(f"Updating {addons} in {database}...", flush=True)
        command += ["-u", addons]
    subprocess.run([*command, "--stop-after-init", "--log-level=warn", "--no-http"], check=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_launcher():
    """``odoo-bin`` next to the odoo package when there is one, else ``-m odoo``.

    The prefork server starts its websocket (gevent) process by running ``sys.argv[0]`` again,
    which fails under ``-m odoo`` (the package's ``__main__.py`` cannot run as a script).
    """
    import odoo  # noqa: PLC0415  (an installed prerequisite)

    for path in odoo.__path__:
        launcher = Path(path).parent / "odoo-bin"
        if launcher.is_file():
            return [sys.executable, str(launcher)]
    return [sys.executable, "-m", "odoo"]


@contextlib.contextmanager
def odoo_server(database, workers=0, logfile=None, timeout=180, extra_paths=()):
    """Odoo serving ``database`` on a free loopback port with ``workers`` (0: threaded), no cron
    workers; yields its base URL and process id, and stops it whatever happens. ``extra_paths``:
    more addons folders (see ``addons_path``)."""
    port = free_port()
    command = [*odoo_launcher(), f"--addons-path={addons_path(extra_paths)}", "-d", database]
    command += [f"--db-filter=^{database}$", f"--http-port={port}", "--http-interface=127.0.0.1"]
    command += [f"--gevent-port={free_port()}"]
    # No cron workers: mail queues would try to reach an SMTP server that is not there.
    command += [f"--workers={workers}", "--max-cron-threads=0", "--log-level=warn"]
    command += [f"--logfile={logfile}"] if logfile else []
    # /jsonrpc warns on every call that it is deprecated (Odoo 19): once is enough to know.
    command += ["--log-handler=odoo.addons.rpc.controllers.jsonrpc:ERROR"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/web/health", timeout=2):
                    break
            if server.poll() is not None:
                raise RuntimeError(
                    f"Odoo exited with status {server.returncode}" + (f"; see {logfile}" if logfile else "")
                )
            time.sleep(0.5)
        else:
            raise RuntimeError(f"Odoo did not start within {timeout} s")
        yield url, server.pid
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=30)
        if server.poll() is None:
            server.kill()


def open_registry(database, addons="aftersales_warranty"):
    """``(odoo, registry)`` of ``database``, created with ``addons`` first when it is missing."""
    ensure_database(database, addons)
    import odoo  # noqa: PLC0415  (an installed prerequisite, imported once the database exists)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config([f"--addons-path={ROOT}", "-d", database, "--log-level=warn"])
    return odoo, Registry(database)


def vacuum_database(database):
    """``VACUUM ANALYZE`` ``database``: the rows earlier runs rolled back are dead tuples that slow
    down sequential scans (stock quants, lots) until autovacuum passes, unevenly within a run."""
    subprocess.run(["psql", "-q", "-d", database, "-c", "VACUUM ANALYZE"], check=True)


MILLION_PARAM = "aftersales_bench.million_warranties"


def ensure_million_warranties(registry, size=1_000_000, per_order=10):
    """Generate ``size`` delivered-serial warranties in ``registry``'s database, once; commits.

    Set-based SQL (``INSERT ... SELECT generate_series``) after a few ORM records: one
    serial-tracked product with a 12-month policy, 2,000 customers, ``size / per_order`` confirmed
    sale orders of ``per_order`` serials each, one ``stock.lot`` and one ``aftersales.warranty``
    per serial, every foreign key valid. Orders come in ten kinds (order id modulo 10): kinds 0-4
    delivered 13 to 22 months ago, still ``active`` but past their end (the expiry cron's work);
    kinds 5-8 delivered in the last 10 months (active); kind 9 delivered over two years ago
    (expired). The orders' stored ``warranty_status`` matches. Returns a dict describing the data
    (``seconds`` is the generation time, 0 when the data was already there).
    """
    import odoo  # noqa: PLC0415  (an installed prerequisite, imported by the caller already)

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        done = env["ir.config_parameter"].get_param(MILLION_PARAM)
        if done:
            info = dict(item.split("=", 1) for item in done.split(";"))
            return {**info, "seconds": 0.0}
        print(f"Generating {size:,} warranties in {cr.dbname} (once; a few minutes)...", flush=True)
        start = time.perf_counter()
        company = env.company
        policy = env["aftersales.warranty.policy"].create({"name": "Bench 1M 12 months", "duration": 12})
        product = env["product.product"].create(
            {
                "name": "Bench 1M unit",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "warranty_policy_id": policy.id,
            }
        )
        partners = env["res.partner"].create(
            [{"name": f"Bench 1M customer {i}", "email": f"b1m{i}@example.com"} for i in range(2000)]
        )
        env.flush_all()
        orders = size // per_order
        params = {
            "company": company.id,
            "currency": company.currency_id.id,
            "product": product.id,
            "policy": policy.id,
            "partner_min": min(partners.ids),
            "partners": len(partners),
            "orders": orders,
            "size": size,
            "per_order": per_order,
        }
        first_order = _next_id(cr, "sale_order")
        # Order k (1-based) goes to partner partner_min + k % partners; its kind is k % 10.
        cr.execute(
            """
            INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id, date_order,
                                    company_id, currency_id, picking_policy, state, warranty_status,
                                    user_id, create_uid, write_uid, create_date, write_date)
            SELECT 'B1M/' || to_char(k, 'FM0000000'), p, p, p, d, %(company)s, %(currency)s, 'direct',
                   'sale', CASE WHEN k %% 10 = 9 THEN 'expired' ELSE 'active' END, 1, 1, 1, now(), now()
              FROM (SELECT k, %(partner_min)s + k %% %(partners)s AS p,
                           (now() at time zone 'UTC')::date - CASE
                               WHEN k %% 10 < 5 THEN 400 + k %% 280
                               WHEN k %% 10 < 9 THEN k %% 300
                               ELSE 800 + k %% 300 END * interval '1 day' AS d
                      FROM generate_series(1, %(orders)s) k) s
             ORDER BY k
            """,
            params,
        )
        first_lot = _next_id(cr, "stock_lot")
        cr.execute(
            """
            INSERT INTO stock_lot (name, product_id, company_id,
                                   create_uid, write_uid, create_date, write_date)
            SELECT 'SN' || upper(substr(md5(g::text), 1, 6)) || to_char(g, 'FM0000000'),
                   %(product)s, %(company)s, 1, 1, now(), now()
              FROM generate_series(1, %(size)s) g
             ORDER BY g
            """,
            params,
        )
        cr.execute(
            """
            INSERT INTO aftersales_warranty (name, company_id, product_id, lot_id, quantity, partner_id,
                                             commercial_partner_id, sale_order_id, policy_id, date_start,
                                             date_end_base, date_end, state, create_uid, write_uid,
                                             create_date, write_date)
            SELECT 'WB1M' || to_char(g, 'FM0000000'), %(company)s, %(product)s, %(first_lot)s + g - 1, 1,
                   o.partner_id, o.partner_id, o.id, %(policy)s, o.date_order::date,
                   (o.date_order + interval '12 months' - interval '1 day')::date,
                   (o.date_order + interval '12 months' - interval '1 day')::date,
                   CASE WHEN (o.id - %(first_order)s + 1) %% 10 = 9 THEN 'expired' ELSE 'active' END,
                   1, 1, now(), now()
              FROM generate_series(1, %(size)s) g
              JOIN sale_order o ON o.id = %(first_order)s + (g - 1) / %(per_order)s
             ORDER BY g
            """,
            {**params, "first_lot": first_lot, "first_order": first_order},
        )
        cr.execute("ANALYZE sale_order; ANALYZE stock_lot; ANALYZE aftersales_warranty")
        cr.execute(
            "SELECT count(*) FROM aftersales_warranty WHERE state = 'active' AND date_end < %s",
            [odoo.fields.Date.context_today(env["aftersales.warranty"])],
        )
        due = cr.fetchone()[0]
        seconds = time.perf_counter() - start
        info = {
            "size": str(size),
            "orders": str(orders),
            "due": str(due),
            "product": str(product.id),
            "generated": odoo.fields.Date.today().isoformat(),
            "generation_seconds": f"{seconds:.0f}",
        }
        env["ir.config_parameter"].set_param(MILLION_PARAM, ";".join(f"{k}={v}" for k, v in info.items()))
        cr.commit()
        print(f"Generated {size:,} warranties in {seconds:.0f} s.", flush=True)
        return {**info, "seconds": seconds}


def million_warranties_copy(database, work_db):
    """The million warranties of ``database`` (created and generated once, see
    ``ensure_million_warranties``), copied into ``work_db`` for a run that commits.

    Returns ``(odoo, sql_db, Registry, data, copy_seconds)``; ``database`` is left closed."""
    ensure_database(database)
    import odoo  # noqa: PLC0415  (an installed prerequisite, imported once the database exists)
    from odoo import sql_db  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config([f"--addons-path={ROOT}", "-d", database, "--log-level=warn"])
    data = ensure_million_warranties(Registry(database))
    Registry.delete(database)
    sql_db.close_db(database)
    start = time.perf_counter()
    copy_database(database, work_db)
    return odoo, sql_db, Registry, data, time.perf_counter() - start


def _next_id(cr, table):
    """The id the next row of ``table`` gets (nobody else writes to the bench database)."""
    cr.execute(f"SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM {table}_id_seq")
    return cr.fetchone()[0]


def copy_database(source, target):
    """``target`` as a fresh copy of ``source`` (dropped first when it exists)."""
    subprocess.run(["dropdb", "--if-exists", target], check=True)
    subprocess.run(["createdb", "-T", source, target], check=True)


def drop_database(database):
    subprocess.run(["dropdb", "--if-exists", database], check=True)


def pip_install_addons(target, requirements, timeout=600):
    """Third-party addons from their PyPI wheels into ``target`` (``pip install --no-deps
    --target``), once: a later call with the same ``requirements`` reuses them. Returns the addons
    folder to add to the addons path (``target/odoo/addons``).

    For the benchmarks' own comparisons only: the folder lives outside the repository (or in its
    ignored ``tests/bench/results/``) and none of our addons depends on what it holds.
    """
    target = Path(target)
    folder = target / "odoo" / "addons"
    stamp = target / "requirements.txt"
    wanted = "\n".join(requirements) + "\n"
    if folder.is_dir() and stamp.is_file() and stamp.read_text() == wanted:
        return folder
    print(f"Installing {', '.join(requirements)} into {target}...", flush=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-deps", "--upgrade", "--target", str(target), *requirements]
    subprocess.run(command, check=True, timeout=timeout)
    stamp.write_text(wanted)
    return folder
