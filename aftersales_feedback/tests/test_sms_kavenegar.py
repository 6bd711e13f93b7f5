"""Kavenegar as the company's SMS provider, against the local Kavenegar of ``kavenegar_common``:
settings and the secret API key, sending (send, sendarray, numbers, chunks), each error status,
network failures, delivery reports, and the occasions' greetings in one call.
No test reaches the internet: Odoo's test mode refuses requests to any other host than 127.0.0.1.
"""

import json
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.base.tests.common import BaseCommon
from odoo.addons.sms.tools.sms_api import SmsApi

from ..tools.sms_api import KAVENEGAR_URL_PARAM, SmsApiKavenegar
from .common import make_buyers
from .kavenegar_common import API_KEY, ERROR_TEXTS, SENDER, STATUS_TEXTS, FakeKavenegar


@tagged("post_install", "-at_install")
class TestSmsKavenegar(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Asia/Tehran"
        cls.company.country_id = cls.env.ref("base.ir")
        cls.company.write(
            {
                "aftersales_sms_provider": "kavenegar",
                "aftersales_kavenegar_api_key": API_KEY,
                "aftersales_kavenegar_sender": SENDER,
            }
        )
        cls.admin = new_test_user(
            cls.env,
            login="kv_admin",
            groups="base.group_system,aftersales_warranty.group_aftersales_manager",
            name="System Admin",
        )
        cls.agent = new_test_user(
            cls.env, login="kv_agent", groups="aftersales_warranty.group_aftersales_user", name="Agent"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Reza", "phone": "+98 912 345 6701", "country_id": cls.env.ref("base.ir").id}
        )

    def setUp(self):
        super().setUp()
        self.kavenegar = FakeKavenegar()
        self.addCleanup(self.kavenegar.close)
        self.env["ir.config_parameter"].sudo().set_param(KAVENEGAR_URL_PARAM, self.kavenegar.url)

    def _sms(self, numbers, body="Salam"):
        """Queued SMS to ``numbers``; ``body`` a text or a function of the index."""
        return self.env["sms.sms"].create(
            [
                {"number": number, "body": body(index) if callable(body) else body}
                for index, number in enumerate(numbers)
            ]
        )

    @staticmethod
    def _iranian(count, start=0):
        return [f"+98912{index:07d}" for index in range(start, start + count)]

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------

    def test_sender_typed_in_persian_digits_is_the_same_line(self):
        settings = Form(self.env["res.config.settings"].with_user(self.admin))
        settings.aftersales_sms_provider = "kavenegar"
        settings.aftersales_kavenegar_api_key = "ABC123def456"
        settings.aftersales_kavenegar_sender = "".join(chr(0x06F0 + int(digit)) for digit in "10004346")
        settings.save().execute()
        self.assertEqual(self.company.aftersales_kavenegar_sender, "10004346")

    def test_settings_through_the_form_as_admin(self):
        self.company.write({"aftersales_sms_provider": "iap", "aftersales_kavenegar_sender": False})
        self.company.aftersales_kavenegar_api_key = False
        self.assertNotEqual(self.company._get_sms_api_class(), SmsApiKavenegar)
        settings = Form(self.env["res.config.settings"].with_user(self.admin))
        settings.aftersales_sms_provider = "kavenegar"
        settings.aftersales_kavenegar_api_key = "ABC123def456"
        settings.aftersales_kavenegar_sender = "2000500666"
        settings.save().execute()
        self.assertEqual(self.company.aftersales_sms_provider, "kavenegar")
        self.assertEqual(self.company.aftersales_kavenegar_api_key, "ABC123def456")
        self.assertEqual(self.company.aftersales_kavenegar_sender, "2000500666")
        self.assertIs(self.company._get_sms_api_class(), SmsApiKavenegar)

    def test_api_key_is_refused_to_an_agent(self):
        company = self.company.with_user(self.agent)
        self.assertEqual(company.read(["aftersales_sms_provider"])[0]["aftersales_sms_provider"], "kavenegar")
        with self.assertRaises(AccessError):
            company.read(["aftersales_kavenegar_api_key"])
        with self.assertRaises(AccessError):
            company.search_read([("aftersales_kavenegar_api_key", "!=", False)], ["name"])
        with self.assertRaises(AccessError):
            company.write({"aftersales_kavenegar_api_key": "STOLEN"})
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.agent).create(
                {"aftersales_kavenegar_api_key": "X"}
            )
        self.assertEqual(self.company.aftersales_kavenegar_api_key, API_KEY)

    def test_settings_refuse_a_bad_key_or_line(self):
        with self.assertRaises(ValidationError):
            self.company.aftersales_kavenegar_api_key = "key with spaces"
        with self.assertRaises(ValidationError):
            self.company.aftersales_kavenegar_sender = "+98 1000"
        self.assertEqual(self.company.aftersales_kavenegar_sender, SENDER)

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def test_send_one_sms(self):
        sms = self._sms(["+989123456789"])
        sms.send()
        self.assertEqual(
            self.kavenegar.calls,
            [("POST", "sms/send", {"receptor": "09123456789", "message": "Salam", "sender": SENDER})],
            "E.164 +98 numbers go as Kavenegar writes them: 09...",
        )
        self.assertRecordValues(
            sms,
            [
                {
                    "state": "pending",
                    "failure_type": False,
                    "aftersales_kavenegar_message_id": "8792344",
                    "aftersales_kavenegar_status": "1",
                    "to_delete": False,
                    "aftersales_delete_after_report": True,
                }
            ],
        )

    def test_same_text_to_many_goes_by_send_in_calls_of_200(self):
        numbers = [*self._iranian(249), "+32 470 12 34 56"]
        sms = self._sms(numbers)
        sms.send()
        calls = self.kavenegar.calls_to("sms/send")
        self.assertEqual(len(self.kavenegar.calls), 2)
        receptors = [call["receptor"].split(",") for call in calls]
        self.assertEqual([len(chunk) for chunk in receptors], [200, 50])
        everybody = set(receptors[0] + receptors[1])
        self.assertEqual(len(everybody), 250)
        self.assertIn("09120000000", everybody)
        self.assertIn("09120000248", everybody)
        self.assertIn("0032470123456", everybody, "other countries go with 00 and the country code")
        self.assertEqual({call["sender"] for call in calls}, {SENDER})
        self.assertEqual({call["message"] for call in calls}, {"Salam"})
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(len(set(sms.mapped("aftersales_kavenegar_message_id"))), 250)

    def test_different_texts_go_by_sendarray_in_calls_of_200(self):
        sms = self._sms(self._iranian(450), body=lambda index: f"Salam {index}")
        sms.send()
        self.assertEqual([call[:2] for call in self.kavenegar.calls], [("POST", "sms/sendarray")] * 3)
        calls = self.kavenegar.calls_to("sms/sendarray")
        arrays = [
            {name: json.loads(call[name]) for name in ("receptor", "sender", "message")} for call in calls
        ]
        self.assertEqual([len(array["receptor"]) for array in arrays], [200, 200, 50])
        for array in arrays:
            self.assertEqual(len(array["sender"]), len(array["receptor"]))
            self.assertEqual(set(array["sender"]), {SENDER})
        pairs = {
            (receptor, message)
            for array in arrays
            for receptor, message in zip(array["receptor"], array["message"], strict=True)
        }
        self.assertEqual(pairs, {(f"0912{index:07d}", f"Salam {index}") for index in range(450)})
        by_number = {record.number: record for record in sms}
        self.assertEqual(by_number["+989120000449"].state, "pending")
        self.assertTrue(all(sms.mapped("aftersales_kavenegar_message_id")))

    def test_without_sender_line_each_text_goes_by_send(self):
        self.company.aftersales_kavenegar_sender = False
        sms = self._sms(self._iranian(3), body=lambda index: "Salam" if index < 2 else "Dorood")
        sms.send()
        calls = sorted(self.kavenegar.calls_to("sms/send"), key=lambda call: call["message"])
        self.assertEqual(
            calls,
            [
                {"receptor": "09120000002", "message": "Dorood"},
                {"receptor": "09120000000,09120000001", "message": "Salam"},
            ],
            "no sender parameter: Kavenegar sends from the account's default line",
        )
        self.assertEqual(set(sms.mapped("state")), {"pending"})

    def test_invalid_numbers_are_not_sent(self):
        sms = self._sms(["+989120000001", "123", False])
        sms.send()
        self.assertEqual(
            self.kavenegar.calls_to("sms/send"),
            [{"receptor": "09120000001", "message": "Salam", "sender": SENDER}],
        )
        self.assertRecordValues(
            sms.sorted("id"),
            [
                {"state": "pending", "failure_type": False},
                {"state": "error", "failure_type": "sms_number_format"},
                {"state": "error", "failure_type": "sms_number_missing"},
            ],
        )
        self.assertIn("123", sms.sorted("id")[1].aftersales_failure_reason)

    def test_refused_receptor_in_an_array_sends_the_others_one_by_one(self):
        self.kavenegar.invalid_receptors = {"09120000001"}
        sms = self._sms(self._iranian(3), body=lambda index: f"Salam {index}")
        sms.send()
        self.assertEqual(
            [method for _verb, method, _params in self.kavenegar.calls], ["sms/sendarray"] + ["sms/send"] * 3
        )
        self.assertEqual(sms.sorted("id").mapped("state"), ["pending", "error", "pending"])
        refused = sms.filtered(lambda record: record.state == "error")
        self.assertEqual(refused.failure_type, "sms_number_format")
        self.assertIn(ERROR_TEXTS[411], refused.aftersales_failure_reason)

    def test_error_statuses_become_failure_types_with_the_api_message(self):
        expected = {
            401: "sms_acc",  # account disabled
            403: "sms_acc",  # API key not valid
            409: "sms_server",
            411: "sms_number_format",
            412: "sms_acc",  # sender line not of the account
            413: "unknown",  # message too long: Kavenegar's reason says it
            418: "sms_credit",
        }
        for status, failure_type in expected.items():
            with self.subTest(status=status):
                self.kavenegar.error = status
                sms = self._sms(["+989120000001"])
                with self.assertNoLogs("odoo", level="ERROR"):
                    sms.send()
                self.assertEqual(sms.state, "error")
                self.assertEqual(sms.failure_type, failure_type)
                self.assertIn(ERROR_TEXTS[status], sms.aftersales_failure_reason)
                self.assertIn(str(status), sms.aftersales_failure_reason)
                self.assertFalse(sms.aftersales_kavenegar_message_id)

    def test_wrong_api_key_on_a_chatter_sms_reaches_its_notification(self):
        """Odoo's own SMS (chatter) go through Kavenegar too; the refusal shows on the message."""
        self.company.aftersales_kavenegar_api_key = "WRONGKEY"
        message = self.customer._message_sms("Your repair is ready", partner_ids=self.customer.ids)
        self.assertEqual(self.kavenegar.calls_to("sms/send")[0]["receptor"], "09123456701")
        notification = message.notification_ids
        self.assertRecordValues(
            notification,
            [{"notification_type": "sms", "notification_status": "exception", "failure_type": "sms_acc"}],
        )
        self.assertIn(ERROR_TEXTS[403], notification.failure_reason)
        self.assertNotIn("WRONGKEY", notification.failure_reason)

    def test_not_enough_credit_on_a_chatter_sms(self):
        self.kavenegar.error = 418
        message = self.customer._message_sms("Your repair is ready", partner_ids=self.customer.ids)
        self.assertRecordValues(
            message.notification_ids, [{"notification_status": "exception", "failure_type": "sms_credit"}]
        )
        self.assertIn(ERROR_TEXTS[418], message.notification_ids.failure_reason)

    def test_each_company_sends_through_its_own_provider(self):
        """Odoo's queue sends a page of SMS of every company at once: the Kavenegar company's go to
        Kavenegar, the other company's to Odoo's IAP."""
        other = self.env["res.company"].create({"name": "Odoo IAP Company"})
        sms = self._sms(["+989120000001", "+989120000002"])
        sms[1].record_company_id = other
        iap_numbers = []

        def iap_send(api, messages, delivery_reports_url=False):
            numbers = [number for message in messages for number in message["numbers"]]
            iap_numbers.extend(number["number"] for number in numbers)
            return [{"uuid": number["uuid"], "state": "success"} for number in numbers]

        with patch.object(SmsApi, "_send_sms_batch", iap_send):
            sms._send(unlink_failed=False, unlink_sent=True, raise_exception=False)  # as sms._process_queue
        self.assertEqual(self.kavenegar.calls_to("sms/send")[0]["receptor"], "09120000001")
        self.assertEqual(len(self.kavenegar.calls), 1)
        self.assertEqual(iap_numbers, ["+989120000002"])
        self.assertRecordValues(
            sms,
            [
                {"state": "pending", "to_delete": False, "aftersales_delete_after_report": True},
                {"state": "pending", "to_delete": True, "aftersales_delete_after_report": False},
            ],
        )

    def test_missing_api_key_sends_nothing(self):
        self.company.aftersales_kavenegar_api_key = False
        sms = self._sms(["+989120000001"])
        sms.send()
        self.assertFalse(self.kavenegar.calls)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_acc"))
        self.assertIn("API key", sms.aftersales_failure_reason)

    def test_network_failure_is_a_server_error_never_a_traceback(self):
        self.kavenegar.close()  # nothing listens on the port any more
        sms = self._sms(["+989120000001", "+989120000002"])
        with (
            self.assertNoLogs("odoo", level="ERROR"),
            self.assertLogs("odoo.addons.aftersales_feedback.tools.sms_api", level="WARNING") as logs,
        ):
            sms.send()
        self.assertEqual(set(sms.mapped("state")), {"error"})
        self.assertEqual(set(sms.mapped("failure_type")), {"sms_server"})
        self.assertIn("could not be reached", sms[0].aftersales_failure_reason)
        self.assertNotIn(API_KEY, "\n".join(logs.output), "the URL carries the key: never logged")
        self.assertNotIn(API_KEY, sms[0].aftersales_failure_reason)

    def test_unreadable_answer_is_a_server_error(self):
        self.kavenegar.raw = (502, b"<html><body>502 Bad Gateway</body></html>")
        sms = self._sms(["+989120000001"])
        with (
            self.assertNoLogs("odoo", level="ERROR"),
            self.assertLogs("odoo.addons.aftersales_feedback.tools.sms_api", level="WARNING"),
        ):
            sms.send()
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_server"))
        self.assertIn("502", sms.aftersales_failure_reason)

    # ------------------------------------------------------------------
    # Delivery reports
    # ------------------------------------------------------------------

    def _sent(self, count=3):
        sms = self._sms(self._iranian(count), body=lambda index: f"Salam {index}")
        sms.send()
        self.kavenegar.calls.clear()
        return sms.sorted("id")

    def test_delivery_reports_update_the_sms(self):
        delivered, undelivered, at_operator, blocked = self._sent(4)
        ids = [sms.aftersales_kavenegar_message_id for sms in (delivered, undelivered, at_operator, blocked)]
        self.kavenegar.statuses = {ids[0]: 10, ids[1]: 11, ids[2]: 4, ids[3]: 14}
        self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertEqual(self.kavenegar.calls, [("POST", "sms/status", {"messageid": ",".join(ids)})])
        self.assertRecordValues(
            delivered | undelivered | at_operator | blocked,
            [
                {
                    "state": "sent",
                    "failure_type": False,
                    "aftersales_kavenegar_status": "10",
                    "to_delete": True,
                },
                {
                    "state": "error",
                    "failure_type": "sms_not_delivered",
                    "aftersales_kavenegar_status": "11",
                    "to_delete": True,
                },
                {
                    "state": "pending",
                    "failure_type": False,
                    "aftersales_kavenegar_status": "4",
                    "to_delete": False,
                },
                {
                    "state": "error",
                    "failure_type": "sms_rejected",
                    "aftersales_kavenegar_status": "14",
                    "to_delete": True,
                },
            ],
        )
        self.assertIn(STATUS_TEXTS[11], undelivered.aftersales_failure_reason)
        # Next run: only the SMS still on its way is asked about.
        self.kavenegar.calls.clear()
        self.kavenegar.statuses[ids[2]] = 10
        self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertEqual(self.kavenegar.calls_to("sms/status"), [{"messageid": ids[2]}])
        self.assertEqual(at_operator.state, "sent")
        self.kavenegar.calls.clear()
        self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertFalse(self.kavenegar.calls, "nothing left to ask")

    def test_cancelled_report(self):
        (sms,) = self._sent(1)
        self.kavenegar.statuses = {sms.aftersales_kavenegar_message_id: 13}
        self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertRecordValues(
            sms, [{"state": "canceled", "aftersales_kavenegar_status": "13", "to_delete": True}]
        )

    def test_delivery_report_reaches_the_chatter_notification(self):
        message = self.customer._message_sms("Your repair is ready", partner_ids=self.customer.ids)
        notification = message.notification_ids
        self.assertEqual(notification.notification_status, "pending")
        sms = self.env["sms.sms"].search([("uuid", "=", notification.sms_tracker_ids.sms_uuid)])
        self.kavenegar.statuses = {sms.aftersales_kavenegar_message_id: 10}
        self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertEqual(notification.notification_status, "sent")

    def test_undelivered_report_reaches_the_chatter_notification(self):
        message = self.customer._message_sms("Your repair is ready", partner_ids=self.customer.ids)
        sms = self.env["sms.sms"].search([("uuid", "=", message.notification_ids.sms_tracker_ids.sms_uuid)])
        self.kavenegar.statuses = {sms.aftersales_kavenegar_message_id: 11}
        self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertRecordValues(
            message.notification_ids,
            [{"notification_status": "exception", "failure_type": "sms_not_delivered"}],
        )
        self.assertIn(STATUS_TEXTS[11], message.notification_ids.failure_reason)

    def test_delivery_reports_ask_500_ids_per_call(self):
        sms = self._sms(self._iranian(501))
        sms.write({"state": "pending", "aftersales_kavenegar_status": "4"})
        for record in sms:
            record.aftersales_kavenegar_message_id = str(1000 + record.id)
        self.kavenegar.statuses = {str(1000 + record.id): 10 for record in sms}
        self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        calls = self.kavenegar.calls_to("sms/status")
        self.assertEqual([len(call["messageid"].split(",")) for call in calls], [500, 1])
        self.assertEqual(set(sms.mapped("state")), {"sent"})

    def test_unknown_message_id_stops_the_questions(self):
        (sms,) = self._sent(1)
        self.kavenegar.statuses = {}  # Kavenegar answers 100: invalid id, or older than 48 hours
        self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertRecordValues(
            sms, [{"state": "pending", "aftersales_kavenegar_status": "100", "to_delete": True}]
        )
        self.assertIn(STATUS_TEXTS[100], sms.aftersales_failure_reason)
        self.kavenegar.calls.clear()
        self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertFalse(self.kavenegar.calls)

    def test_refused_status_call_changes_nothing(self):
        (sms,) = self._sent(1)
        self.kavenegar.error = 403
        with (
            self.assertNoLogs("odoo", level="ERROR"),
            self.assertLogs("odoo.addons.aftersales_feedback.models.sms_sms", level="WARNING"),
        ):
            self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertRecordValues(
            sms, [{"state": "pending", "aftersales_kavenegar_status": "1", "to_delete": False}]
        )

    def test_old_sms_are_no_longer_asked_about(self):
        (sms,) = self._sent(1)
        with freeze_time(fields.Datetime.now() + timedelta(days=4)):
            self.env["sms.sms"]._cron_aftersales_kavenegar_reports()
        self.assertFalse(self.kavenegar.calls)
        self.assertRecordValues(sms, [{"state": "pending", "to_delete": True}])

    # ------------------------------------------------------------------
    # The occasions' greetings
    # ------------------------------------------------------------------

    def test_greetings_go_through_kavenegar_in_one_call(self):
        self.company._aftersales_ensure_programs()
        Occasion = self.env["aftersales.occasion"]
        Occasion.search([]).active = False
        customers = self.env["res.partner"].create(
            [
                {"name": name, "phone": f"0912 345 67{index:02d}", "country_id": self.env.ref("base.ir").id}
                for index, name in enumerate(("Reza", "Mina", "Sara"), start=10)
            ]
        )
        make_buyers(customers)
        # The only customers: the orders of the others are cancelled.
        self.env["sale.order"].search(
            [("state", "=", "sale"), ("partner_id", "not in", customers.ids)]
        ).write({"state": "cancel"})
        with freeze_time("2026-06-01 08:00:00"):
            occasion = Occasion.create(
                {
                    "name": "Shop anniversary",
                    "kind": "fixed_date",
                    "month": "6",
                    "day": 1,
                    "channel": "sms",
                    "program_id": self.company.aftersales_goodwill_program_id.id,
                }
            )
            occasion._send_greetings()
        queued = self.env["sms.sms"].search([("state", "=", "outgoing"), ("number", "like", "+98912345671")])
        self.assertEqual(len(queued), 3)
        # Odoo's SMS queue (sms._process_queue) sends them.
        queued._send(unlink_failed=False, unlink_sent=True, raise_exception=False)
        self.assertEqual(len(self.kavenegar.calls), 1, "one call for the whole batch")
        call = self.kavenegar.calls_to("sms/sendarray")[0]
        receptors = json.loads(call["receptor"])
        messages = json.loads(call["message"])
        self.assertEqual(sorted(receptors), ["09123456710", "09123456711", "09123456712"])
        codes = occasion.log_ids.card_id.mapped("code")
        self.assertEqual(len(set(messages)), 3, "each greeting carries its own coupon code")
        self.assertTrue(all(any(code in message for message in messages) for code in codes))
        self.assertEqual(set(queued.mapped("state")), {"pending"})
