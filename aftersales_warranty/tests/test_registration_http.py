import json
import re

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .registration_common import RegistrationCommon


@tagged("post_install", "-at_install")
class TestRegistrationHttp(RegistrationCommon, HttpCase):
    """The public pages over HTTP, as a visitor without an account (today is within the window)."""

    def _csrf(self, url="/warranty/register"):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _post_json(self, data, **kwargs):
        return self.url_open(
            "/warranty/register",
            method="POST",
            data=data,
            headers={"Accept": "application/json", **kwargs.pop("headers", {})},
        )

    def _logs(self):
        return self.env["aftersales.registration"].search([], order="id")

    def test_page_has_the_serial_of_the_qr_code(self):
        page = self.url_open("/warranty/register?serial=AC-2026-0001")
        self.assertEqual(page.status_code, 200)
        self.assertIn('value="AC-2026-0001"', page.text)

    def test_form_end_to_end_then_check(self):
        serial = self.serials[0]
        response = self.url_open(
            "/warranty/register",
            data={
                "csrf_token": self._csrf(),
                "serial": serial,
                "code": self.codes[serial],
                "name": "Sara Buyer",
                "phone": self.buyer_phone,
                "email": "sara@example.com",
                "purchase_date": "2026-11-30",
            },
            files={"invoice": ("invoice.png", b"\x89PNG fake", "image/png")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_registration_success", response.text)
        warranty = self._warranty_of(serial)
        self.assertEqual(warranty.state, "active")
        self.assertEqual(warranty.registration_channel, "web")
        self.assertEqual(warranty.partner_id.email, "sara@example.com")
        log = self._logs()[-1]
        self.assertEqual((log.state, log.purchase_date.isoformat()), ("registered", "2026-11-30"))
        self.assertTrue(
            self.env["ir.attachment"].search(
                [("res_model", "=", "aftersales.warranty"), ("res_id", "=", warranty.id)]
            )
        )
        check = self.url_open(f"/warranty/check?serial={serial}")
        self.assertEqual(check.status_code, 200)
        self.assertIn("Genuine: this unit is registered", check.text)
        self.assertNotIn("Sara", check.text, "the check never shows who owns the unit")
        answer = self.url_open(f"/warranty/check?serial={serial}&format=json").json()
        self.assertEqual(answer["result"], "registered")
        self.assertEqual(answer["date_end"], warranty.date_end.isoformat())

    def test_form_needs_its_csrf_token(self):
        serial = self.serials[0]
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/warranty/register",
                data={"serial": serial, "code": self.codes[serial], "name": "X", "phone": self.buyer_phone},
            )
        self.assertEqual(response.status_code, 400)
        self.assertIn("This form has expired", response.text)
        self.assertEqual(self._warranty_of(serial).state, "unregistered")
        self.assertFalse(self._logs())

    def test_json_answers_for_apps(self):
        serial = self.serials[1]
        data = {"serial": serial, "code": self.codes[serial], "name": "App", "phone": self.buyer_phone}
        response = self._post_json(data)
        self.assertEqual(response.status_code, 200)
        answer = response.json()
        warranty = self._warranty_of(serial)
        self.assertEqual(answer["result"], "registered")
        self.assertIsNone(answer["reason"])
        self.assertEqual(answer["date_end"], warranty.date_end.isoformat())
        again = self.url_open("/warranty/register", data={**data, "format": "json", "phone": "09120000001"})
        self.assertEqual(
            {key: again.json()[key] for key in ("result", "reason", "date_end")},
            {"result": "refused", "reason": "already_registered", "date_end": None},
        )
        body = self.url_open(
            "/warranty/register",
            data=json.dumps({**data, "serial": self.serials[2], "code": "0"}),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        ).json()
        self.assertEqual((body["result"], body["reason"]), ("refused", "wrong_code"))
        self.assertIn("code does not match", body["message"])

    def test_bad_input_never_a_server_error(self):
        serial = self.serials[3]
        cases = [
            {},
            {"serial": "", "name": "X", "phone": "1"},
            {"serial": serial, "name": "X", "phone": "not a phone"},
            {"serial": "A\x00B", "code": "\x00", "name": "N\x00", "phone": self.buyer_phone},
            {"serial": "S" * 1_000_000, "code": "1", "name": "X", "phone": "09120000002"},
            {"serial": serial, "code": "1", "name": "X", "phone": "09120000003", "purchase_date": "31/31/31"},
            {"serial": "AC-٢٠٢٦-۰۰۰4", "code": "0", "name": "Mixed", "phone": "۰۹۱۲۰۰۰۰۰۰4"},
        ]
        for data in cases:
            response = self._post_json(data)
            self.assertIn(response.status_code, (200, 400), data.keys())
            self.assertEqual(response.headers["Content-Type"][:16], "application/json", str(data)[:80])
            answer = response.json()
            self.assertEqual(answer["result"], "refused")
            self.assertTrue(answer["message"])
        self.assertEqual(self._warranty_of(serial).state, "unregistered")
        reasons = self._logs().mapped("reason")
        self.assertEqual(reasons, ["unknown_serial", "unknown_serial", "wrong_code"])
        self.assertEqual(self._logs()[-1].serial, serial, "Arabic and Persian digits read as 0-9")
        self.assertEqual(len(self._logs()[1].serial), 64)
        self.assertEqual(self.url_open("/warranty/check?serial=%00" + "X" * 5000).status_code, 200)

    def test_burst_from_one_address_is_rate_limited(self):
        self.company.aftersales_registration_ip_limit = 5
        statuses = []
        for index in range(8):
            response = self._post_json({"serial": "NOPE", "name": "Bot", "phone": f"0912000010{index}"})
            statuses.append((response.status_code, response.json()["reason"]))
        self.assertEqual(statuses[:5], [(200, "unknown_serial")] * 5)
        self.assertEqual(statuses[5:], [(429, "rate_limited")] * 3)
        check = self.url_open("/warranty/check?serial=NOPE&format=json")
        self.assertEqual(check.status_code, 429)

    def test_check_json_answers(self):
        company_b = self.env["res.company"].create({"name": "Other Co"})
        self.env["stock.lot"].create(
            {"name": "B-0001", "product_id": self.product_serial.id, "company_id": company_b.id}
        )
        for serial, result in (
            (self.serials[0], "unregistered"),
            (self.unsold_serial, "unknown"),
            ("B-0001", "unknown"),
            ("FAKE", "unknown"),
        ):
            answer = self.url_open(f"/warranty/check?serial={serial}&format=json").json()
            self.assertEqual((answer["result"], answer["date_end"]), (result, None), serial)
        self.assertEqual(self.env["aftersales.serial.check"].search_count([]), 4)

    def test_public_cannot_read_the_logs_over_rpc(self):
        for model in ("aftersales.registration", "aftersales.serial.check"):
            with mute_logger("odoo.http"):
                response = self.url_open(
                    f"/json/2/{model}/search_read",
                    data=json.dumps({"domain": [], "fields": ["serial"]}),
                    headers={"Content-Type": "application/json"},
                )
            self.assertNotEqual(response.status_code, 200)
            self.assertNotIn("AC-2026", response.text)
