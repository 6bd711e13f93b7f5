import json

from odoo.tests import HttpCase, tagged

from .call_common import AftersalesCallCommon

URL = "/aftersales/pbx/cdr"


@tagged("post_install", "-at_install")
class TestCallWebhook(AftersalesCallCommon, HttpCase):
    def _post(self, body, token=None, raw=False):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = body if raw else json.dumps(body)
        return self.url_open(URL, data=data, headers=headers)

    def test_tokens(self):
        row = self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00")
        with self.assertNoLogs("odoo", level="ERROR"):
            for token in (None, "wrong-token-of-the-right-length-0000", self.token[:-2]):
                response = self._post(row, token)
                self.assertEqual(response.status_code, 403, token)
                self.assertIn("token", response.json()["errors"][0]["error"])
            response = self.url_open(URL, data=json.dumps(row), headers={"Authorization": self.token})
            self.assertEqual(response.status_code, 403)
        self.assertFalse(self.Call.search_count([]))
        response = self._post(row, self.token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"created": 1, "duplicates": 0, "errors": []})
        call = self.Call.search([])
        self.assertEqual(
            (call.partner_id, call.source, call.company_id), (self.reza, "webhook", self.company)
        )

    def test_list_with_a_bad_row_and_duplicates(self):
        rows = [
            self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", uniqueid="w.1"),
            self._cdr("09123456789", "02188776655", "2026-05-31 09:01:00", "RINGING", uniqueid="w.2"),
            self._cdr("101", "09123456789", "2026-05-31 09:02:00", uniqueid="w.3", channel="SIP/101-1"),
        ]
        with self.assertNoLogs("odoo", level="ERROR"):
            response = self._post(rows, self.token)
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        self.assertEqual((payload["created"], payload["duplicates"]), (2, 0))
        self.assertEqual([error["index"] for error in payload["errors"]], [1])
        self.assertIn("RINGING", payload["errors"][0]["error"])
        # The calls' notes are the exchange's, written by OdooBot (not "Public user").
        notes = self.env["mail.message"].search(
            [("model", "in", ("res.partner", "aftersales.claim")), ("body", "ilike", "+989123456789")]
        )
        self.assertTrue(notes)
        self.assertEqual(notes.author_id, self.env.ref("base.partner_root"))
        response = self._post(rows[0], self.token)
        self.assertEqual(response.json(), {"created": 0, "duplicates": 1, "errors": []})
        self.assertEqual(self.Call.search_count([]), 2)

    def test_never_a_server_error(self):
        with self.assertNoLogs("odoo", level="ERROR"):
            for body in ("{not json", "42", '"text"', "null", "[1, 2]", '{"src": {"a": 1}}', "\x00"):
                response = self._post(body, self.token, raw=True)
                self.assertLess(response.status_code, 500, body)
                self.assertIn("errors", response.json())
            response = self.url_open(URL, headers={"Authorization": f"Bearer {self.token}"})  # GET
            self.assertLess(response.status_code, 500)

    def test_form_post_as_asterisk_curl_sends_it(self):
        body = "src=09123456789&dst=02188776655&start=1780207200.123456&duration=40&billsec=31"
        body += "&disposition=ANSWERED&uniqueid=1780207200.77&channel=SIP%2Ftrunk-1&dstchannel=SIP%2F101-2"
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        response = self.url_open(URL, data=body, headers=headers)
        self.assertEqual(response.json(), {"created": 1, "duplicates": 0, "errors": []})
        call = self.Call.search([])
        self.assertEqual((call.partner_id, call.user_id, call.talk_seconds), (self.reza, self.agent, 31))
        self.assertEqual(str(call.date_start), "2026-05-31 06:00:00")
