"""The access matrix of both addons: six kinds of users x every model x read/write/create/unlink,
then the portal routes opened with foreign ids and tokens.

Complements, without repeating their business details:
- ``aftersales_warranty/tests/test_warranty_access.py``: a salesperson cannot void a warranty, a
  manager cannot delete a live one, the storekeeper's serial form;
- ``aftersales_warranty/tests/test_claim_access.py``: a salesperson's ``web_read`` of a claim, the
  agent's transitions, the manager deletes claims in 'New' only, the other company's own claims;
- ``aftersales_warranty/tests/test_claim_portal.py``: the portal lists, the share token, the report
  form's bad input;
- ``aftersales_feedback/tests/test_feedback_survey.py``: anonymous wrong and used survey tokens.
Here every cell of the policy is asserted, on a record of company 1 belonging to customer A; the
routes below add what those files leave out: certificates through the generic report routes, the
token of one record used on another, the claim form posted with somebody else's token.
"""

import base64
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields, http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.aftersales_warranty.tests.common import AftersalesWarrantyCommon

USERS = ("portal_a", "portal_b", "salesman", "agent", "manager", "outsider")
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

# The policy at a glance. One row per model defined by the two addons, one column per user:
#   portal_a   portal user of customer A, the owner of the records
#   portal_b   portal user of customer B, another commercial entity of the same company
#   salesman   sales_team.group_sale_salesman only
#   agent      aftersales_warranty.group_aftersales_user only
#   manager    aftersales_warranty.group_aftersales_manager only
#   outsider   After-Sales Manager of another company (company 1's records are invisible to it)
# Letters: r read (searched and read), w write, c create (in company 1, for customer A), u unlink;
# "-" every operation raises AccessError and a search does not find the record.
# Notes:
# - aftersales.followup: the salesperson's rights are on the follow-ups assigned to them (the record
#   here is assigned to the salesperson); agents and managers see them all.
# - aftersales.warranty.lookup: a scratch record that holds a typed serial and has no company;
#   what it finds follows the reader's companies (see test_lookup_follows_the_companies).
# - aftersales.followup.outcome: the call-outcome dialog of a follow-up, scoped by its follow-up's
#   company (issue 5: the outsider could open one on company 1's follow-ups and read the customer
#   and phone through its related fields; a multi-company rule now closes it).
# - Transient records are never unlinked by users: the vacuum cleans them.
# - aftersales.call.import: the Master.csv a manager uploads is theirs alone (the record here is the
#   manager's); it imports into the importer's current company.
# - aftersales.warranty: every stored field is derived (from the delivery, the policy, extensions):
#   agents read warranties and work them through their buttons, with no write right (issue 26/27).
# - aftersales.call: agents read their company's calls, managers manage them; the exchange's own values
#   (source, uniqueid, call-back links) are protected (test_rpc_matrix.test_protected_fields).
# - aftersales.kpi.report, aftersales.churn.risk, aftersales.repeat.claim are SQL views: read only.
# - aftersales.kpi.report, aftersales.churn.risk, aftersales.repeat.claim, aftersales.quality.report
#   are SQL views: read only.
# - There is no abstract model in the two addons; the standard models they extend (sale.order,
#   stock.lot, repair.order, res.partner, ...) keep the policy of their own modules, apart from the
#   read and work rights the addons grant their groups (asserted in test_rights_granted_on_standard_models).
MATRIX = """
model                          portal_a  portal_b  salesman  agent  manager  outsider
aftersales.warranty            r         -         r         r      rwcu     -
aftersales.warranty.policy     r         r         r         r      rwcu     -
aftersales.warranty.lookup     -         -         rwc       rwc    rwc      rwc
aftersales.claim               r         -         r         rwc    rwcu     -
aftersales.claim.sla           -         -         -         r      rwcu     -
aftersales.feedback            r         -         r         rwc    rwcu     -
aftersales.feedback.request    -         -         -         r      rwcu     -
aftersales.followup.rule       -         -         r         r      rwcu     -
aftersales.followup            -         -         rw        rw     rwu      -
aftersales.followup.outcome    -         -         rwc       rwc    rwc      -
aftersales.occasion            -         -         -         r      rwcu     -
aftersales.occasion.log        -         -         -         r      rwcu     -
aftersales.kpi.report          -         -         -         r      r        -
aftersales.churn.risk          -         -         -         r      r        -
aftersales.repeat.claim        -         -         -         r      r        -
aftersales.club.tier           -         -         r         r      rwcu     -
aftersales.club.rule           -         -         -         r      rwcu     -
aftersales.club.report         -         -         -         r      r        -
aftersales.call                -         -         -         r      rwcu     -
aftersales.call.import         -         -         -         -      rwc      c
aftersales.call.report         -         -         -         r      r        -
aftersales.failure.code        -         -         r         r      rwcu     -
aftersales.quality.report      -         -         -         r      r        -
aftersales.visit               r         -         -         rwc    rwcu     -
aftersales.registration        -         -         -         r      r        -
aftersales.serial.check        -         -         -         r      r        -
aftersales.serial.code.import  -         -         -         -      rwc      c
aftersales.sms.inbound         -         -         -         r      r        -
"""


def _parse_matrix(text):
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert tuple(header) == USERS, header
    for row in rows:
        assert all(cell == "-" or set(cell) <= set(OPERATIONS) for cell in row[1:]), row
    return {
        row[0]: {
            user: {op for letter, op in OPERATIONS.items() if letter in cell}
            for user, cell in zip(header, row[1:], strict=True)
        }
        for row in rows
    }


EXPECTED = _parse_matrix(MATRIX)


class _RolledBack(Exception):
    """Raised inside a savepoint to undo an operation that worked."""


@tagged("post_install", "-at_install")
class TestAccessMatrix(AftersalesWarrantyCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_1 = cls.company
        cls.company_2 = env["res.company"].create({"name": "Matrix Other Co"})
        cls.users = {
            "portal_a": new_test_user(
                env, login="am_portal_a", groups="base.group_portal", name="Customer A"
            ),
            "portal_b": new_test_user(
                env, login="am_portal_b", groups="base.group_portal", name="Customer B"
            ),
            "salesman": cls.salesman,  # sales_team.group_sale_salesman only (common.py)
            "agent": new_test_user(
                env, login="am_agent", groups="aftersales_warranty.group_aftersales_user", name="Agent"
            ),
            "manager": new_test_user(
                env, login="am_manager", groups="aftersales_warranty.group_aftersales_manager", name="Manager"
            ),
            "outsider": new_test_user(
                env,
                login="am_outsider",
                groups="aftersales_warranty.group_aftersales_manager",
                name="Outsider",
                company_id=cls.company_2.id,
                company_ids=[cls.company_2.id],
            ),
        }
        cls.partner_a = cls.users["portal_a"].partner_id
        cls.partner_b = cls.users["portal_b"].partner_id
        cls._add_stock(cls.product_serial, lot_names=["MX-1", "MX-2"])
        # Customer A bought 200 days ago (no order since: the churn report lists A once unhappy).
        with freeze_time(fields.Datetime.now() - timedelta(days=200)):
            cls.order_a = cls._sell([(cls.product_serial, 1)], partner=cls.partner_a)
            cls._deliver(cls.order_a)
        cls.order_b = cls._sell([(cls.product_serial, 1)], partner=cls.partner_b)
        cls._deliver(cls.order_b)
        cls.warranty_a, cls.warranty_b = cls.order_a.warranty_ids, cls.order_b.warranty_ids
        cls.lot_a, cls.lot_b = cls.warranty_a.lot_id, cls.warranty_b.lot_id
        Claim = env["aftersales.claim"]
        claim_vals = {"lot_id": cls.lot_a.id, "partner_id": cls.partner_a.id, "channel": "phone"}
        # An earlier, closed claim on the unit (one open claim per unit): a row of the repeat-claim report.
        Claim.create(claim_vals).write({"state": "closed"})
        cls.claim_a = Claim.create(claim_vals)
        cls.claim_b = Claim.create({**claim_vals, "lot_id": cls.lot_b.id, "partner_id": cls.partner_b.id})
        # Live warranties cannot be deleted (a business rule, not access): a pending one can.
        cls.pending_warranty_a = env["aftersales.warranty"].create(
            {
                "product_id": cls.product_plain.id,
                "partner_id": cls.partner_a.id,
                "policy_id": cls.policy_12m.id,
            }
        )
        cls.policy_c1 = env["aftersales.warranty.policy"].create(
            {"name": "Company 1 only", "duration": 24, "company_id": cls.company_1.id}
        )
        cls.sla = env["aftersales.claim.sla"].create({"name": "Matrix SLA", "resolve_hours": 48})
        cls.feedback_a = env["aftersales.feedback"].create(
            {"partner_id": cls.partner_a.id, "score": 1, "source": "call", "company_id": cls.company_1.id}
        )
        Request = env["aftersales.feedback.request"]
        cls.request_a = Request.create(
            {"partner_id": cls.partner_a.id, "claim_id": cls.claim_a.id, "company_id": cls.company_1.id}
        )
        cls.request_done = Request.create(
            {"partner_id": cls.partner_a.id, "company_id": cls.company_1.id, "state": "done"}
        )
        cls.rule = env["aftersales.followup.rule"].create(
            {
                "name": "Matrix rule",
                "trigger": "detractor",
                "delay_days": 0,
                "date_from": "2025-01-01",
                "company_id": cls.company_1.id,
                "active": False,  # out of the way of any cron
            }
        )
        cls.followup_vals = {
            "rule_id": cls.rule.id,
            "res_model": "sale.order",
            "res_id": cls.order_a.id,
            "partner_id": cls.partner_a.id,
            "user_id": cls.salesman.id,
            "company_id": cls.company_1.id,
        }
        cls.followup = env["aftersales.followup"].create(cls.followup_vals)
        template = env.ref("aftersales_feedback.mail_template_occasion_greeting")
        cls.occasion_vals = {
            "name": "Matrix day",
            "kind": "fixed_date",
            "month": "3",
            "day": 3,
            "channel": "email",
            "mail_template_id": template.id,
            "company_id": cls.company_1.id,
            "active": False,
        }
        cls.occasion = env["aftersales.occasion"].create(cls.occasion_vals)
        cls.occasion_log = env["aftersales.occasion.log"].create(
            {
                "occasion_id": cls.occasion.id,
                "partner_id": cls.partner_a.id,
                "year": 2026,
                "company_id": cls.company_1.id,
            }
        )
        cls.lookup = env["aftersales.warranty.lookup"].create({"serial": cls.lot_a.name})
        cls.call_a = env["aftersales.call"].create(
            {"partner_id": cls.partner_a.id, "company_id": cls.company_1.id}
        )
        cls.call_import = (
            env["aftersales.call.import"]
            .with_user(cls.users["manager"])
            .create({"file": base64.b64encode(b"x")})
        )
        cls.outcome = env["aftersales.followup.outcome"].create(
            {"followup_id": cls.followup.id, "outcome": "no_answer"}
        )
        # The customer club: customer A is a member (a tier, a rule and a member row of the KPIs).
        cls.company_1._aftersales_ensure_club()
        env["res.partner"]._aftersales_club_enrol([(cls.partner_a, cls.company_1)])
        cls.club_tier = env["aftersales.club.tier"].create(
            {"name": "Matrix tier", "company_id": cls.company_1.id}
        )
        cls.club_rule = env["aftersales.club.rule"].create(
            {"event": "feedback", "points": 10, "company_id": cls.company_1.id, "active": False}
        )
        # A scheduled visit to customer A (the portal sees planned visits, not drafts), and a draft
        # (only drafts are deleted). Any time is working time here.
        cls.company_1.resource_calendar_id = False
        cls.visit_a, cls.visit_draft_a = env["aftersales.visit"].create(
            [
                {
                    "partner_id": cls.partner_a.id,
                    "technician_id": env.user.id,
                    "date_start": "2026-06-02 06:30:00",
                    "date_end": "2026-06-02 08:30:00",
                    "company_id": cls.company_1.id,
                },
                {"partner_id": cls.partner_a.id, "company_id": cls.company_1.id},
            ]
        )
        cls.visit_a.action_schedule()
        env.flush_all()
        reports = {
            "aftersales.kpi.report": [("claim_id", "=", cls.claim_a.id), ("kind", "=", "claim_opened")],
            "aftersales.churn.risk": [
                ("partner_id", "=", cls.partner_a.id),
                ("company_id", "=", cls.company_1.id),
            ],
            "aftersales.repeat.claim": [("lot_id", "=", cls.lot_a.id)],
            "aftersales.club.report": [("partner_id", "=", cls.partner_a.id), ("kind", "=", "member")],
            "aftersales.call.report": [("id", "=", cls.call_a.id)],
            "aftersales.quality.report": [
                ("product_id", "=", cls.warranty_a.product_id.id),
                ("company_id", "=", cls.company_1.id),
                ("date_delivered", "=", cls.warranty_a.date_start),
                ("months_in_service", "=", False),
            ],
        }
        cls.records = {model: env[model].search(domain) for model, domain in reports.items()}
        cls.records.update(
            {
                "aftersales.warranty": cls.warranty_a,
                "aftersales.warranty.policy": cls.policy_c1,
                "aftersales.warranty.lookup": cls.lookup,
                "aftersales.claim": cls.claim_a,
                "aftersales.claim.sla": cls.sla,
                "aftersales.feedback": cls.feedback_a,
                "aftersales.feedback.request": cls.request_a,
                "aftersales.followup.rule": cls.rule,
                "aftersales.followup": cls.followup,
                "aftersales.followup.outcome": cls.outcome,
                "aftersales.occasion": cls.occasion,
                "aftersales.occasion.log": cls.occasion_log,
                "aftersales.club.tier": cls.club_tier,
                "aftersales.club.rule": cls.club_rule,
                "aftersales.call": cls.call_a,
                "aftersales.call.import": cls.call_import,
                "aftersales.failure.code": env["aftersales.failure.code"].create(
                    {"code": "MX-C1", "name": "Matrix cause", "kind": "cause", "company_id": cls.company_1.id}
                ),
                "aftersales.visit": cls.visit_a,
                # Logs of the registration by buyers: written by the system only (issue 28).
                "aftersales.registration": env["aftersales.registration"]._aftersales_attempt(
                    cls.company_1, "MX-UNKNOWN", "web", phone="+989120000099"
                ),
                "aftersales.serial.check": env["aftersales.serial.check"].create(
                    {"serial": "MX-1", "result": "unknown", "channel": "web", "company_id": cls.company_1.id}
                ),
                "aftersales.serial.code.import": env["aftersales.serial.code.import"]
                .with_user(cls.users["manager"])
                .create({"product_id": cls.product_serial.id, "data_file": base64.b64encode(b"x")}),
                "aftersales.sms.inbound": env["aftersales.sms.inbound"].create(
                    {"messageid": "mx-1", "company_id": cls.company_1.id}
                ),
            }
        )
        cls.deletable = {"aftersales.warranty": cls.pending_warranty_a, "aftersales.visit": cls.visit_draft_a}
        company = {"company_id": cls.company_1.id}
        cls.write_vals = {
            "aftersales.warranty": {"quantity": 1.0},
            "aftersales.warranty.policy": {"duration": 36},
            "aftersales.warranty.lookup": {"serial": cls.lot_a.name},
            "aftersales.claim": {"priority": "2"},
            "aftersales.claim.sla": {"resolve_hours": 24},
            "aftersales.feedback": {"comment": "Edited"},
            "aftersales.feedback.request": {"partner_id": cls.partner_a.id},
            "aftersales.followup.rule": {"sequence": 5},
            "aftersales.followup": {"note": "Called twice"},
            "aftersales.followup.outcome": {"comment": "Busy"},
            "aftersales.occasion": {"sequence": 5},
            "aftersales.occasion.log": {"year": 2027},
            "aftersales.kpi.report": {"kind": "feedback"},
            "aftersales.churn.risk": {"reason": "both"},
            "aftersales.repeat.claim": {"claim_count": 9},
            "aftersales.club.tier": {"sequence": 5},
            "aftersales.club.rule": {"points": 15},
            "aftersales.club.report": {"kind": "member"},
            "aftersales.call": {"note": "Asked about the repair"},
            "aftersales.call.import": {"filename": "Master.csv"},
            "aftersales.call.report": {"calls_in": 3},
            "aftersales.failure.code": {"name": "Renamed cause"},
            "aftersales.quality.report": {"claim_count": 9},
            "aftersales.visit": {"report": "<p>Checked</p>"},
            "aftersales.registration": {"reason": "locked"},
            "aftersales.serial.check": {"result": "registered"},
            "aftersales.serial.code.import": {"filename": "codes.csv"},
            "aftersales.sms.inbound": {"reply": "Edited"},
        }
        cls.create_vals = {
            "aftersales.warranty": {
                "product_id": cls.product_plain.id,
                "partner_id": cls.partner_a.id,
                "policy_id": cls.policy_12m.id,
                **company,
            },
            "aftersales.warranty.policy": {"name": "New policy", "duration": 6, **company},
            "aftersales.warranty.lookup": {"serial": cls.lot_a.name},
            # Without a serial: MX-1 has its open claim already (one open claim per unit).
            "aftersales.claim": {"partner_id": cls.partner_a.id, "channel": "phone", **company},
            "aftersales.claim.sla": {"name": "New SLA", "resolve_hours": 8, **company},
            "aftersales.feedback": {"partner_id": cls.partner_a.id, "score": 5, "source": "call", **company},
            "aftersales.feedback.request": {"partner_id": cls.partner_a.id, **company},
            "aftersales.followup.rule": {
                "name": "New rule",
                "trigger": "promoter",
                "date_from": "2025-01-01",
                "active": False,
                **company,
            },
            "aftersales.followup": {
                **cls.followup_vals,
                "res_model": "aftersales.claim",
                "res_id": cls.claim_a.id,
            },
            "aftersales.followup.outcome": {"followup_id": cls.followup.id, "outcome": "no_answer"},
            "aftersales.occasion": {**cls.occasion_vals, "name": "New occasion", "month": "4"},
            "aftersales.occasion.log": {
                "occasion_id": cls.occasion.id,
                "partner_id": cls.partner_a.id,
                "year": 2025,
                **company,
            },
            "aftersales.kpi.report": {"kind": "feedback", **company},
            "aftersales.churn.risk": {"reason": "both", **company},
            "aftersales.repeat.claim": {"claim_count": 2, **company},
            "aftersales.club.tier": {"name": "New tier", "min_points": 10, **company},
            "aftersales.club.rule": {"event": "birthday", "points": 5, "active": False, **company},
            "aftersales.club.report": {"kind": "member", **company},
            "aftersales.call": {"partner_id": cls.partner_a.id, "caller_number": "+989123456789", **company},
            "aftersales.call.import": {"file": base64.b64encode(b"x")},
            "aftersales.call.report": {"calls_in": 1, **company},
            "aftersales.failure.code": {"code": "MX-C2", "name": "New cause", "kind": "cause", **company},
            "aftersales.quality.report": {"claim_count": 1, **company},
            "aftersales.visit": {"partner_id": cls.partner_a.id, "kind": "install", **company},
            "aftersales.registration": {"channel": "web", "state": "refused", **company},
            "aftersales.serial.check": {"result": "unknown", "channel": "web", **company},
            "aftersales.serial.code.import": {
                "product_id": cls.product_serial.id,
                "data_file": base64.b64encode(b"x"),
            },
            "aftersales.sms.inbound": {"messageid": "mx-2", **company},
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _allowed(self, action):
        """Run ``action`` in a savepoint that is always rolled back: True when it worked, False on
        AccessError; any other error fails the test."""
        try:
            with self.env.cr.savepoint():
                action()
                self.env.flush_all()
                raise _RolledBack
        except _RolledBack:
            return True
        except AccessError:
            return False
        finally:
            self.env.invalidate_all()

    def _can_read(self, record, user):
        as_user = record.with_user(user)
        try:
            found = as_user.with_context(active_test=False).search([("id", "=", record.id)])
        except AccessError:
            found = None
        readable = self._allowed(lambda: as_user.read(["display_name"]))
        visible = found == record
        self.assertEqual(visible, readable, "a record is found by search if and only if it can be read")
        return readable

    def _check_cell(self, model, user_key, operation):
        user = self.users[user_key]
        record = self.records[model]
        if operation == "read":
            return self._can_read(record, user)
        if operation == "write":
            return self._allowed(lambda: record.with_user(user).write(self.write_vals[model]))
        if operation == "create":
            return self._allowed(lambda: self.env[model].with_user(user).create(self.create_vals[model]))
        deletable = self.deletable.get(model, record)
        return self._allowed(lambda: deletable.with_user(user).unlink())

    # ------------------------------------------------------------------
    # Models
    # ------------------------------------------------------------------

    def test_matrix_lists_every_model_of_both_addons(self):
        """A new model must get a row: the matrix is the policy, nothing is left unsaid."""
        ours = {"aftersales_warranty", "aftersales_feedback"}
        models = self.env["ir.model"].search([("model", "in", list(self.env.registry))])
        defined = {
            model.model
            for model in models
            if self.env[model.model]._original_module in ours and not self.env[model.model]._abstract
        }
        self.assertEqual(set(EXPECTED), defined)
        for model in EXPECTED:
            self.assertTrue(self.records[model], f"{model}: the fixture has a record of company 1")
            self.assertEqual(set(EXPECTED[model]), set(USERS), model)

    def test_access_matrix(self):
        for model, row in EXPECTED.items():
            for user_key in USERS:
                for operation in OPERATIONS.values():
                    with self.subTest(model=model, user=user_key, operation=operation):
                        expected = operation in row[user_key]
                        self.assertEqual(
                            self._check_cell(model, user_key, operation),
                            expected,
                            f"{user_key} should {'' if expected else 'not '}{operation} {model}",
                        )

    def test_lookup_follows_the_companies(self):
        """The look-up wizard finds a serial only in the user's companies."""
        for user_key, found in (("salesman", True), ("agent", True), ("outsider", False)):
            with self.subTest(user=user_key):
                lookup = self.env["aftersales.warranty.lookup"].with_user(self.users[user_key])
                wizard = lookup.create({"serial": self.lot_a.name})
                self.assertEqual(
                    wizard.warranty_id, self.warranty_a if found else self.env["aftersales.warranty"]
                )
                self.assertEqual(bool(wizard.message), not found)

    def test_rights_granted_on_standard_models(self):
        """What the addons grant their groups on standard models (other modules may grant more)."""
        granted = {
            "stock.lot": {"salesman": "r", "agent": "r"},
            "sale.order": {"agent": "r"},
            "sale.order.line": {"agent": "r"},
            "repair.order": {"agent": "rwc"},
            "stock.picking": {"agent": "rwc"},
            "stock.move": {"agent": "rwc"},
            "loyalty.card": {"agent": "r"},
            "loyalty.program": {"agent": "r"},
        }
        for model, users in granted.items():
            for user_key, letters in users.items():
                for letter in letters:
                    with self.subTest(model=model, user=user_key, operation=OPERATIONS[letter]):
                        self.assertTrue(
                            self.env[model].with_user(self.users[user_key]).has_access(OPERATIONS[letter])
                        )
        # Agents read every order of their company, not only their own; never another company's.
        Order = self.env["sale.order"]
        self.assertEqual(
            Order.with_user(self.users["agent"]).search([("id", "in", (self.order_a | self.order_b).ids)]),
            self.order_a | self.order_b,
        )
        self.assertFalse(
            Order.with_user(self.users["outsider"]).search([("id", "in", (self.order_a | self.order_b).ids)])
        )

    # ------------------------------------------------------------------
    # Portal routes
    # ------------------------------------------------------------------

    def _assert_denied(self, response, label):
        """403 or 404 without any of B's data: never a 500, never a traceback."""
        self.assertIn(response.status_code, (403, 404), label)
        self.assertNotIn("Traceback", response.text, label)
        for secret in (self.lot_b.name, self.warranty_b.name, self.claim_b.name, self.partner_b.name):
            self.assertNotIn(secret, response.text, f"{label}: shows {secret}")

    def test_portal_routes_with_foreign_ids_and_tokens(self):
        """Customer A, logged in, tries B's records by URL: with B's ids, with its own tokens on B's
        records, with B's share token where only the owner may act."""
        self.warranty_a._portal_ensure_token()
        token_b = self.warranty_b._portal_ensure_token()
        certificate = "aftersales_warranty.report_warranty_certificate"
        order_certificate = "aftersales_warranty.report_sale_warranty_certificate"
        warranty_b, claim_b, token_a = self.warranty_b.id, self.claim_b.id, self.warranty_a.access_token
        gets = {
            "B's warranty": f"/my/warranties/{warranty_b}",
            "B's claim": f"/my/claims/{claim_b}",
            "B's certificate (portal, html)": f"/my/warranties/{warranty_b}?report_type=html",
            "B's certificate (download)": f"/my/warranties/{warranty_b}?report_type=pdf&download=true",
            "B's certificate (report route, pdf)": f"/report/pdf/{certificate}/{warranty_b}",
            "B's certificate (report route, html)": f"/report/html/{certificate}/{warranty_b}",
            "B's order certificate (report route)": f"/report/pdf/{order_certificate}/{self.order_b.id}",
            "B's warranty with A's token": f"/my/warranties/{warranty_b}?access_token={token_a}",
            "B's claim with B's warranty token": f"/my/claims/{claim_b}?access_token={token_b}",
            "A's pending warranty (not given yet)": f"/my/warranties/{self.pending_warranty_a.id}",
        }
        self.authenticate("am_portal_a", "am_portal_a")
        for label, url in gets.items():
            with self.subTest(route=label):
                self._assert_denied(self.url_open(url, allow_redirects=False), label)

        claims = self.env["aftersales.claim"].search_count([])
        csrf = http.Request.csrf_token(self)
        posts = {
            "claim form on B's warranty": (f"/my/warranties/{warranty_b}/report", {}),
            "claim form on B's warranty with B's share token": (
                f"/my/warranties/{warranty_b}/report",
                {"access_token": token_b},
            ),
            "claim form on A's pending warranty": (f"/my/warranties/{self.pending_warranty_a.id}/report", {}),
        }
        for label, (url, extra) in posts.items():
            with self.subTest(route=label):
                data = {"csrf_token": csrf, "description": "Not my unit", **extra}
                self._assert_denied(self.url_open(url, data=data, allow_redirects=False), label)
                self.assertEqual(self.env["aftersales.claim"].search_count([]), claims, "no claim written")

    def test_feedback_survey_with_wrong_and_used_tokens(self):
        """The survey is reached by its token only: another record's token, an answered survey's token,
        whoever is logged in, give the survey's own page and write nothing."""
        self.warranty_a._portal_ensure_token()
        self.authenticate("am_portal_b", "am_portal_b")
        feedback_count = self.env["aftersales.feedback"].search_count([])
        for label, token, status, text in (
            ("A's warranty token", self.warranty_a.access_token, 404, "This survey link is not valid"),
            ("A's answered survey", self.request_done.access_token, 200, "already answered"),
        ):
            for suffix in ("", "/1"):
                with self.subTest(token=label, url=suffix):
                    response = self.url_open(f"/aftersales/feedback/{token}{suffix}")
                    self.assertEqual(response.status_code, status)
                    self.assertIn(text, response.text)
            with self.subTest(token=label, url="/submit"):
                response = self.url_open(
                    f"/aftersales/feedback/{token}/submit",
                    data={"csrf_token": http.Request.csrf_token(self), "score": "1", "comment": "Spam"},
                )
                self.assertEqual(response.status_code, status)
                self.assertIn(text, response.text)
        self.assertEqual(self.env["aftersales.feedback"].search_count([]), feedback_count)
        self.request_done.invalidate_recordset()
        self.assertEqual(self.request_done.state, "done")
