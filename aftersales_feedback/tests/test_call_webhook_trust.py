"""Issue 27, items 10 and 16, over HTTP: a body nested beyond reason is a 400, a post of many bad
rows is answered with a capped list, and numbers that a spreadsheet would run are never stored as
formulas."""

import json

from odoo.tests import HttpCase, tagged

from .call_common import AftersalesCallCommon

URL = "/aftersales/pbx/cdr"


@tagged("post_install", "-at_install")
class TestCallWebhookTrust(AftersalesCallCommon, HttpCase):
    def _post(self, data):
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        return self.url_open(URL, data=data, headers=headers)

    def test_10_nested_body_is_a_bad_request(self):
        body = "[" * 100000 + "]" * 100000
        with self.assertNoLogs("odoo", level="ERROR"):
            response = self._post(body)
        self.assertEqual(response.status_code, 400)
        self.assertIn("not JSON", response.json()["errors"][0]["error"])
        self.assertFalse(self.Call.search_count([]))

    def test_10_errors_listed_are_capped(self):
        rows = [{"uniqueid": f"bad.{index}", "src": "1", "disposition": "RINGING"} for index in range(500)]
        with self.assertNoLogs("odoo", level="ERROR"):
            response = self._post(json.dumps(rows))
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        self.assertEqual(payload["created"], 0)
        self.assertEqual(payload["error_count"], 500)
        self.assertEqual(len(payload["errors"]), 100)
        self.assertEqual(payload["errors"][0]["index"], 0)
        self.assertLess(len(response.content), 30000)

    def test_16_formula_numbers_are_stored_neutralised(self):
        row = self._cdr("=cmd|' /C calc'!A0", "02188776655", "2026-05-31 09:00:00")
        response = self._post(json.dumps(row))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.Call.search([]).caller_number, "'=cmd|' /C calc'!A0")
