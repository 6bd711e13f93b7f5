"""Install on existing data, uninstall, reinstall: end to end, with real Odoo processes.

A fresh database (its own, whatever ``--odoo-database`` says) gets sales and stock and three
deliveries of serials (one a resale of a returned serial); then both addons are installed, a
policy is set, one serial gets a warranty by hand, and the past deliveries get their warranties
(twice: nothing more the second time); both addons are uninstalled (nothing of theirs stays in
the schema, a coupon a customer holds does), reinstalled, and warranties work again.
Every Odoo process logs to a file of its own that must hold no ERROR or CRITICAL line.
"""

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = "aftersales_warranty,aftersales_feedback"
TIMEOUT = 600  # per Odoo process; the whole test takes about four minutes on a quiet machine

PRELUDE = """
import json, sys
import odoo
from odoo.fields import Command
from odoo.modules.registry import Registry

odoo.tools.config.parse_config(
    ["--addons-path={root}", "-d", "{db}", "--logfile={log}", "--log-level=warn",
     "--http-interface=127.0.0.1"]
)
result = {{}}
with Registry("{db}").cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {{}})
"""

CREATE_PAST_DELIVERY = """
product = env["product.product"].create(
    {"name": "Install Test Mower", "is_storable": True, "tracking": "serial"}
)
customer = env["res.partner"].create({"name": "Install Test Customer"})
second_owner = env["res.partner"].create({"name": "Second Owner"})
stock = env.ref("stock.warehouse0").lot_stock_id
Lot = env["stock.lot"]
# Past deliveries: two serials on 15 June 2025, two on 1 July; INST-SN-2 came back and was
# sold to another customer on 1 September.
deliveries = [
    (customer, ("INST-SN-1", "INST-SN-2"), "2025-06-15"),
    (customer, ("INST-SN-3", "INST-SN-4"), "2025-07-01"),
    (second_owner, ("INST-SN-2",), "2025-09-01"),
]
pickings = []
for partner, serials, date in deliveries:
    if partner == second_owner:  # the return of INST-SN-2 first
        wizard = env["stock.return.picking"].create({"picking_id": pickings[0].id})
        wizard.product_return_moves.quantity = 1
        back = env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        back.move_ids.move_line_ids.unlink()
        env["stock.move.line"].create(
            {
                "move_id": back.move_ids.id,
                "picking_id": back.id,
                "product_id": product.id,
                "lot_id": Lot.search([("name", "=", "INST-SN-2")]).id,
                "quantity": 1.0,
                "location_id": back.location_id.id,
                "location_dest_id": back.location_dest_id.id,
            }
        )
        back.move_ids.picked = True
        back.button_validate()
        assert back.state == "done"
    else:
        lots = Lot.create([{"name": name, "product_id": product.id} for name in serials])
        for lot in lots:
            env["stock.quant"]._update_available_quantity(product, stock, 1.0, lot_id=lot)
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": len(serials)})],
        }
    )
    order.action_confirm()
    picking = order.picking_ids
    picking.action_assign()
    picking.move_ids.picked = True
    assert picking.button_validate() is True, "the delivery needs a wizard"
    assert picking.state == "done" and sorted(picking.move_line_ids.lot_id.mapped("name")) == list(serials)
    pickings.append(picking)
    # Delivered long before the addons existed.
    env.flush_all()
    cr.execute("UPDATE stock_move SET date = %s WHERE picking_id = %s", [f"{date} 10:00:00", picking.id])
    cr.execute("UPDATE stock_move_line SET date = %s WHERE picking_id = %s", [f"{date} 10:00:00", picking.id])
result["product"] = product.id
"""

SET_POLICY_AND_CATCH_UP = """
product = env["product.product"].browse({product})
Warranty = env["aftersales.warranty"]
result["after_install"] = Warranty.search_count([("product_id", "=", product.id)])
policy = env["aftersales.warranty.policy"].create(
    {{"name": "24 months", "duration": 24, "duration_unit": "month"}}
)
product.warranty_policy_id = policy
# INST-SN-4 was registered by hand meanwhile: its live warranty stays the only one.
Warranty.create(
    {{
        "product_id": product.id,
        "lot_id": env["stock.lot"].search([("name", "=", "INST-SN-4")]).id,
        "partner_id": env["res.partner"].search([("name", "=", "Install Test Customer")]).id,
        "policy_id": policy.id,
        "date_start": "2025-07-03",
        "state": "active",
    }}
)
manager = env.ref("base.user_admin")
for run in ("first", "second"):
    action = env["stock.picking"].with_user(manager).action_create_past_warranties()
    result[run + "_created"] = len(action["domain"][0][2])
    env.invalidate_all()
warranties = Warranty.search([("product_id", "=", product.id)])
result["warranties"] = sorted(
    [w.lot_id.name, str(w.date_start), str(w.date_end), w.partner_id.name, bool(w.sale_order_id)]
    for w in warranties
)
# A goodwill coupon a customer holds must survive the uninstall.
program = env.company.aftersales_goodwill_program_id
env["loyalty.card"].create({{"program_id": program.id, "partner_id": warranties.partner_id[:1].id}})
"""

UNINSTALL = """
modules = env["ir.module.module"].search([("name", "in", {addons})])
modules.button_immediate_uninstall()
"""

AFTER_REINSTALL = """
product = env["product.product"].browse({product})
policy = env["aftersales.warranty.policy"].create({{"name": "12 months"}})
product.warranty_policy_id = policy
stock = env.ref("stock.warehouse0").lot_stock_id
lot = env["stock.lot"].create({{"name": "INST-SN-5", "product_id": product.id}})
env["stock.quant"]._update_available_quantity(product, stock, 1.0, lot_id=lot)
order = env["sale.order"].create(
    {{
        "partner_id": env["res.partner"].search([("name", "=", "Install Test Customer")]).id,
        "order_line": [Command.create({{"product_id": product.id, "product_uom_qty": 1}})],
    }}
)
order.action_confirm()
result["pending"] = order.warranty_ids.mapped("state")
picking = order.picking_ids
picking.action_assign()
picking.move_ids.picked = True
picking.button_validate()
result["new_delivery"] = order.warranty_ids.mapped(lambda w: [w.lot_id.name, w.state])
action = env["stock.picking"].action_create_past_warranties()
result["past_again"] = sorted(env["aftersales.warranty"].browse(action["domain"][0][2]).lot_id.mapped("name"))
"""


class OdooDatabase:
    """A throw-away database driven by ``python3 -m odoo`` and scripts on a registry cursor."""

    def __init__(self, name, logdir):
        self.name, self.logdir, self.step = name, Path(logdir), 0

    def _log(self, label):
        self.step += 1
        return self.logdir / f"{self.step:02d}-{label}.log"

    def odoo(self, label, *args, root=ROOT):
        log = self._log(label)
        command = [sys.executable, "-m", "odoo", f"--addons-path={root}", "-d", self.name]
        command += [*args, "--stop-after-init", "--log-level=warn", f"--logfile={log}"]
        command += ["--http-interface=127.0.0.1", "--no-http"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        assert done.returncode == 0, f"{label} failed:\n{done.stderr[-3000:]}\n{_tail(log)}"
        _assert_clean(log)

    def script(self, label, code, **values):
        log = self._log(label)
        code = textwrap.dedent(code)
        body = textwrap.indent(code.format(**values) if values else code, " " * 4)
        source = PRELUDE.format(root=ROOT, db=self.name, log=log) + body
        source += '\nprint("RESULT=" + json.dumps(result))\n'
        done = subprocess.run(
            [sys.executable, "-c", source], capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        assert done.returncode == 0, f"{label} failed:\n{done.stderr[-3000:]}\n{_tail(log)}"
        _assert_clean(log)
        line = [row for row in done.stdout.splitlines() if row.startswith("RESULT=")][-1]
        return json.loads(line.removeprefix("RESULT="))

    def sql(self, query):
        done = subprocess.run(
            ["psql", "-X", "-d", self.name, "-Atc", query], capture_output=True, text=True, check=True
        )
        return sorted(filter(None, done.stdout.splitlines()))


def _tail(log):
    return Path(log).read_text()[-3000:] if Path(log).exists() else "(no log)"


def _assert_clean(log):
    text = Path(log).read_text() if Path(log).exists() else ""
    bad = [line for line in text.splitlines() if re.search(r" (ERROR|CRITICAL) ", line)]
    assert not bad, f"{log} logged errors:\n" + "\n".join(bad[:20])


def _leftovers(db):
    """Tables, columns, models, fields, records, views and crons named like the addons'."""
    return {
        "tables": db.sql(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_name LIKE 'aftersales%'"
        ),
        "columns": db.sql(
            "SELECT table_name || '.' || column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND (column_name LIKE 'aftersales%' "
            "OR column_name LIKE '%warranty%')"
        ),
        "models": db.sql("SELECT model FROM ir_model WHERE model LIKE 'aftersales%'"),
        "fields": db.sql(
            "SELECT model || '.' || name FROM ir_model_fields "
            "WHERE name LIKE 'aftersales%' OR name LIKE '%warranty%'"
        ),
        "xmlids": db.sql(
            "SELECT module, count(*) FROM ir_model_data "
            "WHERE module IN ('aftersales_warranty', 'aftersales_feedback') GROUP BY module"
        ),
        "views": db.sql("SELECT key FROM ir_ui_view WHERE arch_db::text LIKE '%aftersales%'"),
        "crons": db.sql("SELECT cron_name::text FROM ir_cron WHERE cron_name::text LIKE '%arrant%'"),
    }


def test_install_on_existing_data_uninstall_reinstall():
    name = f"aftersales_install_{os.getpid()}"
    subprocess.run(["dropdb", "--if-exists", name], check=True, capture_output=True)
    # A database with sales, stock and repair installed may be given as a template to save
    # their install when iterating; the suite starts from an empty database.
    template = os.environ.get("AFTERSALES_INSTALL_TEMPLATE")
    subprocess.run(
        ["createdb", *(["-T", template] if template else []), name], check=True, capture_output=True
    )
    try:
        with tempfile.TemporaryDirectory(prefix="aftersales-install-") as logdir:
            db = OdooDatabase(name, logdir)
            if not template:
                db.odoo("install-sales-stock", "-i", "sale_stock,repair")
            product = db.script("past-delivery", CREATE_PAST_DELIVERY)["product"]
            before = _leftovers(db)  # Odoo's own names that match (repair_order.under_warranty)
            assert not before["tables"] and not before["xmlids"]

            db.odoo("install-addons", "-i", ADDONS)
            found = db.script("catch-up", SET_POLICY_AND_CATCH_UP, product=product)
            assert found["after_install"] == 0, "no policy at install: the post-init hook creates nothing"
            assert found["first_created"] == 3, "INST-SN-1, 2 and 3; INST-SN-4 has a live warranty"
            assert found["second_created"] == 0, "a second run must create nothing"
            customer = "Install Test Customer"
            assert found["warranties"] == [
                ["INST-SN-1", "2025-06-15", "2027-06-15", customer, True],
                # Its latest sale governs: the first one gives it no warranty.
                ["INST-SN-2", "2025-09-01", "2027-09-01", "Second Owner", True],
                ["INST-SN-3", "2025-07-01", "2027-07-01", customer, True],
                ["INST-SN-4", "2025-07-03", "2027-07-03", customer, False],  # by hand
            ]

            db.script("uninstall", UNINSTALL, addons=ADDONS.split(","))
            states = db.sql(
                "SELECT name || '=' || state FROM ir_module_module "
                "WHERE name IN ('aftersales_warranty', 'aftersales_feedback')"
            )
            assert states == ["aftersales_feedback=uninstalled", "aftersales_warranty=uninstalled"]
            leftovers = {key: sorted(set(rows) - set(before[key])) for key, rows in _leftovers(db).items()}
            assert not any(leftovers.values()), f"left after uninstall: {leftovers}"
            # The program of a coupon a customer holds stays, with the coupon; the unused ones go.
            programs = db.sql(
                "SELECT p.name->>'en_US' || '=' || p.active || '/' || count(c.id) FROM loyalty_program p "
                "LEFT JOIN loyalty_card c ON c.program_id = p.id "
                "WHERE p.name->>'en_US' IN ('After-Sales Goodwill', 'Review Reward', 'Referral Reward') "
                "GROUP BY p.id"
            )
            assert programs == ["After-Sales Goodwill=true/1"], programs

            db.odoo("reinstall-addons", "-i", ADDONS)
            again = db.script("after-reinstall", AFTER_REINSTALL, product=product)
            assert again["pending"] == ["pending"]
            assert again["new_delivery"] == [["INST-SN-5", "active"]]
            assert again["past_again"] == ["INST-SN-1", "INST-SN-2", "INST-SN-3", "INST-SN-4"]
            assert db.sql("SELECT count(*) FROM aftersales_warranty") == ["5"]
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", name], check=False, capture_output=True)


# The last commit of the previous release of both addons (19.0.1.3.0), as companies run it.
PREVIOUS_RELEASE = "723e417"
PREVIOUS_VERSION = "19.0.1.3.0"
COUNTED = (
    "aftersales_warranty",
    "aftersales_warranty_policy",
    "aftersales_claim",
    "aftersales_claim_sla",
    "aftersales_feedback",
    "aftersales_feedback_request",
    "aftersales_followup",
    "aftersales_followup_rule",
    "aftersales_occasion",
    "aftersales_occasion_log",
    "loyalty_card",
    "repair_order",
    "mail_message",
    # 19.0.1.3.0: visits, calls, failure codes and the club's tiers and rules.
    "aftersales_visit",
    "aftersales_call",
    "aftersales_failure_code",
    "aftersales_club_tier",
    "aftersales_club_rule",
    "loyalty_history",
    "stock_picking",
    "stock_move",
    "account_move",
)


def _counts(db):
    return {table: db.sql(f"SELECT count(*) FROM {table}") for table in COUNTED}


def test_update_from_the_previous_release():
    """A database made by the previous release, with its demo data, updated by this code as
    ``setup/run`` updates it (``-u`` with Persian): no error, no record lost, the new columns
    filled, and the records of the addons' data in Persian for a Persian user."""
    name = f"aftersales_upgrade_{os.getpid()}"
    subprocess.run(["dropdb", "--if-exists", name], check=True, capture_output=True)
    subprocess.run(["createdb", name], check=True, capture_output=True)
    try:
        with tempfile.TemporaryDirectory(prefix="aftersales-upgrade-") as workdir:
            old_root = Path(workdir) / "previous"
            old_root.mkdir()
            archive = subprocess.run(
                ["git", "archive", PREVIOUS_RELEASE, "aftersales_warranty", "aftersales_feedback"],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            subprocess.run(["tar", "-x", "-C", str(old_root)], input=archive.stdout, check=True)
            db = OdooDatabase(name, workdir)
            db.odoo("install-previous", "-i", ADDONS, "--with-demo", root=old_root)
            # Persian, loaded by the previous release: its translations of the templates and pages.
            db.odoo("persian-previous", "-u", ADDONS, "--load-language=fa_IR", root=old_root)
            assert db.sql(
                "SELECT latest_version FROM ir_module_module WHERE name = 'aftersales_warranty'"
            ) == [PREVIOUS_VERSION]
            before = _counts(db)
            assert int(before["aftersales_claim"][0]) > 0 and int(before["aftersales_feedback"][0]) > 0

            db.odoo("update", "-u", ADDONS, "--load-language=fa_IR")
            after = _counts(db)
            lost = {
                table: (before[table], after[table])
                for table in COUNTED
                if int(after[table][0]) < int(before[table][0])
            }
            assert not lost, f"records lost by the update: {lost}"
            versions = db.sql(
                "SELECT name || '=' || latest_version FROM ir_module_module "
                "WHERE name IN ('aftersales_warranty', 'aftersales_feedback')"
            )
            manifests = {addon: _manifest_version(addon) for addon in ADDONS.split(",")}
            assert versions == sorted(f"{addon}={version}" for addon, version in manifests.items())
            # 19.0.1.3.0: every company has its customer club (the migration made it, as the install
            # does), the visits' dependencies are installed, and no claim lost its state.
            assert db.sql(
                "SELECT count(*) FROM res_company c JOIN loyalty_program p"
                " ON p.id = c.aftersales_club_program_id AND p.program_type = 'loyalty'"
            ) == db.sql("SELECT count(*) FROM res_company")
            assert db.sql(
                "SELECT name || '=' || state FROM ir_module_module WHERE name IN ('calendar', 'resource')"
            ) == ["calendar=installed", "resource=installed"]
            assert db.sql("SELECT count(*) FROM aftersales_claim WHERE state IS NULL") == ["0"]
            # Every occasion follows a calendar; those of the demo data the Solar Hijri one.
            assert db.sql("SELECT count(*) FROM aftersales_occasion WHERE calendar IS NULL") == ["0"]
            assert db.sql("SELECT calendar FROM aftersales_occasion WHERE name->>'en_US' = 'Nowruz'") == [
                "jalali"
            ]
            # The emails print their dates for their reader (Solar Hijri in Persian), in every language.
            assert db.sql(
                "SELECT count(*) FROM mail_template WHERE body_html::text LIKE '%format_date(warranty.%'"
                " OR body_html::text LIKE '%format_datetime(object.date_deadline)%'"
            ) == ["0"]
            assert db.sql(
                "SELECT d.name FROM mail_template t JOIN ir_model_data d ON d.res_id = t.id"
                " AND d.model = 'mail.template' AND d.module = 'aftersales_warranty'"
                " AND d.name IN ('mail_template_warranty_certificate', 'mail_template_claim_received')"
                " WHERE t.body_html::text LIKE '%format_aftersales_date(%'"
            ) == ["mail_template_claim_received", "mail_template_warranty_certificate"]
            # The after-sales coupons are emailed with the addon's template (expiry in the reader's calendar).
            assert db.sql(
                "SELECT d.module || '.' || d.name FROM loyalty_mail m"
                " JOIN res_company c ON m.program_id IN (c.aftersales_goodwill_program_id,"
                " c.aftersales_review_program_id, c.aftersales_referral_program_id)"
                " JOIN ir_model_data d ON d.model = 'mail.template' AND d.res_id = m.mail_template_id"
                " GROUP BY 1"
            ) == ["aftersales_feedback.mail_template_coupon"]
            # The Persian templates and portal pages are this release's, not the previous one's.
            assert db.sql(
                "SELECT count(*) FROM mail_template t JOIN ir_model_data d ON d.res_id = t.id"
                " AND d.model = 'mail.template' AND d.name = 'mail_template_occasion_greeting'"
                " WHERE t.body_html->>'fa_IR' LIKE '%format_aftersales_date(object.card_id.expiration_date)%'"
            ) == ["1"]
            assert db.sql(
                "SELECT count(*) FROM ir_ui_view v JOIN ir_model_data d ON d.res_id = v.id"
                " AND d.model = 'ir.ui.view' AND d.name = 'portal_my_warranty'"
                " WHERE v.arch_db->>'fa_IR' LIKE '%aftersales_date%'"
            ) == ["1"]
            # A Persian user reads the demo records in Persian.
            for table, english, persian in (
                ("aftersales_occasion", "Nowruz", "نوروز"),
                ("aftersales_occasion", "Yalda Night", "شب یلدا"),
                ("aftersales_claim_sla", "Standard", "استاندارد"),
            ):
                assert db.sql(f"SELECT name->>'fa_IR' FROM {table} WHERE name->>'en_US' = '{english}'") == [
                    persian
                ], f"{table} {english}"
            assert db.sql("SELECT count(*) FROM aftersales_warranty_policy WHERE name->>'fa_IR' IS NULL") == [
                "0"
            ]
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", name], check=False, capture_output=True)


def _manifest_version(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text())["version"]
