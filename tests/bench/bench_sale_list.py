#!/usr/bin/env python3
"""Sale order list benchmark: what the warranty status column costs the list of orders.

    python3 tests/bench/bench_sale_list.py [--database aftersales_bench] [--orders 80] [--rounds 30]

ORDERS orders are confirmed in the database (a storable product with a warranty policy, three
quarters of them delivered: pending, active and mixed statuses), then the sale order list is read
as the web client reads it: ``web_search_read`` with the fields of the list view (``sale.order``
``list`` from ``get_views``, many2one as ``display_name``), once with ``warranty_status`` and once
without it, alternately, ROUNDS times each, with the ORM cache emptied before each read. It runs
as the administrator (access rules applied, not superuser mode). Prints the queries of each read
and the median time of each, the extra queries (target: at most 2) and the ratio (target: at most
5 % slower). Everything is rolled back. The database is created with ``aftersales_warranty`` if
missing.
"""

import argparse
import os
import statistics
import sys
import time

from benchlib import open_registry


def generate(env, count):
    """``count`` confirmed orders of one warranted unit each; three quarters delivered."""
    policy = env["aftersales.warranty.policy"].create({"name": "Bench list 24 months", "duration": 24})
    product = env["product.product"].create(
        {"name": "Bench list unit", "type": "consu", "is_storable": True, "warranty_policy_id": policy.id}
    )
    location = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1).lot_stock_id
    env["stock.quant"]._update_available_quantity(product, location, 2.0 * count)
    partners = env["res.partner"].create([{"name": f"Bench list {i}"} for i in range(count)])
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 2})],
            }
            for partner in partners
        ]
    )
    orders.action_confirm()
    delivered = orders[: count * 3 // 4]
    pickings = delivered.picking_ids
    pickings.action_assign()
    # Half of the delivered orders get one unit of two: partially covered, a backorder pending.
    for index, picking in enumerate(pickings):
        for move in picking.move_ids:
            move.quantity = 1.0 if index % 2 else move.product_uom_qty
            move.picked = True
    pickings.with_context(skip_backorder=True, cancel_backorder=False).button_validate()
    env.flush_all()
    return orders


def list_specification(env):
    """The fields the web client asks for when it opens the sale order list view."""
    views = env["sale.order"].get_views([(False, "list")])
    fields_info = views["models"]["sale.order"]["fields"]
    spec = {}
    for name, info in fields_info.items():
        if info["type"] in ("many2one", "many2many", "one2many"):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("AFTERSALES_BENCH_DB", "aftersales_bench"))
    parser.add_argument("--orders", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    odoo, registry = open_registry(args.database)
    with registry.cursor() as cr:
        root = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        orders = generate(root, args.orders)
        statuses = dict(
            root["sale.order"]._read_group([("id", "in", orders.ids)], ["warranty_status"], ["__count"])
        )
        admin = root.ref("base.user_admin")
        env = odoo.api.Environment(cr, admin.id, {"lang": "en_US", "tz": "UTC"})
        with_status = list_specification(env)
        if "warranty_status" not in with_status:
            raise SystemExit("the sale order list view does not show warranty_status")
        bare = {name: spec for name, spec in with_status.items() if name != "warranty_status"}
        domain = [("id", "in", orders.ids)]
        SaleOrder = env["sale.order"]

        def read(spec):
            env.invalidate_all()
            before, start = cr.sql_log_count, time.perf_counter()
            result = SaleOrder.web_search_read(
                domain, spec, limit=args.orders, order="date_order desc, id desc"
            )
            elapsed = time.perf_counter() - start
            if len(result["records"]) != args.orders:
                raise SystemExit(f"the list shows {len(result['records'])} orders, not {args.orders}")
            return cr.sql_log_count - before, elapsed

        for _warm in range(3):
            read(with_status)
            read(bare)
        samples = {"bare": [], "with": []}
        for index in range(args.rounds):
            # Alternate which goes first, so that neither always reads a warmer database.
            pair = (
                (("bare", bare), ("with", with_status))
                if index % 2
                else (("with", with_status), ("bare", bare))
            )
            for key, spec in pair:
                samples[key].append(read(spec))
        cr.rollback()

    q_bare = statistics.median(q for q, _t in samples["bare"])
    q_with = statistics.median(q for q, _t in samples["with"])
    t_bare = statistics.median(t for _q, t in samples["bare"])
    t_with = statistics.median(t for _q, t in samples["with"])
    extra = q_with - q_bare
    ratio = t_with / t_bare if t_bare else 0.0
    print(f"\nOrders listed: {args.orders}, warranty statuses: {dict(statuses)}, fields: {len(with_status)}")
    print()
    print("| sale order list (web_search_read) | queries | median time (ms) |")
    print("| --- | ---: | ---: |")
    print(f"| bare list ({len(bare)} fields) | {q_bare:g} | {t_bare * 1000:.2f} |")
    print(f"| with warranty status ({len(with_status)} fields) | {q_with:g} | {t_with * 1000:.2f} |")
    print(f"| difference | {extra:+g} | {(ratio - 1) * 100:+.1f} % (ratio {ratio:.3f}) |")
    held = extra <= 2 and ratio <= 1.05
    print(f"\ntargets (<= 2 extra queries, <= 5 % slower): {'held' if held else 'NOT HELD'}")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
