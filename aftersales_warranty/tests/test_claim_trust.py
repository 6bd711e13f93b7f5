"""What the claim model enforces whoever calls it: derived fields, roles, the mail gateway, one
open claim per unit, clean refusals. The back-office form is driven with ``odoo.tests.Form``, which
sends what the web client sends (onchanges included)."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .claim_common import AftersalesClaimCommon

EMAIL = """Return-Path: <golnar@example.com>
To: claims@example.com
From: Golnar Customer <golnar@example.com>
Subject: My air conditioner leaks
Message-ID: <{mid}@example.com>
Date: Mon, 01 Jun 2026 08:00:00 +0000
Content-Type: text/plain; charset="utf-8"

Water drips from the indoor unit.
"""


@tagged("post_install", "-at_install")
class TestClaimTrust(AftersalesClaimCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sla = cls.env["aftersales.claim.sla"].create(
            {"name": "Appliances", "product_categ_ids": [(4, cls.appliances.id)], "resolve_hours": 48}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="trust_portal",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            email=cls.customer.email,
        )
        # A second customer with its own delivered unit and warranty.
        cls.other_customer.email = "other@example.com"
        (cls.other_lot,) = cls._add_stock(cls.product_serial, lot_names=["AC-OTHER"])
        cls.other_order = cls._sell([(cls.product_serial, 1)], partner=cls.other_customer)
        cls._deliver(cls.other_order)
        cls.other_warranty = cls.other_lot.warranty_id

    # ------------------------------------------------------------------
    # The back-office form
    # ------------------------------------------------------------------

    def test_form_keeps_the_service_level(self):
        with Form(self.Claim.with_user(self.agent)) as form:
            form.lot_id = self.lot
            self.assertEqual(form.warranty_id, self.warranty)
            self.assertTrue(form.date_deadline, "the form shows the deadline it will send")
        claim = form.record
        self.assertEqual(claim.sla_id, self.sla, "the service level survives the save")
        self.assertEqual(claim.date_deadline, datetime(2026, 6, 3, 8, 0))
        self.assertEqual(claim.warranty_id, self.warranty)
        self.assertEqual(claim.sale_order_id, self.order)
        self.assertTrue(claim.under_warranty)

    def test_form_clearing_the_serial_clears_warranty_and_order(self):
        with Form(self.Claim.with_user(self.agent)) as form:
            form.partner_id = self.customer
            form.lot_id = self.lot
            self.assertEqual(form.sale_order_id, self.order)
            form.lot_id = self.env["stock.lot"]
            self.assertFalse(form.warranty_id)
            self.assertFalse(form.sale_order_id)
            form.product_id = self.product_serial
        claim = form.record
        self.assertFalse(claim.warranty_id)
        self.assertFalse(claim.sale_order_id)
        self.assertFalse(claim.under_warranty, "no serial, no warranty: not covered")
        # Clearing the serial of a saved claim does the same.
        claim = self._claim()
        self.assertEqual(claim.warranty_id, self.warranty)
        with Form(claim.with_user(self.agent)) as form:
            form.lot_id = self.env["stock.lot"]
        self.assertFalse(claim.warranty_id)
        self.assertFalse(claim.sale_order_id)
        self.assertFalse(claim.under_warranty)

    def test_form_serial_field_offers_the_customer_s_serials_only(self):
        arch = self.Claim.with_user(self.agent).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("'no_create': True", arch, "no stock serial is created from a claim")
        self.assertIn("warranty_ids.commercial_partner_id", arch)
        lots = (
            self.env["stock.lot"]
            .with_user(self.agent)
            .search(
                [
                    ("product_id", "=", self.product_serial.id),
                    ("warranty_ids.commercial_partner_id", "=", self.customer.id),
                ]
            )
        )
        self.assertEqual(lots, self.lot | self.lot_2)

    # ------------------------------------------------------------------
    # Derived fields and roles, as the agent calls the model
    # ------------------------------------------------------------------

    def test_agent_cannot_write_what_the_system_derives(self):
        claim = self._claim()
        before = claim.read(["state", "under_warranty", "warranty_id", "sla_id", "resolution"])
        for vals in (
            {"state": "in_progress"},
            {"under_warranty": False},
            {"warranty_id": self.other_warranty.id},
            {"sale_order_id": self.other_order.id},
            {"sla_id": False},
            {"resolution": "refund"},
            {"date_resolved": "2026-06-01 10:00:00"},
            {"customer_confirmed": False},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(UserError, "is set by the system"), self.env.cr.savepoint():
                    claim.with_user(self.agent).write(vals)
                claim.invalidate_recordset()
                self.assertEqual(
                    claim.read(["state", "under_warranty", "warranty_id", "sla_id", "resolution"]), before
                )
        with self.assertRaisesRegex(UserError, "is set by the system"), self.env.cr.savepoint():
            self.Claim.with_user(self.agent).create({"lot_id": self.lot_2.id, "state": "in_progress"})

    def test_context_defaults_do_not_set_protected_fields(self):
        # Any JSON-RPC caller chooses its context: default_<field> is a value like any other.
        Claim = self.Claim.with_user(self.agent).with_context(
            default_state="in_progress", default_under_warranty=False, default_customer_confirmed=False
        )
        claim = Claim.create({"lot_id": self.lot.id})
        self.assertEqual(claim.state, "new")
        self.assertTrue(claim.under_warranty)
        self.assertTrue(claim.customer_confirmed)
        # Nor through the mail gateway, which runs as superuser with the caller's context.
        claim_id = (
            self.Claim.with_user(self.salesman)
            .with_context(default_state="closed")
            .message_process("aftersales.claim", EMAIL.format(mid="context-default"))
        )
        self.assertEqual(self.Claim.browse(claim_id).state, "new")

    def test_warranty_is_always_the_serial_s(self):
        # Another customer's warranty sent with a serial: the serial's own warranty is kept.
        claim = self.Claim.with_user(self.agent).with_context(default_warranty_id=self.other_warranty.id)
        claim = claim.create({"lot_id": self.lot.id})
        self.assertEqual(claim.warranty_id, self.warranty)
        self.assertEqual(claim.sale_order_id, self.order)
        claim.with_user(self.agent).write({"lot_id": self.lot_2.id})
        self.assertEqual(claim.warranty_id, self.lot_2.warranty_id)
        claim.with_user(self.agent).write({"lot_id": False})
        self.assertFalse(claim.warranty_id)
        self.assertFalse(claim.sale_order_id)

    def test_out_of_warranty_repair_cannot_be_made_free(self):
        with freeze_time("2027-03-01 08:00:00"):
            claim = self._claim_in_state("diagnosis")
            self.assertFalse(claim.under_warranty)
            with self.assertRaisesRegex(UserError, "is set by the system"), self.env.cr.savepoint():
                claim.with_user(self.agent).write({"under_warranty": True})
            claim.action_start_repair()
            repair = claim.repair_order_ids
            self.assertEqual((claim.state, repair.state), ("awaiting_approval", "draft"))
            self.assertFalse(repair.under_warranty)
            with self.assertRaisesRegex(AccessError, "only an After-Sales manager"), self.env.cr.savepoint():
                repair.with_user(self.agent).write({"under_warranty": True})
            with self.assertRaisesRegex(AccessError, "approve a paid repair"), self.env.cr.savepoint():
                claim.action_approve()
            self.assertEqual((claim.state, repair.state), ("awaiting_approval", "draft"))
            claim.with_user(self.manager).action_approve()
            self.assertEqual((claim.state, repair.state), ("in_progress", "confirmed"))

    def test_customer_approves_or_declines_the_quotation(self):
        with freeze_time("2027-03-01 08:00:00"):
            claim = self._claim_in_state("diagnosis")
            claim.action_start_repair()
            repair = claim.repair_order_ids
            claim.sudo()._portal_decline_quotation()
            self.assertEqual((claim.state, claim.resolution, repair.state), ("diagnosis", False, "cancel"))
            self.assertTrue(claim.activity_ids, "the agent is told to follow up")
            self.assertIn("declined", claim.message_ids[:1].body)
            with self.assertRaisesRegex(UserError, "is Diagnosis"), self.env.cr.savepoint():
                claim.sudo()._portal_approve_quotation()
            claim.action_start_repair()
            claim.sudo()._portal_approve_quotation()
            self.assertEqual(claim.state, "in_progress")
            self.assertEqual(
                claim.repair_order_ids.filtered(lambda r: r.state != "cancel").state, "confirmed"
            )

    def test_agent_must_be_an_internal_user(self):
        with self.assertRaisesRegex(ValidationError, "not an internal user"), self.env.cr.savepoint():
            self._claim(user_id=self.portal_user.id)
        claim = self._claim()
        with self.assertRaisesRegex(ValidationError, "not an internal user"), self.env.cr.savepoint():
            claim.with_user(self.agent).write({"user_id": self.portal_user.id})
        claim.with_user(self.agent).write({"user_id": self.manager.id})
        self.assertEqual(claim.user_id, self.manager)

    def test_one_open_claim_per_unit(self):
        first = self._claim()
        with self.assertRaisesRegex(ValidationError, f"already has open claim {first.name}"):
            with self.env.cr.savepoint():
                self.Claim.with_user(self.agent).create({"lot_id": self.lot.id})
        second = self.Claim.with_user(self.agent).create({"lot_id": self.lot_2.id})
        with self.assertRaisesRegex(ValidationError, f"already has open claim {first.name}"):
            with self.env.cr.savepoint():
                second.with_user(self.agent).write({"lot_id": self.lot.id})
        first.action_start_diagnosis()
        first.action_resolve()
        third = self.Claim.with_user(self.agent).create({"lot_id": self.lot.id})
        with self.assertRaisesRegex(ValidationError, f"already has open claim {third.name}"):
            with self.env.cr.savepoint():
                first.action_reopen()
        self.assertEqual(first.state, "resolved")

    def test_refused_claim_burns_no_reference(self):
        sequence = self.env["ir.sequence"].search([("code", "=", "aftersales.claim")], limit=1)
        number = sequence.number_next_actual
        for vals in (
            {"phone": "abc"},
            {"partner_id": self.other_customer.id},
            {"user_id": self.portal_user.id},
        ):
            with self.subTest(vals=vals):
                with self.assertRaises(ValidationError), self.env.cr.savepoint():
                    self.Claim.with_user(self.agent).create({"lot_id": self.lot.id, **vals})
        sequence.invalidate_recordset()
        self.assertEqual(sequence.number_next_actual, number, "no number drawn for refused claims")
        with self.assertRaises(ValidationError) as refused, self.env.cr.savepoint():
            self.Claim.with_user(self.agent).create({"lot_id": self.lot.id, "phone": "abc"})
        message = str(refused.exception)
        self.assertRegex(message, r"^The phone number abc is not valid: write it with its country code")
        self.assertNotIn("CLM/", message)
        self.assertNotIn("parse", message)

    def test_bad_values_get_a_sentence(self):
        for vals, field in (
            ({"lot_id": 1.5}, "Serial Number"),
            ({"partner_id": "abc"}, "Customer"),
            ({"partner_id": 2**31}, "Customer"),
            ({"partner_id": 999999}, "Customer"),
            ({"date_reported": "9999-12-31 23:59:59"}, "Reported On"),
            ({"date_reported": "yesterday"}, "Reported On"),
            ({"channel": "pigeon"}, "Channel"),
            ({"description": "<p>Broken\x00</p>"}, "Problem"),
            ({"priority": 3}, "Priority"),
        ):
            with self.subTest(vals=vals), self.assertNoLogs(level="ERROR"):
                count = self.Claim.search_count([])
                with self.assertRaisesRegex(ValidationError, field), self.env.cr.savepoint():
                    self.Claim.with_user(self.agent).create({"lot_id": self.lot_2.id, **vals})
                self.assertEqual(self.Claim.search_count([]), count)

    # ------------------------------------------------------------------
    # The mail gateway
    # ------------------------------------------------------------------

    def _email(self, mid, **custom_values):
        return self.Claim.with_user(self.salesman).message_process(
            "aftersales.claim", EMAIL.format(mid=mid), custom_values=custom_values or None
        )

    def test_mail_gateway_takes_only_sender_subject_and_body(self):
        other_company = self.env["res.company"].create({"name": "Elsewhere"})
        claim_id = self._email(
            "forged",
            serial_override=True,
            state="in_progress",
            company_id=other_company.id,
            user_id=self.portal_user.id,
            lot_id=self.lot_in_stock.id,
            under_warranty=True,
        )
        claim = self.Claim.browse(claim_id)
        self.assertEqual(claim.channel, "email")
        self.assertEqual(claim.state, "new")
        self.assertFalse(claim.serial_override)
        self.assertFalse(claim.lot_id)
        self.assertFalse(claim.user_id)
        self.assertFalse(claim.under_warranty)
        self.assertEqual(claim.company_id, self.env.company)
        self.assertEqual(claim.partner_id, self.customer)
        self.assertIn("Water drips", claim.description)
        self.assertTrue(claim.name.startswith("CLM/"), "the reference is the sequence's, not the subject")

    def test_email_claim_shows_on_the_portal_once_confirmed(self):
        claim = self.Claim.browse(self._email("spoof"))
        self.assertFalse(claim.customer_confirmed)
        as_portal = self.Claim.with_user(self.portal_user)
        self.assertFalse(as_portal.search([("id", "=", claim.id)]), "a From: address proves nothing")
        with self.assertRaisesRegex(UserError, "is set by the system"), self.env.cr.savepoint():
            claim.with_user(self.agent).write({"customer_confirmed": True})
        claim.with_user(self.agent).action_confirm_customer()
        self.assertTrue(claim.customer_confirmed)
        self.assertEqual(as_portal.search([("id", "=", claim.id)]), claim)

    def test_agent_setting_the_customer_confirms_it(self):
        claim = self.Claim.browse(self._email("agent-sets"))
        claim.with_user(self.agent).write({"partner_id": self.customer.id, "lot_id": self.lot.id})
        self.assertTrue(claim.customer_confirmed)
        self.assertEqual(claim.warranty_id, self.warranty)

    # ------------------------------------------------------------------
    # The repair order leads back to its claim
    # ------------------------------------------------------------------

    def test_repair_order_leads_to_its_claim(self):
        claim = self._claim_in_state("diagnosis")
        claim.action_start_repair()
        repair = claim.repair_order_ids.with_user(self.agent)
        action = repair.action_view_aftersales_claim()
        self.assertEqual((action["res_model"], action["res_id"]), ("aftersales.claim", claim.id))
        arch = repair.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_view_aftersales_claim", arch)
