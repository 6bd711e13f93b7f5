#!/usr/bin/env python3
"""Customer club benchmark: points for satisfaction answers, and the daily tier cron.

    python3 tests/bench/bench_club.py [--database aftersales_bench_feedback]
                                      [--answers 1000,10000] [--members 10000,100000]

1. Points for answers: N satisfaction answers of N members (each their own card) are created in
   batches of 1,000, as the survey and the agents create them, once with the company's club rule
   for answers archived (the answer alone) and once with it active (each answer earns points: one
   history line and the card's points). Queries per 1,000 answers must not grow with N.
2. The daily cron (``res.partner._cron_aftersales_club``) over M members with three tiers and a
   year and a half of points each (generated set-based in SQL): the first run places everyone,
   a second run changes nothing, and a run 120 days later moves the members whose points left the
   365-day window. Queries per 1,000 members must not grow with M.

Queries come from the cursor's counter, times from ``perf_counter``; everything is rolled back.
The database is created with ``aftersales_feedback`` if missing.
"""

import argparse
import os
import sys
import time

from benchlib import open_registry


def measure(env, func):
    env.invalidate_all()
    cr = env.cr
    before, start = cr.sql_log_count, time.perf_counter()
    result = func()
    env.flush_all()
    return cr.sql_log_count - before, time.perf_counter() - start, result


def make_members(env, count, program, tag, history=True):
    """``count`` partners with a card in ``program`` (set-based SQL); with ``history``, each earned
    0 to 1,500 points spread over the last 540 days. Returns the partner ids."""
    cr = env.cr
    env.flush_all()
    cr.execute(
        """INSERT INTO res_partner
                  (name, complete_name, active, type, autopost_bills, create_date, write_date)
           SELECT 'Club ' || %s || ' ' || g, 'Club ' || %s || ' ' || g, true, 'contact', 'ask',
                  now() at time zone 'UTC', now() at time zone 'UTC'
             FROM generate_series(1, %s) g
        RETURNING id""",
        [tag, tag, count],
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids])
    cr.execute(
        """INSERT INTO loyalty_card
                  (program_id, company_id, partner_id, code, points, active, create_date, write_date)
           SELECT %s, %s, p, 'bench-' || %s || '-' || p, 0, true,
                  now() at time zone 'UTC', now() at time zone 'UTC'
             FROM unnest(%s::int[]) p
        RETURNING id""",
        [program.id, program.company_id.id, tag, partner_ids],
    )
    card_ids = [row[0] for row in cr.fetchall()]
    if history:
        # Three grants per member, 0-500 points each, 0-540 days old (deterministic spread).
        cr.execute(
            """INSERT INTO loyalty_history (card_id, description, issued, used, aftersales_date, create_date)
               SELECT c, 'Bench', ((c * 7919 + k * 104729) %% 501), 0,
                      (now() at time zone 'UTC') - make_interval(days => ((c * 31 + k * 173) %% 541)),
                      now() at time zone 'UTC'
                 FROM unnest(%s::int[]) c, generate_series(1, 3) k""",
            [card_ids],
        )
        cr.execute(
            """UPDATE loyalty_card c SET points = h.total
                 FROM (SELECT card_id, sum(issued) total FROM loyalty_history
                        WHERE card_id = ANY(%s) GROUP BY card_id) h
                WHERE h.card_id = c.id""",
            [card_ids],
        )
    # Fresh statistics, as a database that grew to this size has (the planner otherwise sees empty
    # tables within this transaction).
    cr.execute("ANALYZE res_partner, loyalty_card, loyalty_history")
    env.invalidate_all()
    return partner_ids


def bench_answers(env, sizes, program):
    rows = []
    Feedback = env["aftersales.feedback"]
    rule = env["aftersales.club.rule"].create(
        {"event": "feedback", "points": 10, "company_id": env.company.id}
    )
    for size in sizes:
        partners = make_members(env, size * 2, program, f"answers{size}", history=False)
        runs = {}
        for label, active, batch in (("without", False, partners[:size]), ("with", True, partners[size:])):
            rule.active = active

            def create(batch=batch):
                for start in range(0, len(batch), 1000):
                    page = batch[start : start + 1000]
                    Feedback.create([{"partner_id": pid, "score": 5, "source": "portal"} for pid in page])

            queries, elapsed, _result = measure(env, create)
            runs[label] = (queries, elapsed)
        lines = env["loyalty.history"].search_count(
            [("aftersales_event", "=", "feedback"), ("card_id.partner_id", "in", partners[size:])]
        )
        if lines != size:
            raise SystemExit(f"{lines} answers earned points, not {size}")
        rows.append((size, runs["without"], runs["with"], lines))
    return rows


def bench_cron(env, sizes, program):
    rows = []
    Tier = env["aftersales.club.tier"]
    Tier.create(
        [
            {"name": "Silver", "min_points": 0},
            {"name": "Gold", "min_points": 300, "warranty_bonus_months": 3},
            {"name": "Platinum", "min_points": 1000, "warranty_bonus_months": 6},
        ]
    )
    Partner = env["res.partner"]
    total = 0
    for size in sizes:
        make_members(env, size - total, program, f"cron{size}")
        total = size
        members = env["loyalty.card"].search_count([("program_id", "=", program.id)])
        first = measure(env, Partner._cron_aftersales_club)
        second = measure(env, Partner._cron_aftersales_club)
        env.flush_all()
        env.cr.execute(
            "SELECT count(*) FROM res_partner WHERE aftersales_club_tier_id ->> %s IS NOT NULL",
            [str(env.company.id)],
        )
        placed = env.cr.fetchone()[0]
        env.cr.execute(
            "SELECT md5(string_agg(id || ':' || (aftersales_club_tier_id ->> %s), ',' ORDER BY id))"
            " FROM res_partner WHERE aftersales_club_tier_id ->> %s IS NOT NULL",
            [str(env.company.id)] * 2,
        )
        before = env.cr.fetchone()[0]
        # 120 days later: points older than 245 days today leave the window.
        env.cr.execute(
            "UPDATE loyalty_history h SET aftersales_date = h.aftersales_date - interval '120 days' "
            "FROM loyalty_card c WHERE c.id = h.card_id AND c.program_id = %s",
            [program.id],
        )
        env.invalidate_all()
        later = measure(env, Partner._cron_aftersales_club)
        env.cr.execute(
            "SELECT md5(string_agg(id || ':' || (aftersales_club_tier_id ->> %s), ',' ORDER BY id))"
            " FROM res_partner WHERE aftersales_club_tier_id ->> %s IS NOT NULL",
            [str(env.company.id)] * 2,
        )
        after = env.cr.fetchone()[0]
        if before == after:
            raise SystemExit("nobody moved when 120 days of points left the window")
        # Put the dates back for the next size.
        env.cr.execute(
            "UPDATE loyalty_history h SET aftersales_date = h.aftersales_date + interval '120 days' "
            "FROM loyalty_card c WHERE c.id = h.card_id AND c.program_id = %s",
            [program.id],
        )
        env.invalidate_all()
        rows.append((members, placed, first, second, later))
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", default=os.environ.get("AFTERSALES_BENCH_DB", "aftersales_bench_feedback")
    )
    parser.add_argument("--answers", default="1000,10000")
    parser.add_argument("--members", default="10000,100000")
    args = parser.parse_args()
    odoo, registry = open_registry(args.database, addons="aftersales_feedback")
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True})
        env.company._aftersales_ensure_club()
        program = env.company.aftersales_club_program_id
        env["aftersales.club.rule"].search([]).active = False
        env["aftersales.club.tier"].search([]).active = False
        answers = bench_answers(env, [int(size) for size in args.answers.split(",")], program)
        cr.rollback()
        env.invalidate_all()
        env.company._aftersales_ensure_club()
        program = env.company.aftersales_club_program_id
        env["aftersales.club.tier"].search([]).active = False
        cron = bench_cron(env, [int(size) for size in args.members.split(",")], program)
        cr.rollback()

    print()
    print("Points for satisfaction answers (created in batches of 1,000)")
    print()
    print(
        "| answers | queries without club rule | with | extra queries per 1,000 | time without, with (s) |"
        " ms per answer (with) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, (q0, t0), (q1, t1), _lines in answers:
        print(
            f"| {size} | {q0} | {q1} | {(q1 - q0) * 1000 / size:.1f} | {t0:.2f}, {t1:.2f} |"
            f" {t1 * 1000 / size:.2f} |"
        )
    print()
    print("Daily tier cron (batches of 1,000 members)")
    print()
    print(
        "| members | placed | first run: queries, s | queries per 1,000 | second run: queries, s |"
        " 120 days later: queries, s |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for members, placed, first, second, later in cron:
        print(
            f"| {members} | {placed} | {first[0]}, {first[1]:.2f} | {first[0] * 1000 / members:.1f} |"
            f" {second[0]}, {second[1]:.2f} | {later[0]}, {later[1]:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
