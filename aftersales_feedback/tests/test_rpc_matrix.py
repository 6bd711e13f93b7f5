"""Every action of both addons and every protected field, called over JSON-RPC the way the web
client calls them (``/web/dataset/call_kw``), by each kind of user.

Roles (columns): ``portal`` the customer's portal user, ``salesman`` a salesperson only,
``agent`` an After-Sales User, ``manager`` an After-Sales Administrator, ``outsider`` an After-Sales
Administrator of another company. A cell is ``ok`` (the call works and does what it says) or ``-``
(refused with an AccessError/UserError/ValidationError/MissingError, and nothing changed).

Each cell runs on a record made fresh for it and is rolled back afterwards. A public ``action_*``
method of either addon without a row here fails ``test_every_action_has_a_row``.
"""

import base64
import json

from freezegun import freeze_time

from odoo import models
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.aftersales_warranty.models.aftersales_claim import OPEN_STATES

from .common import AftersalesFeedbackCommon

ROLES = ("portal", "salesman", "agent", "manager", "outsider")
# (role, model, field) a role may write: a manager decides whether a claim's repair is free.
MANAGERS_DECIDE = {("manager", "repair.order", "under_warranty")}
REFUSALS = {
    "odoo.exceptions.AccessError",
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.MissingError",
}

# model, method, fixture, then one cell per role in ROLES' order.
MATRIX = """
aftersales.claim             action_start_diagnosis        claim_new           -  -  ok ok -
aftersales.claim             action_start_repair           claim_diagnosis     -  -  ok ok -
aftersales.claim             action_request_approval       claim_out_diagnosis -  -  ok ok -
aftersales.claim             action_approve                claim_awaiting      -  -  -  ok -
aftersales.claim             action_replace                claim_diagnosis     -  -  ok ok -
aftersales.claim             action_refund                 claim_diagnosis     -  -  ok ok -
aftersales.claim             action_resolve                claim_diagnosis     -  -  ok ok -
aftersales.claim             action_close                  claim_resolved      -  -  ok ok -
aftersales.claim             action_reject                 claim_rejectable    -  -  ok ok -
aftersales.claim             action_cancel                 claim_new           -  -  ok ok -
aftersales.claim             action_reopen                 claim_resolved      -  -  ok ok -
aftersales.claim             action_confirm_customer       claim_unconfirmed   -  -  ok ok -
aftersales.claim             action_grant_goodwill_coupon  claim_resolved      -  -  ok ok -
aftersales.claim             action_view_feedback          claim_new           -  ok ok ok -
aftersales.claim             action_view_pickings          claim_new           -  ok ok ok -
aftersales.claim             action_view_repairs           claim_new           -  ok ok ok -
aftersales.warranty          action_void                   warranty            -  -  -  ok -
aftersales.warranty          action_extend                 warranty            -  ok ok ok -
aftersales.warranty          action_new_claim              warranty            -  -  ok ok -
aftersales.warranty          action_print_certificate      warranty            -  ok ok ok -
aftersales.warranty          action_view_claims            warranty            -  ok ok ok -
aftersales.warranty          action_view_sale_order        warranty            -  ok ok ok -
aftersales.warranty.policy   action_view_warranties        policy              -  ok ok ok ok
aftersales.warranty.lookup   action_lookup                 lookup              -  ok ok ok -
aftersales.warranty.lookup   action_new_claim              lookup              -  -  ok ok -
aftersales.warranty.lookup   action_open_warranty          lookup              -  ok ok ok -
aftersales.feedback.request  action_cancel                 feedback_request    -  -  -  ok -
aftersales.followup          action_log_outcome            followup            -  ok ok ok -
aftersales.followup          action_open_document          followup            -  ok ok ok -
aftersales.followup.outcome  action_confirm                outcome             -  ok ok ok -
aftersales.followup.rule     action_run_now                followup_rule       -  -  -  ok -
aftersales.followup.rule     action_view_followups         followup_rule       -  ok ok ok -
aftersales.occasion          action_send_now               occasion            -  -  -  ok -
crm.lead                     action_aftersales_create_extension renewal_lead   -  ok -  ok -
repair.order                 action_repair_done            repair_under_way    -  -  ok ok -
repair.order                 action_view_aftersales_claim  repair_under_way    -  -  ok ok -
res.partner                  action_view_aftersales_coupons customer           -  ok ok ok ok
res.partner                  action_view_aftersales_feedback customer          -  ok ok ok ok
res.partner                  action_view_claims            customer            -  ok ok ok ok
res.partner                  action_view_warranties        customer            -  ok ok ok ok
sale.order                   action_confirm                quotation           -  ok -  ok -
sale.order                   action_print_warranty_certificate order           -  ok ok ok -
sale.order                   action_view_claims            order               -  ok ok ok -
sale.order                   action_view_warranties        order               -  ok ok ok -
stock.lot                    action_view_claims            lot                 -  ok ok ok -
stock.lot                    action_view_warranties        lot                 -  ok ok ok -
stock.picking                action_create_past_warranties delivery            -  -  -  ok -
aftersales.claim             action_view_aftersales_calls  claim_new           -  -  ok ok -
res.partner                  action_view_aftersales_calls  customer            -  -  ok ok ok
aftersales.call.import       action_import                 call_import         -  -  -  ok ok
res.config.settings          action_aftersales_generate_pbx_token settings     -  -  -  -  -
res.config.settings          action_aftersales_generate_sms_inbound_token settings -  -  -  -  -
aftersales.serial.code.import action_import                code_import         -  -  -  ok ok
aftersales.warranty.lookup   action_register_buyer         lookup              -  -  -  -  -
aftersales.claim             action_plan_visit             claim_new           -  -  ok ok -
aftersales.claim             action_view_visits            claim_new           -  ok ok ok -
aftersales.visit             action_schedule               visit_draft         -  -  ok ok -
aftersales.visit             action_done                   visit_scheduled     -  -  ok ok -
aftersales.visit             action_no_show                visit_scheduled     -  -  ok ok -
aftersales.visit             action_cancel                 visit_scheduled     -  -  ok ok -
aftersales.visit             action_add_parts              visit_scheduled     -  -  ok ok -
aftersales.visit             action_view_claim             visit_scheduled     -  -  ok ok -
aftersales.visit             action_print_report           visit_scheduled     -  -  ok ok -
"""

# What a successful call must have done, by (model, method); the others return a window action or
# True, which is asserted generically.
AFTER = {
    ("aftersales.claim", "action_start_diagnosis"): lambda rec: rec.state == "diagnosis",
    ("aftersales.claim", "action_start_repair"): lambda rec: (
        rec.state == "in_progress" and rec.repair_order_ids
    ),
    ("aftersales.claim", "action_request_approval"): lambda rec: rec.state == "awaiting_approval",
    ("aftersales.claim", "action_approve"): lambda rec: rec.state == "in_progress",
    ("aftersales.claim", "action_replace"): lambda rec: rec.resolution == "replace" and rec.picking_ids,
    ("aftersales.claim", "action_refund"): lambda rec: rec.resolution == "refund",
    ("aftersales.claim", "action_resolve"): lambda rec: rec.state == "resolved",
    ("aftersales.claim", "action_close"): lambda rec: rec.state == "closed",
    ("aftersales.claim", "action_reject"): lambda rec: rec.state == "rejected",
    ("aftersales.claim", "action_cancel"): lambda rec: rec.state == "cancelled",
    ("aftersales.claim", "action_reopen"): lambda rec: rec.state == "diagnosis",
    ("aftersales.claim", "action_confirm_customer"): lambda rec: rec.customer_confirmed,
    ("aftersales.claim", "action_grant_goodwill_coupon"): lambda rec: rec.goodwill_coupon_id,
    ("aftersales.warranty", "action_void"): lambda rec: rec.state == "void",
    ("aftersales.feedback.request", "action_cancel"): lambda rec: rec.state == "cancelled",
    ("repair.order", "action_repair_done"): lambda rec: rec.state == "done",
    ("sale.order", "action_confirm"): lambda rec: rec.state == "sale",
    ("aftersales.call.import", "action_import"): lambda rec: rec.state == "done" and rec.created_count == 1,
    ("aftersales.visit", "action_schedule"): lambda rec: rec.state == "scheduled" and rec.calendar_event_id,
    ("aftersales.visit", "action_done"): lambda rec: rec.state == "done",
    ("aftersales.visit", "action_no_show"): lambda rec: rec.state == "no_show",
    ("aftersales.visit", "action_cancel"): lambda rec: rec.state == "cancelled",
    ("aftersales.visit", "action_add_parts"): lambda rec: rec.repair_order_id,
}


def _parse(text):
    rows = []
    for line in text.strip().splitlines():
        model, method, fixture, *cells = line.split()
        assert len(cells) == len(ROLES) and set(cells) <= {"ok", "-"}, line
        rows.append((model, method, fixture, dict(zip(ROLES, cells, strict=True))))
    return rows


ROWS = _parse(MATRIX)


class Refused(Exception):
    """An RPC call answered with an error: (exception name, message)."""


class _Undo(Exception):
    """Raised to roll a cell back."""


@tagged("post_install", "-at_install")
class TestRpcMatrix(AftersalesFeedbackCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.other_company = env["res.company"].create({"name": "RPC Other Co"})
        cls.users = {
            "portal": new_test_user(
                env,
                login="rpc_portal",
                groups="base.group_portal",
                partner_id=cls.customer.id,
                email=cls.customer.email,
            ),
            "salesman": cls.salesman,
            "agent": cls.agent,
            "manager": cls.manager,
            "outsider": new_test_user(
                env,
                login="rpc_outsider",
                groups="aftersales_warranty.group_aftersales_manager,sales_team.group_sale_salesman",
                company_id=cls.other_company.id,
                company_ids=[cls.other_company.id],
            ),
        }
        cls.logins = {"portal": "rpc_portal", "salesman": "as_salesman", "agent": "as_agent"}
        cls.logins.update(manager="as_manager", outsider="rpc_outsider")
        cls.order.user_id = cls.salesman
        # A record of each model that protected links point to, to try writing them.
        env["aftersales.claim.sla"].create({"name": "RPC SLA", "resolve_hours": 24})
        cls._sell([(cls.product_no_warranty, 1)])  # another order, line and move
        env["crm.lead"].create({"name": "RPC lead"})
        env["account.move"].create({"move_type": "entry"})
        cls.customer.activity_schedule("mail.mail_activity_data_todo", user_id=cls.manager.id)
        env["loyalty.card"].create({"program_id": cls.company.aftersales_goodwill_program_id.id, "points": 1})
        cls.Feedback.create({"partner_id": cls.other_customer.id, "score": 5, "source": "call"})
        cls._add_stock(cls.product_serial, lot_names=["RPC-SPARE-1", "RPC-SPARE-2"])
        # Service visits: any time is working time; a repair order and an event to write into.
        cls.company.resource_calendar_id = False
        env["repair.order"].create({"product_id": cls.product_serial.id, "partner_id": cls.customer.id})
        # The club's tiers, for the customer's tier to be written into.
        cls.company._aftersales_ensure_club()
        env["aftersales.club.tier"].create(
            [
                {"name": "RPC Silver", "min_points": 0, "company_id": cls.company.id},
                {"name": "RPC Platinum", "min_points": 1000, "company_id": cls.company.id},
            ]
        )
        env["calendar.event"].create(
            {"name": "RPC event", "start": "2026-06-03 08:00:00", "stop": "2026-06-03 09:00:00"}
        )

    # ------------------------------------------------------------------
    # Fixtures: a record in the state the row needs, made by the system
    # ------------------------------------------------------------------

    def _fresh_claim(self, **vals):
        Claim = self.env["aftersales.claim"].sudo()
        Claim.search([("lot_id", "=", self.lot.id), ("state", "in", OPEN_STATES)]).write(
            {"state": "cancelled"}
        )
        return Claim.create({"lot_id": self.lot.id, "channel": "phone", **vals})

    def fixture_claim_new(self, user):
        return self._fresh_claim()

    def fixture_claim_diagnosis(self, user):
        claim = self._fresh_claim()
        claim.action_start_diagnosis()
        return claim

    def fixture_claim_out_diagnosis(self, user):
        claim = self._fresh_claim(date_reported="2027-03-01 08:00:00")  # after the warranty's end
        claim.action_start_diagnosis()
        return claim

    def fixture_claim_awaiting(self, user):
        claim = self.fixture_claim_out_diagnosis(user)
        claim.action_request_approval()
        return claim

    def fixture_claim_resolved(self, user):
        claim = self.fixture_claim_diagnosis(user)
        claim.action_resolve()
        return claim

    def fixture_claim_rejectable(self, user):
        return self._fresh_claim(reject_reason="Damaged by a fall.")

    def fixture_claim_unconfirmed(self, user):
        return self._fresh_claim(partner_id=self.customer.id, customer_confirmed=False)

    def fixture_warranty(self, user):
        return self.warranty

    def fixture_policy(self, user):
        return self.policy_12m

    def fixture_lookup(self, user):
        # Wizards belong to the user who opened them.
        return self.env["aftersales.warranty.lookup"].with_user(user).sudo().create({"serial": self.lot.name})

    def fixture_feedback_request(self, user):
        return self.env["aftersales.feedback.request"].create(
            {"partner_id": self.customer.id, "company_id": self.company.id}
        )

    def fixture_followup_rule(self, user):
        return self._rule("detractor")

    def fixture_followup(self, user):
        return self.Followup.create(
            {
                "rule_id": self.fixture_followup_rule(user).id,
                "res_model": "sale.order",
                "res_id": self.order.id,
                "partner_id": self.customer.id,
                "user_id": self.salesman.id,
                "company_id": self.company.id,
            }
        )

    def fixture_outcome(self, user):
        """The dialog as ``user`` opened it; one they cannot open is the manager's."""
        followup = self.fixture_followup(user)
        Outcome = self.env["aftersales.followup.outcome"]
        try:
            with self.env.cr.savepoint():
                return Outcome.with_user(user).create({"followup_id": followup.id, "outcome": "no_answer"})
        except (AccessError, UserError):
            return Outcome.with_user(self.manager).create(
                {"followup_id": followup.id, "outcome": "no_answer"}
            )

    def fixture_occasion_log(self, user):
        return self.env["aftersales.occasion.log"].create(
            {
                "occasion_id": self.fixture_occasion(user).id,
                "partner_id": self.customer.id,
                "year": 2026,
                "company_id": self.company.id,
            }
        )

    def fixture_occasion(self, user):
        return self.env["aftersales.occasion"].create(
            {
                "name": "RPC day",
                "kind": "fixed_date",
                "month": "6",
                "day": 1,
                "channel": "email",
                "mail_template_id": self.env.ref("aftersales_feedback.mail_template_occasion_greeting").id,
                "company_id": self.company.id,
            }
        )

    def fixture_renewal_lead(self, user):
        return self.env["crm.lead"].create(
            {
                "name": "Renewal",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "user_id": self.salesman.id,
                "aftersales_kind": "renewal",
                "aftersales_warranty_id": self.warranty.id,
            }
        )

    def fixture_repair_under_way(self, user):
        claim = self.fixture_claim_diagnosis(user)
        claim.action_start_repair()
        repair = claim.repair_order_ids
        repair.action_repair_start()
        return repair

    def fixture_call(self, user):
        """A missed call with its call-back activity, and a second call (a link to write into)."""
        rows = [
            {
                "src": "02122223333",
                "dst": "1",
                "start": "2026-05-31 09:00:00",
                "disposition": "NO ANSWER",
                "uniqueid": "rpc.1",
            },
            {
                "src": "02122223334",
                "dst": "1",
                "start": "2026-05-31 09:01:00",
                "disposition": "ANSWERED",
                "uniqueid": "rpc.2",
            },
        ]
        _result, calls = self.env["aftersales.call"]._aftersales_intake(self.company, rows, "webhook")
        return calls[0]

    def fixture_code_import(self, user):
        # Wizards belong to the user who opened them.
        return (
            self.env["aftersales.serial.code.import"]
            .with_user(user)
            .sudo()
            .create(
                {
                    "product_id": self.product_serial.id,
                    "company_id": user.company_id.id,
                    "data_file": base64.b64encode(b"RPC-CODE-1,1234\n"),
                }
            )
        )

    def fixture_call_import(self, user):
        # Wizards belong to the user who opened them.
        line = (
            '"","02122223333","1","","","","","","","2026-05-31 09:00:00","","","5","0","NO ANSWER",'
            '"","rpc.import.1",""'
        )
        return (
            self.env["aftersales.call.import"]
            .with_user(user)
            .sudo()
            .create({"file": base64.b64encode(line.encode())})
        )

    def fixture_settings(self, user):
        return self.env["res.config.settings"].create({})

    def fixture_visit_draft(self, user):
        return (
            self.env["aftersales.visit"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "lot_id": self.lot.id,
                    "product_id": self.lot.product_id.id,
                    "technician_id": self.agent.id,
                    "date_start": "2026-06-02 06:30:00",
                    "date_end": "2026-06-02 08:30:00",
                    "no_signature_reason": "Nobody to sign",
                }
            )
            .sudo(False)
        )

    def fixture_visit_scheduled(self, user):
        visit = self.fixture_visit_draft(user)
        visit.sudo().action_schedule()
        return visit

    def fixture_customer(self, user):
        return self.customer

    def fixture_quotation(self, user):
        return self._sell([(self.product_plain, 1)], user=self.salesman, confirm=False)

    def fixture_order(self, user):
        return self.order

    def fixture_lot(self, user):
        return self.lot

    def fixture_delivery(self, user):
        return self.order.picking_ids[:1]

    # ------------------------------------------------------------------

    def _snapshot(self, record):
        """The stored values of ``record`` and the documents a call could have made."""
        record.invalidate_recordset()
        stored = [
            name for name, field in record._fields.items() if field.store and name not in ("write_date",)
        ]
        counts = {
            model: self.env[model].sudo().search_count([])
            for model in (
                "repair.order",
                "stock.picking",
                "loyalty.card",
                "sale.order",
                "aftersales.warranty",
            )
        }
        return record.sudo().read(stored), counts

    def _rpc(self, model, method, args):
        """``model.method(*args)`` through /web/dataset/call_kw, as the web client sends it."""
        params = {"model": model, "method": method, "args": args, "kwargs": {}}
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        payload = response.json()
        if "error" in payload:
            raise Refused(payload["error"]["data"]["name"], payload["error"]["data"]["message"])
        return payload.get("result")

    def _call(self, model, method, record):
        return self._rpc(model, method, [record.ids])

    def _run_cell(self, role, model, method, fixture, expected):
        user = self.users[role]
        try:
            with self.env.cr.savepoint():
                with freeze_time("2026-06-01 08:00:00"):
                    record = getattr(self, f"fixture_{fixture}")(user)
                self.env.flush_all()
                before = self._snapshot(record)
                try:
                    result = self._call(model, method, record)
                except Refused as error:
                    outcome, detail = "-", error.args
                else:
                    outcome, detail = "ok", result
                self.env.invalidate_all()
                if outcome == "ok":
                    check = AFTER.get((model, method))
                    worked = check(record.sudo()) if check else (result is True or isinstance(result, dict))
                    self.assertTrue(
                        worked, f"{role} {model}.{method}: the call did not do its work ({result!r})"
                    )
                else:
                    self.assertIn(
                        detail[0], REFUSALS, f"{role} {model}.{method}: not a clean refusal" + f" {detail}"
                    )
                    self.assertEqual(self._snapshot(record), before, f"{role} {model}.{method}: changed")
                raise _Undo((outcome, detail))
        except _Undo as undo:
            outcome, detail = undo.args[0]
        finally:
            self.env.invalidate_all()
        return outcome, detail

    def test_every_action_has_a_row(self):
        defined = set()
        for name in self.env.registry:
            for klass in type(self.env[name]).__mro__:
                if (getattr(klass, "__module__", "") or "").startswith("odoo.addons.aftersales_"):
                    defined |= {
                        (name, attr)
                        for attr, value in vars(klass).items()
                        if attr.startswith("action_") and callable(value)
                    }
        rows = {(model, method) for model, method, _fixture, _cells in ROWS}
        self.assertEqual(defined - rows, set(), "every action of both addons has a row in MATRIX")
        self.assertEqual(rows - defined, set(), "MATRIX names no action that does not exist")

    def test_matrix(self):
        mismatches = []
        for role in ROLES:
            self.authenticate(self.logins[role], self.logins[role])
            for model, method, fixture, cells in ROWS:
                with self.subTest(role=role, action=f"{model}.{method}"):
                    outcome, detail = self._run_cell(role, model, method, fixture, cells[role])
                    if outcome != cells[role]:
                        mismatches.append(
                            f"{role:9} {model}.{method}: expected {cells[role]}, got {outcome} {detail}"
                        )
        self.assertFalse(mismatches, "\n" + "\n".join(mismatches))

    def fixture_feedback(self, user):
        return self.Feedback.create(
            {"partner_id": self.customer.id, "score": 2, "source": "call", "company_id": self.company.id}
        )

    def test_protected_fields(self):
        """A write of each protected field, by every role, is refused and changes nothing."""
        fixtures = {
            "aftersales.claim": self.fixture_claim_diagnosis,
            "aftersales.warranty": self.fixture_warranty,
            "aftersales.feedback": self.fixture_feedback,
            "aftersales.feedback.request": self.fixture_feedback_request,
            "aftersales.followup": self.fixture_followup,
            "aftersales.followup.rule": self.fixture_followup_rule,
            "aftersales.occasion": self.fixture_occasion,
            "aftersales.occasion.log": self.fixture_occasion_log,
            "aftersales.followup.outcome": self.fixture_outcome,
            "aftersales.call": self.fixture_call,
            "aftersales.call.import": self.fixture_call_import,
            "aftersales.visit": self.fixture_visit_scheduled,
            "res.partner": self.fixture_customer,
            "crm.lead": self.fixture_renewal_lead,
            "repair.order": self.fixture_repair_under_way,
        }
        protected = self._protected_fields()
        self.assertLessEqual(set(protected), set(fixtures), "every model with protected fields is tested")
        for role in ROLES:
            self.authenticate(self.logins[role], self.logins[role])
            for model, names in protected.items():
                for name in names:
                    if (role, model, name) in MANAGERS_DECIDE:
                        continue
                    with self.subTest(role=role, field=f"{model}.{name}"):
                        self._check_protected_write(role, model, name, fixtures[model])

    def _protected_fields(self):
        """{model: sorted protected fields} of every model of the registry that has some."""
        protected = {}
        for model in self.env.registry:
            Model = self.env[model]
            if Model._abstract or not hasattr(Model, "_aftersales_protected_fields"):
                continue
            names = sorted(Model._aftersales_protected_fields())
            if names:
                protected[model] = names
        return protected

    def _other_value(self, record, name):
        """A valid value of field ``name`` that differs from ``record``'s."""
        field = record._fields[name]
        current = record[name]
        if field.type == "selection":
            return next(key for key, _label in field._description_selection(self.env) if key != current)
        if field.type == "boolean":
            return not current
        if field.type == "date":
            return "2030-01-01"
        if field.type == "datetime":
            return "2030-01-01 10:00:00"
        if field.type in ("char", "text"):
            return "Changed"
        if field.type in ("float", "integer", "many2one_reference"):
            return (current or 0) + 2
        if field.type in ("many2one", "many2many", "one2many"):
            other = self.env[field.comodel_name].sudo().search([("id", "not in", current.ids)], limit=1)
            other = other or current.sudo()[:1].copy()  # the only one of its kind: a twin
            self.assertTrue(other, f"setUpClass makes a {field.comodel_name} to write into {field}")
            return other.id if field.type == "many2one" else [(4, other.id)]
        raise AssertionError(f"no sample value for {field}")

    def _check_protected_write(self, role, model, name, fixture):
        savepoint = self.env.cr.savepoint()  # whatever happens, rolled back
        try:
            with freeze_time("2026-06-01 08:00:00"):
                record = fixture(self.users[role])
            self.env.flush_all()
            value = self._other_value(record, name)
            before = self._snapshot(record)
            with self.assertRaises(Refused, msg=f"{role} wrote {model}.{name}") as refused:
                self._rpc(model, "write", [record.ids, {name: value}])
            self.assertIn(refused.exception.args[0], REFUSALS, refused.exception.args)
            self.env.invalidate_all()
            self.assertEqual(self._snapshot(record), before)
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Issue 27, item 1: the same fields through nested x2many commands and neighbouring creates
    # ------------------------------------------------------------------

    # Parents that hold guarded records in an x2many, with the values a role may create one with.
    PARENT_CREATE = {
        "aftersales.claim": lambda self: {"lot_id": self.lot.id, "channel": "phone"},
        "res.partner": lambda self: {"name": "RPC Nested Parent"},
    }

    def _parents(self, fixtures):
        """(parent model, x2many field, child model) of every stored, plain x2many of the registry
        whose child is a model with protected fields and whose parent has a fixture."""
        protected = self._protected_fields()
        pairs = []
        for model in self.env.registry:
            Model = self.env[model]
            if model not in fixtures or Model._abstract or Model._transient:
                continue
            for name, field in Model._fields.items():
                if (
                    field.type in ("one2many", "many2many")
                    and field.store
                    and not field.compute
                    and not field.related
                    and field.comodel_name in protected
                    and field.comodel_name in fixtures
                ):
                    pairs.append((model, name, field.comodel_name))
        return pairs

    def _create_vals(self, record, name, value):
        """The values of a new record like ``record`` (its required fields) with ``name`` set."""
        vals = {}
        protected = record._aftersales_protected_fields()
        for fname, field in record._fields.items():
            if field.required and field.store and not field.compute and fname not in protected:
                if fname not in models.MAGIC_COLUMNS:
                    written = field.convert_to_write(record.sudo()[fname], record)
                    if field.type in ("date", "datetime"):
                        written = field.to_string(written)  # as JSON carries it
                    vals[fname] = written
        vals[name] = value
        return vals

    def test_nested_commands(self):
        """Each protected field, nested in an x2many command ([1, id, ...] and [0, 0, ...]) of a write
        and of a create of every model that holds it, is refused for every role and changes nothing."""
        fixtures = {
            "aftersales.claim": self.fixture_claim_diagnosis,
            "aftersales.warranty": self.fixture_warranty,
            "aftersales.feedback": self.fixture_feedback,
            "aftersales.followup": self.fixture_followup,
            "aftersales.followup.rule": self.fixture_followup_rule,
            "aftersales.occasion": self.fixture_occasion,
            "aftersales.occasion.log": self.fixture_occasion_log,
            "aftersales.visit": self.fixture_visit_scheduled,
            "res.partner": self.fixture_customer,
            "crm.lead": self.fixture_renewal_lead,
            "repair.order": self.fixture_repair_under_way,
            "stock.lot": self.fixture_lot,
            "sale.order": self.fixture_order,
        }
        parents = self._parents(fixtures)
        self.assertIn(("aftersales.claim", "visit_ids", "aftersales.visit"), parents)
        self.assertIn(("res.partner", "child_ids", "res.partner"), parents)
        protected = self._protected_fields()
        checked = 0
        for role in ("salesman", "agent", "manager"):
            self.authenticate(self.logins[role], self.logins[role])
            for parent_model, x2many, model in parents:
                for name in protected[model]:
                    if (role, model, name) in MANAGERS_DECIDE:
                        continue
                    with self.subTest(role=role, via=f"{parent_model}.{x2many}", field=f"{model}.{name}"):
                        self._check_nested(role, fixtures, parent_model, x2many, model, name)
                        checked += 1
        self.assertGreater(checked, 100)

    def _check_nested(self, role, fixtures, parent_model, x2many, model, name):
        user = self.users[role]
        savepoint = self.env.cr.savepoint()  # whatever happens, rolled back
        try:
            with freeze_time("2026-06-01 08:00:00"):
                child = fixtures[model](user)
                parent = fixtures[parent_model](user)
                if parent == child:  # a contact inside itself: another contact holds it
                    parent = self.other_customer
            self.env.flush_all()
            value = self._other_value(child, name)
            before = self._snapshot(child)
            count = self.env[model].sudo().with_context(active_test=False).search_count([])
            update = [[1, child.id, {name: value}]]
            create = [[0, 0, self._create_vals(child, name, self._non_default_value(child, name, value))]]
            attempts = [("write", [parent.ids, {x2many: update}]), ("write", [parent.ids, {x2many: create}])]
            if parent_model in self.PARENT_CREATE:
                vals = self.PARENT_CREATE[parent_model](self)
                attempts += [("create", [{**vals, x2many: update}]), ("create", [{**vals, x2many: create}])]
            for method, args in attempts:
                commands = args[-1][x2many] if method == "write" else args[0][x2many]
                if role == "manager" and model == "aftersales.warranty" and commands[0][0] == 0:
                    continue  # a manager records a legacy warranty by hand, with its dates
                if (parent_model, x2many) == ("aftersales.claim", "repair_order_ids") and commands[0][0] == 0:
                    continue  # a claim's new repair is as covered as the claim (test_neighbour_creates)
                message = f"{role} {method} {parent_model}.{x2many} {name}"
                with self.assertRaises(Refused, msg=message) as refused:
                    self._rpc(parent_model, method, args)
                self.assertIn(refused.exception.args[0], REFUSALS, refused.exception.args)
                self.env.invalidate_all()
                self.assertEqual(self._snapshot(child), before, f"{role} {method} changed {model}.{name}")
                self.assertEqual(
                    self.env[model].sudo().with_context(active_test=False).search_count([]),
                    count,
                    f"{role} {method} created a {model} with {name}",
                )
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def _non_default_value(self, record, name, value):
        """``value``, or another valid one when it is the field's default (which a create may send)."""
        field = record._fields[name]
        default = record.default_get([name]).get(name)
        if field.type == "selection" and value == default:
            keys = [key for key, _label in field._description_selection(self.env)]
            return next(key for key in keys if key not in (value, record[name]))
        return value

    def test_neighbour_creates(self):
        """Records that point at a guarded one, created over RPC: a free repair of a paid claim, club
        points and their ledger, a customer in a tier."""
        claim = self.fixture_claim_awaiting(self.agent)
        club_card = self.env["res.partner"]._aftersales_club_enrol([(self.customer, self.company)])[
            (self.customer.id, self.company.id)
        ]
        platinum = self.env["aftersales.club.tier"].search([("name", "=", "RPC Platinum")])
        self.env.flush_all()
        attempts = {
            "agent": [
                (
                    "repair.order",
                    {
                        "product_id": self.product_serial.id,
                        "partner_id": self.customer.id,
                        "aftersales_claim_id": claim.id,
                        "under_warranty": True,
                    },
                ),
            ],
            "salesman": [
                (
                    "loyalty.card",
                    {
                        "program_id": club_card.program_id.id,
                        "partner_id": self.other_customer.id,
                        "points": 99999,
                    },
                ),
                ("loyalty.history", {"card_id": club_card.id, "issued": 99999, "description": "Forged"}),
                ("res.partner", {"name": "RPC VIP", "aftersales_club_tier_id": platinum.id}),
                (
                    "res.partner",
                    {
                        "name": "RPC VIP Co",
                        "child_ids": [[0, 0, {"name": "VIP", "aftersales_club_tier_id": platinum.id}]],
                    },
                ),
            ],
        }
        for role, creates in attempts.items():
            self.authenticate(self.logins[role], self.logins[role])
            for model, vals in creates:
                with self.subTest(role=role, model=model, vals=vals):
                    count = self.env[model].sudo().search_count([])
                    with self.assertRaises(Refused) as refused:
                        self._rpc(model, "create", [vals])
                    self.assertIn(refused.exception.args[0], REFUSALS, refused.exception.args)
                    self.assertEqual(self.env[model].sudo().search_count([]), count)
        self.env.invalidate_all()
        self.assertEqual(len(claim.repair_order_ids), 1)
        self.assertFalse(claim.repair_order_ids.under_warranty)

    def test_mail_gateway_over_rpc(self):
        """Issue 27, item 15: the mail gateway files claims for the mail server and after-sales users;
        a salesperson calling it over RPC files nothing."""
        email = (
            "From: Customer <rpc-gateway@example.com>\nTo: claims@example.com\nSubject: Broken\n"
            "Message-Id: <rpc-gateway-{role}@example.com>\n\nIt stopped working.\n"
        )
        count = self.env["aftersales.claim"].sudo().search_count([])
        self.authenticate("as_salesman", "as_salesman")
        with self.assertRaises(Refused) as refused:
            self._rpc(
                "mail.thread",
                "message_process",
                ["aftersales.claim", email.format(role="salesman"), {"priority": "3"}],
            )
        self.assertEqual(refused.exception.args[0], "odoo.exceptions.AccessError")
        self.assertEqual(self.env["aftersales.claim"].sudo().search_count([]), count)
        self.authenticate("as_agent", "as_agent")
        claim_id = self._rpc(
            "mail.thread", "message_process", ["aftersales.claim", email.format(role="agent")]
        )
        self.assertEqual(self.env["aftersales.claim"].sudo().browse(claim_id).channel, "email")
