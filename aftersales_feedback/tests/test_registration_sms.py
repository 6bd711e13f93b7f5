"""Registration and status queries by SMS: the gateway's push (/aftersales/sms/inbound/<token>) and
the cron reading Kavenegar's inbox (sms/receive on the local Kavenegar), each text handled once,
answered in Persian for Iranian numbers with Solar Hijri dates."""

import json

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.aftersales_warranty.tests.registration_common import RegistrationCommon

from ..tools.sms_api import KAVENEGAR_URL_PARAM
from .kavenegar_common import API_KEY, SENDER, FakeKavenegar

TOKEN = "t0k3n-for-the-inbound-sms-gateway-0123456789"


class FakeKavenegarInbox(FakeKavenegar):
    """The local Kavenegar with a line's inbox: ``sms/receive`` answers the unread ``inbox``
    entries once (Kavenegar marks them read), as its documentation describes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inbox = []

    def _reply(self, verb, key, api_method, params):
        if api_method == "sms/receive":
            if key != self.api_key:
                return 403, None
            if params.get("linenumber") != SENDER:
                return 412, None
            entries, self.inbox = self.inbox, []
            return 200, entries
        return super()._reply(verb, key, api_method, params)


@tagged("post_install", "-at_install")
class TestRegistrationSms(RegistrationCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"]._load_module_terms(
            ["aftersales_warranty", "aftersales_feedback"], ["fa_IR"], overwrite=True
        )
        cls.company.write(
            {
                "aftersales_sms_provider": "kavenegar",
                "aftersales_kavenegar_api_key": API_KEY,
                "aftersales_kavenegar_sender": SENDER,
                "aftersales_sms_inbound_token": TOKEN,
            }
        )
        cls.Inbound = cls.env["aftersales.sms.inbound"]

    def setUp(self):
        super().setUp()
        self.kavenegar = FakeKavenegarInbox()
        self.addCleanup(self.kavenegar.close)
        self.env["ir.config_parameter"].sudo().set_param(KAVENEGAR_URL_PARAM, self.kavenegar.url)

    def _push(self, messageid, message, sender="09121234567", token=TOKEN):
        return self.url_open(
            f"/aftersales/sms/inbound/{token}",
            data={"from": sender, "to": SENDER, "message": message, "messageid": messageid},
        )

    def _replies(self):
        return self.env["sms.sms"].search([], order="id")

    def test_register_by_push_then_status_in_persian(self):
        serial = self.serials[0]
        persian = f"{serial}  {self.codes[serial]}".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        with freeze_time("2026-03-01 10:00:00"):
            response = self._push("m-1", persian)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"result": "ok", "kind": "registration"})
        warranty = self._warranty_of(serial)
        self.assertEqual(warranty.state, "active")
        self.assertEqual(warranty.registration_channel, "sms")
        self.assertEqual(warranty.registered_phone, self.buyer_e164)
        reply = self._replies()[-1]
        self.assertEqual(reply.number, self.buyer_e164)
        self.assertIn("۱۴۰۵", reply.body, "the end date in Solar Hijri (1 March 2027 = 10 Esfand 1405)")
        self.assertIn("اسفند", reply.body)
        # The same text delivered again is not handled again.
        with freeze_time("2026-03-01 10:05:00"):
            self.assertEqual(self._push("m-1", persian).status_code, 200)
        self.assertEqual(self.Inbound.search_count([("messageid", "=", "m-1")]), 1)
        self.assertEqual(len(self._replies()), 1)
        with freeze_time("2026-03-01 10:06:00"):
            self._push("m-2", serial, sender="+989350000000")
        status = self._replies()[-1]
        self.assertEqual(status.number, "+989350000000")
        self.assertIn("۱۴۰۵", status.body)
        self.assertNotIn("+98912", status.body, "a status never tells who owns the unit")

    def test_any_separator_and_code_glued_with_a_dash(self):
        with freeze_time("2026-03-01 10:00:00"):
            self._push("m-1", f"{self.serials[0]}*{self.codes[self.serials[0]]}")
            self._push("m-2", f"{self.serials[1]}-{self.codes[self.serials[1]]}", sender="09120000001")
            self._push("m-3", f"{self.serials[2]}\n{self.codes[self.serials[2]]}", sender="09120000002")
        for serial in self.serials[:3]:
            self.assertEqual(self._warranty_of(serial).state, "active", serial)

    def test_foreign_number_answered_in_the_company_language(self):
        self.company.partner_id.lang = "en_US"
        with freeze_time("2026-03-01 10:00:00"):
            self._push("m-1", f"{self.serials[0]} 0000", sender="+447700900123")
        reply = self._replies()[-1]
        self.assertEqual(reply.number, "+447700900123")
        self.assertIn("code does not match", reply.body)

    def test_bad_texts_and_tokens(self):
        with mute_logger("odoo.http"):
            self.assertEqual(self._push("m-1", "x", token="wrong-token-wrong-token-000").status_code, 403)
            self.assertEqual(self._push("", "x").status_code, 400)
        for index, text in enumerate(["", "\x00", "A" * 1_000_000, "٠١٢ ۳۴۵ abc", "FAKE-1"]):
            response = self._push(f"bad-{index}", text, sender=f"0912000001{index}")
            self.assertEqual(response.status_code, 200, text[:10])
        self.assertEqual(set(self.unregistered.mapped("state")), {"unregistered"})
        kinds = self.Inbound.search([], order="id").mapped("kind")
        self.assertEqual(kinds, ["unreadable", "unreadable", "check", "registration", "check"])
        self.assertEqual(max(len(message) for message in self.Inbound.search([]).mapped("message")), 500)

    def test_cron_reads_the_kavenegar_inbox_once(self):
        serial = self.serials[3]
        self.kavenegar.inbox = [
            {
                "messageid": 9001,
                "message": f"{serial} {self.codes[serial]}",
                "sender": "09121234567",
                "receptor": SENDER,
                "date": 1772359200,
            },
            {"messageid": 9002, "message": "AC-2026-0099", "sender": "09121234568", "receptor": SENDER},
            "garbage",
        ]
        with freeze_time("2026-03-01 10:00:00"):
            self.Inbound._cron_aftersales_receive_sms()
            self.kavenegar.inbox = [
                {"messageid": 9001, "message": f"{serial} {self.codes[serial]}", "sender": "0912"}
            ]
            self.Inbound._cron_aftersales_receive_sms()
        receive_calls = self.kavenegar.calls_to("sms/receive")
        self.assertEqual(len(receive_calls), 2)
        self.assertEqual(receive_calls[0]["linenumber"], SENDER)
        self.assertEqual(receive_calls[0]["isread"], "0")
        self.assertEqual(self._warranty_of(serial).state, "active")
        self.assertEqual(self.Inbound.search_count([]), 2)
        # The replies go out through Kavenegar.
        self._replies().send()
        sent = self.kavenegar.calls_to("sms/send") + self.kavenegar.calls_to("sms/sendarray")
        self.assertTrue(sent)
        self.assertIn("09121234567", json.dumps(sent))

    def test_token_generated_by_a_system_administrator_only(self):
        company = self.company.with_user(self.manager)
        with self.assertRaises(AccessError):
            company.read(["aftersales_sms_inbound_token"])
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.manager).create(
                {}
            ).action_aftersales_generate_sms_inbound_token()
        self.assertEqual(self.company.aftersales_sms_inbound_token, TOKEN)
        self.env["res.config.settings"].create({}).action_aftersales_generate_sms_inbound_token()
        self.assertNotEqual(self.company.aftersales_sms_inbound_token, TOKEN)
        self.assertGreaterEqual(len(self.company.aftersales_sms_inbound_token), 40)
        with self.assertRaises(AccessError):
            self.Inbound.with_user(self.agent).create({"company_id": self.company.id, "messageid": "x"})
