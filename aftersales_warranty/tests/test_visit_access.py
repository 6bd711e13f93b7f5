import base64
import json

from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .portal_common import PNG
from .visit_common import AftersalesVisitCommon


@tagged("post_install", "-at_install")
class TestVisitAccess(AftersalesVisitCommon, HttpCase):
    """Technicians see and do their own visits; agents plan every visit of their company; an agent
    of another company sees none; salespeople and customers change nothing (over JSON-RPC)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Visit Other Co"})
        cls.outsider = new_test_user(
            cls.env,
            login="visit_outsider",
            groups="aftersales_warranty.group_aftersales_user",
            company_id=cls.other_company.id,
            company_ids=[cls.other_company.id],
        )
        cls.mine = cls._visit("2026-06-02 09:00", "2026-06-02 11:00", technician=cls.technician)
        cls.theirs = cls._visit("2026-06-02 13:00", "2026-06-02 15:00", technician=cls.technician_b)
        (cls.mine | cls.theirs).with_user(cls.agent).action_schedule()

    def _rpc(self, login, model, method, args, kwargs=None):
        self.authenticate(login, login)
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        if "error" in payload:
            return ("error", payload["error"]["data"]["name"])
        return ("ok", payload["result"])

    def test_technician_sees_own_visits(self):
        Visit = self.Visit.with_user(self.technician)
        self.assertEqual(Visit.search([]), self.mine)
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.technician).read(["name"])
        status, result = self._rpc(
            "as_technician", "aftersales.visit", "search_read", [[]], {"fields": ["name"]}
        )
        self.assertEqual((status, [r["id"] for r in result]), ("ok", self.mine.ids))
        status, name = self._rpc("as_technician", "aftersales.visit", "read", [self.theirs.ids, ["name"]])
        self.assertEqual((status, name), ("error", "odoo.exceptions.AccessError"))
        status, name = self._rpc(
            "as_technician", "aftersales.visit", "create", [{"partner_id": self.customer.id}]
        )
        self.assertEqual((status, name), ("error", "odoo.exceptions.AccessError"))

    def test_technician_does_the_visit_on_the_form(self):
        with Form(self.mine.with_user(self.technician)) as form:
            form.report = "<p>Installed on the balcony wall.</p>"
            form.signed_by = "Golnar Customer"
        self.mine.with_user(self.technician).signature = base64.b64encode(PNG)
        status, _result = self._rpc("as_technician", "aftersales.visit", "action_done", [self.mine.ids])
        self.assertEqual(status, "ok")
        self.assertEqual(self.mine.state, "done")
        # Not a visit of theirs: refused, unchanged.
        status, _name = self._rpc("as_technician", "aftersales.visit", "action_no_show", [self.theirs.ids])
        self.assertEqual(status, "error")
        self.assertEqual(self.theirs.state, "scheduled")

    def test_agents_see_their_company(self):
        self.assertEqual(
            self.Visit.with_user(self.agent).search([("id", "in", (self.mine | self.theirs).ids)]),
            self.mine | self.theirs,
        )
        self.assertFalse(self.Visit.with_user(self.outsider).search([]))
        status, name = self._rpc("visit_outsider", "aftersales.visit", "action_cancel", [self.mine.ids])
        self.assertEqual((status, name), ("error", "odoo.exceptions.AccessError"))
        self.assertEqual(self.mine.state, "scheduled")
        status, _result = self._rpc("as_agent", "aftersales.visit", "action_cancel", [self.mine.ids])
        self.assertEqual(status, "ok")
        self.assertEqual(self.mine.state, "cancelled")

    def test_salesman_and_portal_change_nothing(self):
        for login in ("as_salesman",):
            status, _name = self._rpc(login, "aftersales.visit", "action_no_show", [self.mine.ids])
            self.assertEqual(status, "error")
            status, _name = self._rpc(login, "aftersales.visit", "write", [self.mine.ids, {"report": "x"}])
            self.assertEqual(status, "error")
        self.assertEqual(self.mine.state, "scheduled")
