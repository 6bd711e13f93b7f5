import base64
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .registration_common import RegistrationCommon


@tagged("post_install", "-at_install")
class TestRegistration(RegistrationCommon):
    def test_delivery_to_dealer_awaits_registration(self):
        self.assertEqual(len(self.unregistered), 5)
        self.assertEqual(set(self.unregistered.mapped("state")), {"unregistered"})
        self.assertEqual(self.unregistered.dealer_id, self.dealer)
        self.assertEqual(self.unregistered.partner_id, self.dealer)
        self.assertFalse(any(self.unregistered.mapped("date_start")))
        self.assertFalse(any(self.unregistered.mapped("date_end")))
        self.assertEqual(self.unregistered[0].registration_window_end, date(2027, 1, 10))

    def test_delivery_to_a_contact_of_a_dealer(self):
        self._add_stock(self.product_serial, lot_names=["AC-SHOP-1"])
        order = self._sell([(self.product_serial, 1)], partner=self.dealer_shop)
        self._deliver(order)
        self.assertEqual(order.warranty_ids.state, "unregistered")
        self.assertEqual(order.warranty_ids.dealer_id, self.dealer)

    def test_register_within_the_window(self):
        serial = self.serials[0]
        warranty = self._warranty_of(serial)
        with freeze_time("2026-03-01 10:00:00"):
            log = self._attempt(serial, self.codes[serial], name="Sara Buyer", email="sara@example.com")
        self.assertEqual((log.state, log.reason), ("registered", False))
        self.assertEqual(warranty.state, "active")
        self.assertEqual(warranty.date_start, date(2026, 3, 1))
        self.assertEqual(warranty.date_end, date(2027, 3, 1))
        self.assertEqual(warranty.registration_channel, "web")
        self.assertEqual(warranty.registered_phone, self.buyer_e164)
        self.assertEqual(warranty.partner_id.name, "Sara Buyer")
        self.assertEqual(warranty.partner_id.phone_sanitized, self.buyer_e164)
        self.assertEqual(warranty.dealer_id, self.dealer, "the dealer stays known")
        self.assertEqual(log.partner_id, warranty.partner_id)
        self.assertEqual(log.warranty_id, warranty)
        self.assertEqual(log.days_to_registration, 50)
        self.assertIn("Registered by", warranty.message_ids[0].body)

    def test_buyer_found_by_phone_then_email(self):
        known = self.env["res.partner"].create({"name": "Known", "phone": "+98 912 123 4567"})
        by_mail = self.env["res.partner"].create({"name": "Mail", "email": "MAIL@example.com"})
        with freeze_time("2026-03-01 10:00:00"):
            self._attempt(self.serials[0], self.codes[self.serials[0]], name="Other name")
            self._attempt(
                self.serials[1],
                self.codes[self.serials[1]],
                phone="+44 7700 900123",
                email="mail@example.com",
            )
        self.assertEqual(self._warranty_of(self.serials[0]).partner_id, known)
        self.assertEqual(self._warranty_of(self.serials[1]).partner_id, by_mail)

    def test_window_late_registration_and_window_over(self):
        late, over = self.serials[0], self.serials[1]
        with freeze_time("2027-02-15 10:00:00"):
            log = self._attempt(late, self.codes[late], name="Late")
        warranty = self._warranty_of(late)
        self.assertEqual(log.state, "registered")
        self.assertEqual(warranty.date_start, date(2027, 1, 10), "a unit on a shelf gains no coverage")
        self.assertEqual(warranty.date_end, date(2028, 1, 10))
        with freeze_time("2028-01-11 10:00:00"):
            log = self._attempt(over, self.codes[over], name="Too late")
        self.assertEqual((log.state, log.reason), ("refused", "window_over"))
        self.assertEqual(self._warranty_of(over).state, "unregistered")
        with freeze_time("2028-01-10 12:00:00"):  # the last covered day: still worth registering
            log = self._attempt(over, self.codes[over], name="Just in time", phone="09121111111")
        self.assertEqual(log.state, "registered")
        self.assertEqual(self._warranty_of(over).state, "active")

    def test_each_refusal_reason(self):
        serial = self.serials[0]
        with freeze_time("2026-03-01 10:00:00"):
            cases = [
                ("unknown_serial", {"serial": "XX-0000", "code": "1"}),
                ("unknown_serial", {"serial": "", "code": "1"}),
                ("unknown_serial", {"serial": "A" * 1000, "code": "1"}),
                ("wrong_code", {"serial": serial, "code": "0000"}),
                ("wrong_code", {"serial": serial, "code": self.codes[self.serials[1]]}),  # another's code
                ("wrong_code", {"serial": serial, "code": None}),
                ("not_sold", {"serial": self.unsold_serial, "code": self.codes[self.unsold_serial]}),
            ]
            for index, (reason, kwargs) in enumerate(cases):
                log = self.env["aftersales.registration"]._aftersales_attempt(
                    self.company, kwargs["serial"], "web", code=kwargs["code"], phone=f"0912000000{index}"
                )
                self.assertEqual((log.state, log.reason), ("refused", reason), kwargs)
            self.assertEqual(self._warranty_of(serial).state, "unregistered", "a refusal writes only the log")
            self.assertEqual(self._attempt(serial, self.codes[serial]).state, "registered")
            again = self._attempt(serial, self.codes[serial], phone="09129999999")
        self.assertEqual((again.state, again.reason), ("refused", "already_registered"))
        self.assertEqual(self._warranty_of(serial).registered_phone, self.buyer_e164)
        self.assertIn("call us", again._reason_message(again.reason))

    def test_register_is_the_warranty_door(self):
        warranty = self._warranty_of(self.serials[0])
        warranty._register_buyer("agent", phone=self.buyer_e164, name="Walk-in")
        with self.assertRaisesRegex(UserError, "already registered"):
            warranty._register_buyer("agent", phone=self.buyer_e164)
        other = self._warranty_of(self.serials[1]).with_user(self.agent)
        with self.assertRaises(UserError):
            other.write({"state": "active"})
        with self.assertRaises(UserError):
            other.write({"registration_channel": "web"})

    def test_persian_and_arabic_digits(self):
        serial = self.serials[2]
        persian_serial = "AC-۲۰۲۶-۰۰۰۳"
        arabic_code = self.codes[serial].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        with freeze_time("2026-03-01 10:00:00"):
            log = self._attempt(persian_serial, f" {arabic_code} ", phone="۰۹۱۲۱۲۳۴۵۶۷")
        self.assertEqual(log.state, "registered")
        self.assertEqual(log.serial, serial)
        self.assertEqual(self._warranty_of(serial).registered_phone, self.buyer_e164)

    def test_five_wrong_codes_lock_the_serial_for_a_day(self):
        serial = self.serials[0]
        with freeze_time("2026-03-01 10:00:00"):
            for index in range(5):
                log = self._attempt(serial, "9999", phone=f"0912000001{index}")
                self.assertEqual(log.reason, "wrong_code")
            log = self._attempt(serial, self.codes[serial], phone="09120000200")
            self.assertEqual(log.reason, "locked", "even the right code waits")
            other = self._attempt(self.serials[1], self.codes[self.serials[1]], phone="09120000201")
            self.assertEqual(other.state, "registered", "only that serial is locked")
        with freeze_time("2026-03-02 10:01:00"):
            log = self._attempt(serial, self.codes[serial], phone="09120000202")
        self.assertEqual(log.state, "registered")

    def test_rate_limits_per_phone_and_ip(self):
        with freeze_time("2026-03-01 10:00:00"):
            for _index in range(5):
                self.assertEqual(self._attempt("NOPE").reason, "unknown_serial")
            self.assertEqual(
                self._attempt(self.serials[0], self.codes[self.serials[0]]).reason, "rate_limited"
            )
            self.company.aftersales_registration_ip_limit = 3
            for index in range(3):
                log = self._attempt("NOPE", phone=f"0912000003{index}", ip="203.0.113.7")
                self.assertEqual(log.reason, "unknown_serial")
            log = self._attempt("NOPE", phone="09120000040", ip="203.0.113.7")
            self.assertEqual(log.reason, "rate_limited")
            self.assertNotIn("203.0.113.7", str(log.ip_hash), "the address is kept hashed")
            self.assertEqual(
                self._attempt("NOPE", phone="09120000041", ip="203.0.113.8").reason, "unknown_serial"
            )
        with freeze_time("2026-03-01 11:01:00"):
            log = self._attempt(self.serials[0], self.codes[self.serials[0]])
        self.assertEqual(log.state, "registered", "an hour later the phone may try again")

    def test_serial_of_another_company_is_unknown(self):
        company_b = self.env["res.company"].create({"name": "Other Co"})
        lot_b = self.env["stock.lot"].create(
            {"name": "B-0001", "product_id": self.product_serial.id, "company_id": company_b.id}
        )
        log = self._attempt(lot_b.name, "1")
        self.assertEqual((log.state, log.reason, log.lot_id.id), ("refused", "unknown_serial", False))
        check = self.env["aftersales.serial.check"]._aftersales_check(self.company, lot_b.name, "web")
        self.assertEqual(check["result"], "unknown")

    def test_check_answers_without_owner(self):
        serial = self.serials[0]
        Check = self.env["aftersales.serial.check"]
        self.assertEqual(
            Check._aftersales_check(self.company, serial, "web", "1.2.3.4")["result"], "unregistered"
        )
        self.assertEqual(
            Check._aftersales_check(self.company, self.unsold_serial, "web")["result"], "unknown"
        )
        self.assertEqual(Check._aftersales_check(self.company, "FAKE-1", "web")["result"], "unknown")
        with freeze_time("2026-03-01 10:00:00"):
            self._attempt(serial, self.codes[serial])
            answer = Check._aftersales_check(self.company, serial, "sms", "+989120000000")
        self.assertEqual(
            answer, {"result": "registered", "date_end": date(2027, 3, 1), "rate_limited": False}
        )
        logs = Check.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(logs), 4)
        self.assertNotIn("+989120000000", logs.mapped("requester_hash"))

    def test_many_phones_checking_one_serial_raise_an_activity(self):
        self.company.aftersales_clone_check_phones = 3
        serial = self.serials[0]
        warranty = self._warranty_of(serial)
        Check = self.env["aftersales.serial.check"]
        for index in range(2):
            Check._aftersales_check(self.company, serial, "sms", f"+98912000005{index}")
        self.assertFalse(warranty.activity_ids)
        for index in range(2, 5):
            Check._aftersales_check(self.company, serial, "sms", f"+98912000005{index}")
        self.assertEqual(len(warranty.activity_ids), 1)
        self.assertEqual(warranty.activity_ids.summary, "Possibly cloned serial")

    def test_import_codes_wizard(self):
        other_product = self.env["product.product"].create(
            {"name": "Fridge", "type": "consu", "is_storable": True, "tracking": "serial"}
        )
        self.env["stock.lot"].create({"name": "FR-1", "product_id": other_product.id})
        data = (
            "serial,code\n"
            "NEW-0001,11-22\n"
            "NEW-0002,\n"
            "NEW-0001,33\n"
            "FR-1,44\n"
            f"{self.serials[0]},5555\n"
            ",66\n"
            "NEW-۰۰۰۳, ۱۲۳ \n"
        )
        wizard = (
            self.env["aftersales.serial.code.import"]
            .with_user(self.manager)
            .create({"product_id": self.product_serial.id, "data_file": base64.b64encode(data.encode())})
        )
        wizard.action_import()
        self.assertEqual((wizard.created_count, wizard.updated_count, wizard.refused_count), (2, 3, 4))
        self.assertIn("Line 3", wizard.refused_lines)
        self.assertIn("Line 4", wizard.refused_lines)
        self.assertIn("Fridge", wizard.refused_lines)
        new = self.env["stock.lot"].search([("name", "in", ["NEW-0001", "NEW-0003"])])
        self.assertEqual(len(new), 2)
        self.assertTrue(all(new.mapped("aftersales_has_code")))
        self.assertEqual(new.product_id, self.product_serial)
        lot = new.filtered(lambda lot: lot.name == "NEW-0001")
        self.assertTrue(lot._aftersales_code_matches("1122"))
        self.assertTrue(lot._aftersales_code_matches("11 22"))
        self.assertFalse(lot._aftersales_code_matches("33"))
        self.assertTrue(self.lots[0]._aftersales_code_matches("5555"), "a new code replaces the old")
        with self.assertRaises(AccessError):
            self.env["aftersales.serial.code.import"].with_user(self.agent).create(
                {"product_id": self.product_serial.id, "data_file": base64.b64encode(data.encode())}
            )

    def test_import_refuses_a_file_that_is_not_text(self):
        wizard = self.env["aftersales.serial.code.import"].create(
            {"product_id": self.product_serial.id, "data_file": base64.b64encode(b"\xff\xfe\x00\x81")}
        )
        with self.assertRaisesRegex(UserError, "UTF-8"):
            wizard.action_import()

    def test_code_hash_is_readable_by_nobody(self):
        admin = new_test_user(
            self.env,
            login="as_admin_reg",
            groups="base.group_system,stock.group_stock_manager,aftersales_warranty.group_aftersales_manager",
            name="Admin",
        )
        lot = self.lots[0]
        self.assertTrue(lot.sudo().aftersales_code_hash)
        self.assertNotIn(self.codes[lot.name], lot.sudo().aftersales_code_hash)
        for user in (admin, self.manager, self.agent):
            with self.assertRaises(AccessError):
                lot.with_user(user).read(["aftersales_code_hash"])
            self.assertNotIn("aftersales_code_hash", lot.with_user(user).read()[0])
            with self.assertRaises(AccessError):
                lot.with_user(user).write({"aftersales_code_hash": "x"})
        self.assertNotIn("aftersales_code_hash", self.env["stock.lot"].with_user(admin).fields_get())

    def test_log_is_read_by_agents_and_written_by_nobody(self):
        with freeze_time("2026-03-01 10:00:00"):
            log = self._attempt("NOPE")
        self.assertEqual(log.with_user(self.agent).read(["reason"])[0]["reason"], "unknown_serial")
        for user in (self.agent, self.manager):
            with self.assertRaises(AccessError):
                log.with_user(user).write({"reason": "locked"})
            with self.assertRaises(AccessError):
                self.env["aftersales.registration"].with_user(user).create(
                    {"channel": "web", "state": "registered", "company_id": self.company.id}
                )
            with self.assertRaises(AccessError):
                log.with_user(user).unlink()
        portal = new_test_user(self.env, login="as_portal_reg", groups="base.group_portal", name="Portal")
        for model in ("aftersales.registration", "aftersales.serial.check"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(portal).search([])
        with self.assertRaises(AccessError):
            log.with_user(self.salesman).read(["reason"])


@tagged("post_install", "-at_install")
class TestRegistrationAgentAndCertificate(RegistrationCommon):
    def test_agent_registers_from_the_serial_lookup(self):
        serial = self.serials[4]
        wizard = self.env["aftersales.warranty.lookup"].with_user(self.agent).create({"serial": serial})
        self.assertEqual(wizard.state, "unregistered")
        wizard.write({"buyer_name": "Walk-in", "buyer_phone": "09121112233", "buyer_code": "0"})
        with self.assertRaisesRegex(UserError, "code does not match"):
            wizard.action_register_buyer()
        wizard.buyer_code = self.codes[serial]
        with freeze_time("2026-03-01 10:00:00"):
            wizard.action_register_buyer()
        warranty = self._warranty_of(serial)
        self.assertEqual((warranty.state, warranty.registration_channel), ("active", "agent"))
        log = self.env["aftersales.registration"].search(
            [("warranty_id", "=", warranty.id), ("state", "=", "registered")]
        )
        self.assertEqual(log.user_id, self.agent)
        salesman_wizard = (
            self.env["aftersales.warranty.lookup"].with_user(self.salesman).create({"serial": serial})
        )
        with self.assertRaises(AccessError):
            salesman_wizard.action_register_buyer()

    def test_certificate_carries_the_qr_code_of_its_check(self):
        warranty = self._warranty_of(self.serials[0])
        self.assertTrue(warranty._aftersales_check_url().endswith("/warranty/check?serial=AC-2026-0001"))
        self.assertTrue(warranty._aftersales_check_qr_src().startswith("data:image/png;base64,"))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("aftersales_warranty.action_report_warranty_certificate", warranty.ids)[0]
            .decode()
        )
        self.assertIn("o_aftersales_check_qr", html)
        self.assertIn("/warranty/check?serial=AC-2026-0001", html)
