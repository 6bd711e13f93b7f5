from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .call_common import CDR_HEADER, AftersalesCallCommon, cdr_line


@tagged("post_install", "-at_install")
class TestCallIntake(AftersalesCallCommon):
    def test_phone_matching_local_international_foreign(self):
        """0912..., +98..., 0098... are the same Iranian customer; a foreign number finds its own."""
        rows = [
            self._cdr("09123456789", "02188776655", "2026-05-31 10:00:00"),
            self._cdr("+989123456789", "02188776655", "2026-05-31 10:05:00"),
            self._cdr("00989123456789", "02188776655", "2026-05-31 10:10:00"),
            self._cdr("۰۹۳۵۱۱۱۲۲۳۳", "02188776655", "2026-05-31 10:15:00"),  # Persian digits
            self._cdr("0014155552671", "02188776655", "2026-05-31 10:20:00"),
            self._cdr("+14155552671", "02188776655", "2026-05-31 10:25:00"),
            self._cdr("anonymous", "02188776655", "2026-05-31 10:30:00"),
        ]
        result = self._intake(rows)
        self.assertEqual(result, {"created": 7, "duplicates": 0, "errors": []})
        calls = self.Call.search([], order="date_start")
        self.assertEqual(
            calls.mapped("caller_number"),
            ["+989123456789"] * 3 + ["+989351112233"] + ["+14155552671"] * 2 + ["anonymous"],
        )
        self.assertEqual(calls.mapped("called_number"), ["+982188776655"] * 7)
        self.assertEqual(calls.partner_id, self.reza | self.sara | self.john)
        self.assertEqual(calls[:3].partner_id, self.reza)
        self.assertEqual(calls[4:6].partner_id, self.john)
        self.assertFalse(calls[6].partner_id)
        self.assertEqual(set(calls.mapped("direction")), {"inbound"})
        # 10:00 in Tehran (UTC+3:30) is 06:30 UTC; the day and hour are Tehran's.
        self.assertEqual(str(calls[0].date_start), "2026-05-31 06:30:00")
        self.assertEqual((str(calls[0].call_day), calls[0].call_hour), ("2026-05-31", 10))

    def test_direction_agent_and_claim(self):
        claim = self.Claim.create({"partner_id": self.reza.id, "channel": "phone"})
        rows = [
            # To the company's number, answered at extension 102: inbound, the manager's.
            self._cdr("09123456789", "88776656", "2026-05-31 09:00:00", dstchannel="PJSIP/102-00000002"),
            self._cdr("09123456789", "02188776656", "2026-05-31 09:01:00", dstchannel="PJSIP/102-00000003"),
            # From extension 101 to a customer: outbound, the agent's.
            self._cdr("101", "09123456789", "2026-05-31 09:10:00", channel="SIP/101-0000002a"),
            # A customer dialling an extension directly: inbound.
            self._cdr("09351112233", "101", "2026-05-31 09:20:00", disposition="BUSY"),
        ]
        self._intake(rows)
        calls = self.Call.search([], order="date_start")
        self.assertEqual(calls.mapped("direction"), ["inbound", "inbound", "outbound", "inbound"])
        self.assertEqual(calls.mapped("user_id").ids, [self.manager.id, self.agent.id])
        self.assertEqual(calls[2].user_id, self.agent)
        self.assertEqual(calls[3].user_id, self.agent)
        self.assertEqual(calls[:3].claim_id, claim)
        self.assertFalse(calls[3].claim_id)
        self.assertEqual(calls[3].status, "busy")
        # The claim and the customer show their calls: smart buttons and a note in their chatter.
        self.assertEqual(claim.aftersales_call_count, 3)
        self.assertEqual(self.reza.with_user(self.agent).aftersales_call_count, 3)
        action = claim.with_user(self.agent).action_view_aftersales_calls()
        self.assertEqual(self.Call.with_user(self.agent).search(action["domain"]), calls[:3])
        action = self.sara.with_user(self.agent).action_view_aftersales_calls()
        self.assertEqual(self.Call.with_user(self.agent).search(action["domain"]), calls[3])
        self.assertIn("Call made to +989123456789", claim.message_ids[0].body)
        self.assertIn("Call received from +989123456789", claim.message_ids[0].body)
        self.assertIn("Missed", self.sara.message_ids[0].body.replace("Unanswered", "Missed"))

    def test_bad_rows_are_reported_and_the_others_stored(self):
        rows = [
            self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00"),
            self._cdr("09123456789", "02188776655", "yesterday"),
            self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", disposition="RINGING"),
            {"src": "0912", "start": "2026-05-31 09:00:00", "disposition": "ANSWERED"},  # no uniqueid
            self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", duration="-5"),
            self._cdr(["x"], "02188776655", "2026-05-31 09:00:00"),
            "not a call",
            self._cdr("09123456789", "02188776655", "1780207200"),  # epoch seconds
            self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", duration=5, billsec=9),
            self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", uniqueid="1" * 2000),
        ]
        with self.assertNoLogs("odoo", level="ERROR"):
            result = self.Call._aftersales_intake_rows(self.company, rows, "webhook")
        self.assertEqual(result["created"], 2)
        self.assertEqual([error["index"] for error in result["errors"]], [1, 2, 3, 4, 5, 6, 8, 9])
        self.assertIn("talk time", result["errors"][6]["error"])
        self.assertIn("longer than 150 characters", result["errors"][7]["error"])
        self.assertFalse(self.Call.search_count([("external_id", "=like", "1111%")]))
        self.assertIn("RINGING", result["errors"][1]["error"])
        self.assertIn("uniqueid", result["errors"][2]["error"])

    def test_same_call_stored_once(self):
        row = self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", uniqueid="1767.1")
        self.assertEqual(self._intake([row, dict(row)]), {"created": 1, "duplicates": 1, "errors": []})
        self.assertEqual(self._intake([row]), {"created": 0, "duplicates": 1, "errors": []})
        self.assertEqual(self.Call.search_count([("external_id", "=", "1767.1")]), 1)


@tagged("post_install", "-at_install")
class TestCallImport(AftersalesCallCommon):
    def _master_csv(self, header):
        lines = [
            cdr_line(
                "09123456789",
                "02188776655",
                "2026-05-31 09:00:00",
                "ANSWERED",
                "1780.1",
                dstchannel="SIP/101-01",
            ),
            cdr_line("09123456789", "02188776655", "2026-05-31 09:05:00", "NO ANSWER", "1780.2"),
            cdr_line("09351112233", "02188776655", "2026-05-31 09:06:00", "BUSY", "1780.3"),
            cdr_line("09351112233", "02188776655", "2026-05-31 09:07:00", "FAILED", "1780.4"),
            cdr_line(
                "101", "00989351112233", "2026-05-31 09:08:00", "CONGESTION", "1780.5", channel="SIP/101-02"
            ),
            cdr_line(
                "101", "+14155552671", "2026-05-31 09:09:00", "NO ANSWER", "1780.6", channel="SIP/101-03"
            ),
            cdr_line("102", "09123456789", "2026-05-31 09:30:00", "ANSWERED", "1780.7", channel="SIP/102-04"),
        ]
        return "\n".join(([CDR_HEADER] if header else []) + lines) + "\n"

    def test_import_every_disposition_both_directions(self):
        with self.assertNoLogs("odoo", level="ERROR"):
            wizard = self._import(self._master_csv(header=True))
        self.assertEqual(
            (
                wizard.state,
                wizard.line_count,
                wizard.created_count,
                wizard.duplicate_count,
                wizard.error_count,
            ),
            ("done", 7, 7, 0, 0),
        )
        calls = self.Call.search([], order="date_start")
        self.assertEqual(
            [(call.direction, call.status) for call in calls],
            [
                ("inbound", "answered"),
                ("inbound", "missed"),
                ("inbound", "busy"),
                ("inbound", "failed"),
                ("outbound", "failed"),
                ("outbound", "missed"),
                ("outbound", "answered"),
            ],
        )
        self.assertEqual(set(calls.mapped("source")), {"cdr_import"})
        self.assertEqual(calls[0].user_id, self.agent)
        self.assertEqual(calls[6].user_id, self.manager)
        self.assertEqual(calls[4].partner_id, self.sara)
        self.assertEqual(calls[5].partner_id, self.john)
        self.assertEqual((calls[0].duration, calls[0].talk_seconds), (30, 20))
        # The missed call at 09:05 was called back at 09:30 by the manager's answered call.
        self.assertEqual(calls[1].callback_call_id, calls[6])
        self.assertFalse(self._activities(self.reza))

    def test_reimport_without_header_adds_nothing(self):
        self._import(self._master_csv(header=True))
        wizard = self._import(self._master_csv(header=False) + '"bad","line"\n')
        self.assertEqual((wizard.created_count, wizard.duplicate_count, wizard.error_count), (0, 7, 1))
        self.assertIn("Line 8", wizard.error_report)
        self.assertEqual(self.Call.search_count([]), 7)

    def test_import_small_batches_and_bad_files(self):
        lines = [
            cdr_line(
                "09123456789", "02188776655", f"2026-05-31 10:{minute:02d}:00", "NO ANSWER", f"1781.{minute}"
            )
            for minute in range(25)
        ]
        wizard = (
            self.env["aftersales.call.import"]
            .with_user(self.manager)
            .create({"file": __import__("base64").b64encode("\n".join(lines).encode())})
        )
        result = self.Call._aftersales_intake_rows(
            self.company, wizard._read_rows(), "cdr_import", batch_size=10
        )
        self.assertEqual(result["created"], 25)
        # 25 missed rings of one number on one day, over three batches: one activity.
        self.assertEqual(len(self._activities(self.reza)), 1)
        for content in (b"\x00\x01", b""):
            with self.subTest(content=content), self.assertRaises(UserError):
                self._import(content.decode())

    def test_only_managers_import(self):
        with self.assertRaises(AccessError):
            self._import(self._master_csv(header=True), user=self.agent)
        self.assertFalse(self.Call.search_count([]))


@tagged("post_install", "-at_install")
class TestCallBack(AftersalesCallCommon):
    def test_call_back_life_cycle(self):
        # Two missed rings from Reza on one day: one activity on Reza, for the team.
        self._intake([self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", "NO ANSWER")])
        self._intake([self._cdr("+989123456789", "02188776655", "2026-05-31 11:00:00", "NO ANSWER")])
        activity = self._activities(self.reza)
        self.assertEqual(len(activity), 1)
        # Never nobody's (the new user's third walkthrough): the company's first After-Sales manager.
        self.assertTrue(activity.user_id.has_group("aftersales_warranty.group_aftersales_manager"))
        self.assertEqual(str(activity.date_deadline), "2026-05-31")
        missed = self.Call.search([("status", "=", "missed")])
        self.assertEqual(missed.callback_activity_id, activity)
        self.assertTrue(all(missed.mapped("to_call_back")))
        # An unknown number: the activity is on the call itself.
        self._intake([self._cdr("02122223333", "02188776655", "2026-05-31 11:30:00", "NO ANSWER")])
        unknown = self.Call.search([("caller_number", "=", "+982122223333")])
        self.assertEqual(len(self._activities(unknown)), 1)
        # An unanswered call back does not count; an answered one marks the activity done.
        self._intake(
            [self._cdr("101", "09123456789", "2026-05-31 12:00:00", "NO ANSWER", channel="SIP/101-1")]
        )
        self.assertTrue(activity.active)
        self._intake([self._cdr("101", "09123456789", "2026-05-31 12:05:00", channel="SIP/101-2")])
        self.assertFalse(activity.active)  # done: archived, with its message on Reza
        back = self.Call.search([("direction", "=", "outbound"), ("status", "=", "answered")])
        self.assertEqual(missed.callback_call_id, back)
        self.assertFalse(any(missed.mapped("to_call_back")))
        self.assertTrue(any("Called back" in message.body for message in self.reza.message_ids))
        # Another miss the next day: a new activity.
        self._intake([self._cdr("09123456789", "02188776655", "2026-06-01 09:00:00", "NO ANSWER")])
        self.assertEqual(len(self._activities(self.reza)), 1)
        self.assertEqual(str(self._activities(self.reza).date_deadline), "2026-06-01")

    def test_call_back_stored_before_the_missed_call(self):
        """Files imported out of order: the call back already stored marks the missed call."""
        self._intake([self._cdr("101", "09123456789", "2026-05-31 12:05:00", channel="SIP/101-2")])
        self._intake([self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", "NO ANSWER")])
        self.assertFalse(self._activities(self.reza))
        self.assertTrue(self.Call.search([("status", "=", "missed")]).callback_call_id)


@tagged("post_install", "-at_install")
class TestCallAccessAndCompanies(AftersalesCallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Call Co B", "country_id": cls.iran.id})
        cls.company_b._aftersales_generate_pbx_token()
        cls.agent_b = new_test_user(
            cls.env,
            login="call_agent_b",
            groups="aftersales_warranty.group_aftersales_user",
            company_id=cls.company_b.id,
            company_ids=[cls.company_b.id],
        )

    def test_token_finds_its_company_only(self):
        Company = self.env["res.company"]
        self.assertEqual(Company._aftersales_company_by_pbx_token(self.token), self.company)
        token_b = self.company_b.sudo().aftersales_pbx_token
        self.assertEqual(Company._aftersales_company_by_pbx_token(token_b), self.company_b)
        self.assertNotEqual(token_b, self.token)
        for wrong in ("", None, self.token[:-1], self.token + "x", 42):
            self.assertFalse(Company._aftersales_company_by_pbx_token(wrong))
        # The same uniqueid in two companies is two calls.
        row = self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", uniqueid="same.1")
        self._intake([row])
        self._intake([row], company=self.company_b)
        self.assertEqual(
            self.Call.search([("external_id", "=", "same.1")]).company_id, self.company | self.company_b
        )
        # Reza is a customer of company 1 only: company B's call finds no customer of company 1.
        self.reza.company_id = self.company
        self._intake([self._cdr("09123456789", "02188776655", "2026-05-31 10:00:00")], company=self.company_b)
        call_b = self.Call.search([("company_id", "=", self.company_b.id)], order="date_start desc", limit=1)
        self.assertFalse(call_b.partner_id)

    def test_agents_read_their_company_calls_portal_none(self):
        self._intake([self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00")])
        self._intake([self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00")], company=self.company_b)
        call_a = self.Call.search([("company_id", "=", self.company.id)])
        call_b = self.Call.search([("company_id", "=", self.company_b.id)])
        self.assertEqual(self.Call.with_user(self.agent).search([]), call_a)
        self.assertEqual(self.Call.with_user(self.agent_b).search([]), call_b)
        with self.assertRaises(AccessError):
            call_b.with_user(self.agent).read(["caller_number"])
        with self.assertRaises(AccessError):
            call_a.with_user(self.agent).write({"note": "Mine"})
        with self.assertRaises(AccessError):
            self.Call.with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.env["aftersales.call.report"].with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.reza.with_user(self.portal).action_view_aftersales_calls()
        # The manager manages: notes, a call logged by hand; what the exchange set stays.
        call_a.with_user(self.manager).write({"note": "Asked about the repair"})
        with self.assertRaises(UserError):
            call_a.with_user(self.manager).write({"external_id": "forged"})
        form = Form(self.Call.with_user(self.manager))
        form.partner_id = self.reza
        form.caller_number = "09123456789"
        manual = form.save()
        self.assertEqual((manual.source, manual.company_id), ("manual", self.company))
        with self.assertRaises(UserError):
            self.Call.with_user(self.manager).create({"source": "webhook"})

    def test_extension_checks(self):
        with self.assertRaises(ValidationError):
            self.manager.aftersales_pbx_extension = "101"  # the agent's
        with self.assertRaises(ValidationError):
            self.manager.aftersales_pbx_extension = "1 0 3"
        self.agent_b.aftersales_pbx_extension = "101"  # another company's exchange


@tagged("post_install", "-at_install")
class TestCallReport(AftersalesCallCommon):
    def test_kpis(self):
        claim = self.Claim.create({"partner_id": self.reza.id, "channel": "phone"})
        rows = [
            self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", "NO ANSWER"),
            self._cdr("09123456789", "02188776655", "2026-05-31 09:10:00", dstchannel="SIP/101-1"),
            self._cdr("09123456789", "02188776655", "2026-05-31 10:00:00", "NO ANSWER"),
            self._cdr("101", "09123456789", "2026-05-31 11:00:00", channel="SIP/101-2"),  # call back
            self._cdr("09351112233", "02188776655", "2026-05-31 12:00:00", "NO ANSWER"),
        ]
        self._intake(rows)
        Report = self.env["aftersales.call.report"].with_user(self.agent)
        totals = Report.formatted_read_group(
            [],
            [],
            [
                "calls_in:sum",
                "calls_out:sum",
                "calls_missed:sum",
                "answer_rate:avg",
                "callback_hours:median",
                "missed_not_called_back:sum",
                "repeat_caller_count:count_distinct",
            ],
        )[0]
        self.assertEqual(totals["calls_in:sum"], 4)
        self.assertEqual(totals["calls_out:sum"], 1)
        self.assertEqual(totals["calls_missed:sum"], 3)
        self.assertEqual(totals["answer_rate:avg"], 25.0)
        self.assertEqual(totals["callback_hours:median"], 1.5)  # 2 h and 1 h
        self.assertEqual(totals["missed_not_called_back:sum"], 1)
        self.assertEqual(totals["repeat_caller_count:count_distinct"], 1)  # Reza, 3 calls on his claim
        by_hour = Report.formatted_read_group([], ["call_hour", "user_id"], ["calls_in:sum"])
        self.assertIn((9, False, 1), [(g["call_hour"], g["user_id"], g["calls_in:sum"]) for g in by_hour])
        self.assertEqual(Report.search_count([("repeat_caller", "=", True), ("claim_id", "=", claim.id)]), 4)

    @freeze_time("2026-06-01 08:00:00")
    def test_settings_token(self):
        settings = self.env["res.config.settings"].create({})
        with self.assertRaises(AccessError):
            settings.with_user(self.manager).action_aftersales_generate_pbx_token()
        self.assertEqual(self.company.sudo().aftersales_pbx_token, self.token)
        self.assertNotIn("aftersales_pbx_token", self.env["res.company"].with_user(self.manager).fields_get())
        admin_settings = self.env["res.config.settings"].create({})
        admin_settings.action_aftersales_generate_pbx_token()
        self.assertNotEqual(self.company.sudo().aftersales_pbx_token, self.token)


@tagged("post_install", "-at_install")
class TestUnknownExtensions(AftersalesCallCommon):
    """A Master.csv imported before the agents' extensions are set (the new user's walkthrough)."""

    def test_calls_from_an_unknown_extension_are_no_missed_calls_and_the_import_says_so(self):
        self.company.aftersales_callback_user_id = self.agent
        lines = [
            # From extension 105 (nobody's) to a customer: unanswered, then answered.
            cdr_line("105", "09123456789", "2026-05-31 09:00:00", "NO ANSWER", "1790.1", channel="SIP/105-1"),
            cdr_line("105", "09123456789", "2026-05-31 09:05:00", "ANSWERED", "1790.2", channel="SIP/105-2"),
            # A customer's missed ring to the company, taken by nobody.
            cdr_line("09351112222", "02188776655", "2026-05-31 09:10:00", "NO ANSWER", "1790.3"),
        ]
        wizard = self._import("\n".join(lines) + "\n")
        self.assertEqual(wizard.created_count, 3)
        self.assertEqual(wizard.unknown_extensions, "105")
        out = self.Call.search([("external_id", "in", ("1790.1", "1790.2"))])
        self.assertEqual(set(out.mapped("direction")), {"outbound"}, "not inbound missed calls 'from 105'")
        self.assertFalse(any(out.mapped("to_call_back")))
        self.assertFalse(out.callback_activity_id, "nothing to call back")
        missed = self.Call.search([("external_id", "=", "1790.3")])
        self.assertEqual(missed.direction, "inbound")
        self.assertEqual(missed.callback_activity_id.user_id, self.agent, "the setting's user calls back")
        # Once the extension is set, a new import of the same calls names no unknown extension.
        self.manager.aftersales_pbx_extension = "105"
        again = self._import("\n".join(lines) + "\n")
        self.assertFalse(again.unknown_extensions)
        self.assertEqual(again.duplicate_count, 3)
