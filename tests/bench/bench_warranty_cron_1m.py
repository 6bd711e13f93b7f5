#!/usr/bin/env python3
"""Warranty crons over 1,000,000 warranties: time, memory, and a second run that does nothing.

    python3 tests/bench/bench_warranty_cron_1m.py [--database aftersales_bench_1m] [--certificates 20]

DATABASE holds the 1,000,000 generated warranties of ``bench_lookup_1m.py`` (generated here when
missing: ``benchlib.ensure_million_warranties``; half of them active but past their end date). The
crons commit as they go, so they run in a throw-away copy, ``DATABASE_cron`` (``createdb -T``),
dropped at the end: DATABASE is left as it was.

1. Expiry (``After-Sales: expire warranties``, ``aftersales.warranty._cron_expire_warranties``),
   run as the scheduler runs it (``ir.cron.method_direct_trigger``: its own cursor, progress
   records, committed batches of 10,000 through ``_commit_progress``, rescheduled at once while
   work remains), triggered again until no active warranty is past its end. Then once more,
   which must change nothing.
2. Certificates (``After-Sales: email warranty certificates``,
   ``sale.order._cron_send_warranty_certificates``): CERTIFICATES orders of ten serials are
   flagged as just delivered, the cron emails their PDF certificate, then runs again with nothing
   flagged. The first run is per order (one PDF each); the second run is the one every hour pays
   over the 100,000 orders of the database.

3. Reminders (``After-Sales: run follow-up rules``, ``aftersales.followup.rule._cron_run_followups``),
   with ``--reminder-days`` > 0: ``aftersales_feedback`` is installed in the copy (time printed),
   a *Warranty Expiring* rule calls the customer of every active warranty ending within that
   many days (75 by default: about 13,000 of the million, the data's active warranties end 2 to
   12 months ahead), run as the scheduler runs it (committed pages of 1,000), then again, which
   must create nothing.

Time is wall-clock (``perf_counter``), queries the process's statement counter; memory is the
process's resident set (``VmRSS``) sampled at each committed batch, and its peak
(``ru_maxrss``). Targets: expiry under 60 s, memory flat (the last batch's resident set within
a few MB of the first's), reminders under 60 s with flat memory, second runs without writes.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta

from benchlib import ROOT, drop_database, million_warranties_copy


def rss_mb():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sample_memory_per_commit(registry):
    """A list that gets (records processed, resident MB) at each ``_commit_progress`` of a cron."""
    samples = []
    IrCron = registry["ir.cron"]
    commit_progress = IrCron._commit_progress

    def sampling_commit_progress(self, processed=0, **kwargs):
        result = commit_progress(self, processed, **kwargs)
        samples.append((processed, rss_mb()))
        return result

    IrCron._commit_progress = sampling_commit_progress
    return samples


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("AFTERSALES_BENCH_1M_DB", "aftersales_bench_1m"))
    parser.add_argument("--certificates", type=int, default=20)
    parser.add_argument("--time-limit", type=int, default=900, help="stop the expiry after so many seconds")
    parser.add_argument(
        "--reminder-days",
        type=int,
        default=75,
        help="the reminder rule's days before the end (0: no reminders)",
    )
    args = parser.parse_args()
    work_db = f"{args.database}_cron"
    odoo, sql_db, Registry, data, copy_seconds = million_warranties_copy(args.database, work_db)
    try:
        held = run(odoo, sql_db, Registry(work_db), data, args, copy_seconds)
        if args.reminder_days > 0:
            held = run_reminders(odoo, sql_db, Registry, work_db, args) and held
        return 0 if held else 1
    finally:
        Registry.delete(work_db)
        sql_db.close_db(work_db)
        drop_database(work_db)


def run(odoo, sql_db, registry, data, args, copy_seconds):
    samples = sample_memory_per_commit(registry)

    def state_counts(cr):
        cr.execute("SELECT state, count(*) FROM aftersales_warranty GROUP BY state ORDER BY state")
        return dict(cr.fetchall())

    def due_count(env):
        return env["aftersales.warranty"].search_count(
            [("state", "=", "active"), ("date_end", "<", odoo.fields.Date.context_today(env.user))]
        )

    def trigger(xmlid, until_done=None):
        """Run the cron as the scheduler would, again while ``until_done()`` is false."""
        runs, before_q, start = 0, sql_db.sql_counter, time.perf_counter()
        while True:
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                env.ref(xmlid).method_direct_trigger()
            runs += 1
            if until_done is None or until_done() or time.perf_counter() - start > args.time_limit:
                break
        return runs, sql_db.sql_counter - before_q, time.perf_counter() - start

    def expired_all():
        with registry.cursor() as cr:
            return due_count(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})) == 0

    def snapshot(cr):
        """(active warranties past their end, count per state, chatter messages on warranties)"""
        cr.execute("SELECT count(*) FROM mail_message WHERE model = 'aftersales.warranty'")
        messages = cr.fetchone()[0]
        return due_count(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})), state_counts(cr), messages

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        due, before_states, messages_before = snapshot(cr)
        # Warm the registry (views, templates) so that the first batch is not charged for it.
        env["aftersales.warranty"].search([], limit=1).read(["state"])
    rss_start = rss_mb()

    runs, queries, seconds = trigger("aftersales_warranty.ir_cron_expire_warranties", expired_all)
    expiry_samples = list(samples)
    with registry.cursor() as cr:
        left, after_states, messages_after = snapshot(cr)
        cr.execute("SELECT warranty_status, count(*) FROM sale_order GROUP BY 1 ORDER BY 1")
        order_statuses = dict(cr.fetchall())
        cr.execute("SELECT max(write_date) FROM aftersales_warranty")
        last_write = cr.fetchone()[0]
    samples.clear()
    _runs2, queries2, seconds2 = trigger("aftersales_warranty.ir_cron_expire_warranties")
    with registry.cursor() as cr:
        cr.execute("SELECT max(write_date) FROM aftersales_warranty")
        second_wrote = cr.fetchone()[0] != last_write
        second_states = state_counts(cr)

    # Certificates: flag CERTIFICATES orders whose warranties are active, as deliveries do.
    with registry.cursor() as cr:
        cr.execute(
            "UPDATE sale_order SET warranty_certificate_pending = true WHERE id IN ("
            " SELECT id FROM sale_order WHERE warranty_status = 'active' ORDER BY id LIMIT %s)",
            [args.certificates],
        )
        cr.execute("SELECT count(*) FROM mail_message WHERE model = 'sale.order'")
        order_messages = cr.fetchone()[0]
    samples.clear()
    rss_cert = rss_mb()
    _r, cert_queries, cert_seconds = trigger("aftersales_warranty.ir_cron_send_warranty_certificates")
    cert_rss = max((rss for _p, rss in samples), default=rss_mb())
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM mail_message WHERE model = 'sale.order'")
        sent = cr.fetchone()[0] - order_messages
        cr.execute("SELECT count(*) FROM sale_order WHERE warranty_certificate_pending")
        still = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM mail_message WHERE model = 'sale.order'")
        order_messages = cr.fetchone()[0]
    _r, cert_queries2, cert_seconds2 = trigger("aftersales_warranty.ir_cron_send_warranty_certificates")
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM mail_message WHERE model = 'sale.order'")
        sent2 = cr.fetchone()[0] - order_messages

    batch_rss = [rss for _processed, rss in expiry_samples]
    first, last = (batch_rss[0], batch_rss[-1]) if batch_rss else (rss_start, rss_start)
    expired = after_states.get("expired", 0) - before_states.get("expired", 0)
    print()
    print(
        f"Database: {data['size']} warranties on {data['orders']} orders (generated {data['generated']} in"
        f" {data['generation_seconds']} s); copied for the crons in {copy_seconds:.0f} s."
    )
    print(f"Warranty states before: {before_states}; after expiry: {after_states}")
    print(f"Sale order warranty statuses after expiry: {order_statuses}")
    print()
    print("| warranty cron over 1,000,000 | result | queries | time (s) | memory |")
    print("| --- | --- | ---: | ---: | --- |")
    print(
        f"| expiry, first run ({runs} scheduler runs, {len(expiry_samples)} committed batches) |"
        f" {expired:,} of {due:,} due expired, {left:,} left; {messages_after - messages_before:,}"
        f" chatter messages | {queries:,} | {seconds:.1f} | resident {rss_start:.0f} MB before,"
        f" {first:.0f} MB after the first batch, {last:.0f} MB after the last,"
        f" peak {max(batch_rss or [0]):.0f} MB |"
    )
    print(
        f"| expiry, second run | {'wrote' if second_wrote else 'nothing written'},"
        f" states {'unchanged' if second_states == after_states else 'CHANGED'} | {queries2} |"
        f" {seconds2:.2f} | |"
    )
    print(
        f"| certificates, {args.certificates} orders flagged | {sent} emailed with their PDF, {still} left |"
        f" {cert_queries:,} | {cert_seconds:.1f} ({cert_seconds / max(sent, 1) * 1000:.0f} ms per order) |"
        f" resident {rss_cert:.0f} MB before, {cert_rss:.0f} MB after |"
    )
    print(
        f"| certificates, second run (nothing flagged) | {sent2} emailed | {cert_queries2} |"
        f" {cert_seconds2:.2f} | |"
    )
    print(f"\nprocess peak resident set (ru_maxrss): {peak_mb():.0f} MB")
    print("resident set per committed batch (MB): " + ", ".join(f"{rss:.0f}" for rss in batch_rss))
    flat = last - first < 50
    held = seconds < 60 and left == 0 and flat and not second_wrote and sent2 == 0 and still == 0
    print(
        "\ntargets (expiry < 60 s, memory flat, second runs change nothing): "
        + ("held" if held else "NOT HELD")
    )
    return held


def run_reminders(odoo, sql_db, Registry, work_db, args):
    """Install aftersales_feedback in the copy, then run a warranty-expiring rule twice."""
    Registry.delete(work_db)
    sql_db.close_db(work_db)
    start = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "odoo",
        f"--addons-path={ROOT}",
        "-d",
        work_db,
        "-i",
        "aftersales_feedback",
    ]
    subprocess.run([*command, "--stop-after-init", "--log-level=warn"], check=True)
    install_seconds = time.perf_counter() - start
    registry = Registry(work_db)
    samples = sample_memory_per_commit(registry)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        # Only this rule: the demo-free install has none, and the cron runs every active rule.
        env["aftersales.followup.rule"].search([]).active = False
        rule = env["aftersales.followup.rule"].create(
            {
                "name": "Bench: warranty ends soon",
                "trigger": "warranty_expiring",
                "delay_days": args.reminder_days,
                "responsible": "user",
                "user_id": env.ref("base.user_admin").id,
            }
        )
        today = odoo.fields.Date.context_today(env.user)
        due = env["aftersales.warranty"].search_count(
            [
                ("state", "=", "active"),
                ("date_end", ">=", today),
                ("date_end", "<=", today + timedelta(days=args.reminder_days)),
            ]
        )
        total = env["aftersales.warranty"].search_count([])
        env["aftersales.followup"].search([], limit=1)  # warm the model
    rss_start = rss_mb()

    def trigger(until_done):
        before_q, start, runs = sql_db.sql_counter, time.perf_counter(), 0
        while True:
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                env.ref("aftersales_feedback.ir_cron_run_followups").method_direct_trigger()
            runs += 1
            # The scheduler runs it again while the cron's time was up before its work was done.
            if until_done() or time.perf_counter() - start > args.time_limit:
                return runs, sql_db.sql_counter - before_q, time.perf_counter() - start

    def counts():
        with registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM aftersales_followup WHERE rule_id = %s", [rule.id])
            followups = cr.fetchone()[0]
            cr.execute("SELECT count(*) FROM mail_activity WHERE res_model = 'aftersales.warranty'")
            return followups, cr.fetchone()[0]

    runs, queries, seconds = trigger(lambda: counts()[0] >= due)
    batch_rss = [rss for _processed, rss in samples]
    followups, activities = counts()
    samples.clear()
    _runs2, queries2, seconds2 = trigger(lambda: True)
    followups2, activities2 = counts()
    first, last = (batch_rss[0], batch_rss[-1]) if batch_rss else (rss_start, rss_start)
    print()
    print(f"aftersales_feedback installed in the copy in {install_seconds:.0f} s.")
    print()
    print(f"| reminder cron over {total:,} warranties | result | queries | time (s) | memory |")
    print("| --- | --- | ---: | ---: | --- |")
    print(
        f"| warranty expiring within {args.reminder_days} days, first run ({runs} scheduler runs,"
        f" {len(batch_rss)} committed pages) | {due:,} due; {followups:,} follow-ups, {activities:,} call"
        f" activities | {queries:,} | {seconds:.1f} | resident {rss_start:.0f} MB before,"
        f" {first:.0f} MB after the first page, {last:.0f} MB after the last,"
        f" peak {max(batch_rss or [0]):.0f} MB |"
    )
    print(
        f"| second run | {followups2 - followups} follow-ups, {activities2 - activities} activities |"
        f" {queries2} | {seconds2:.2f} | |"
    )
    print("resident set per committed page (MB): " + ", ".join(f"{rss:.0f}" for rss in batch_rss))
    held = (
        seconds < 60
        and followups == due
        and last - first < 50
        and followups2 == followups
        and activities2 == activities
    )
    print(
        "\ntargets (reminders < 60 s, one follow-up per due warranty, memory flat, second run creates"
        " nothing): " + ("held" if held else "NOT HELD")
    )
    return held


if __name__ == "__main__":
    sys.exit(main())
