from odoo.tests import tagged

from odoo.addons.aftersales_warranty.models.ir_qweb_fields import format_aftersales_date

from .common import AftersalesWarrantyCommon

RAW_EMAIL = """Return-Path: <golnar@example.com>
From: Golnar Customer <golnar@example.com>
To: claims@example.com
Subject: My air conditioner leaks
Message-ID: <claim-test-1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Water drips from the indoor unit since yesterday.
"""


@tagged("post_install", "-at_install")
class TestClaimMail(AftersalesWarrantyCommon):
    def test_incoming_email_creates_a_claim(self):
        alias = self.env.ref("aftersales_warranty.mail_alias_claims")
        self.assertEqual(alias.alias_model_id.model, "aftersales.claim")
        claim_id = self.env["mail.thread"].message_process("aftersales.claim", RAW_EMAIL)
        claim = self.env["aftersales.claim"].browse(claim_id)
        self.assertEqual(claim.channel, "email")
        self.assertEqual(claim.partner_id, self.customer, "the sender is recognised as the customer")
        self.assertIn("Water drips", claim.description)
        self.assertTrue(claim.name.startswith("CLM/"))

    def test_received_and_resolved_emails(self):
        claim = self.env["aftersales.claim"].create({"partner_id": self.customer.id, "channel": "phone"})
        self.assertTrue(claim.ack_pending, "acknowledged by the cron, outside the request")
        self.env["aftersales.claim"]._cron_send_claim_acknowledgments()
        self.assertFalse(claim.ack_pending)
        received = claim.message_ids.filtered(lambda m: "we received your claim" in (m.subject or ""))
        self.assertEqual(len(received), 1)
        self.assertIn(self.customer, received.partner_ids)
        self.assertEqual(received.message_type, "comment", "the portal shows it in the conversation")
        self.assertEqual(received.author_id, self.env.company.partner_id)
        template = self.env.ref("aftersales_warranty.mail_template_claim_resolved")
        claim.action_start_diagnosis()
        self.assertNotIn("state", claim._track_template({"state"}), "no email while the claim is open")
        claim.action_resolve()
        self.assertEqual(claim._track_template({"state"})["state"][0], template)
        self.assertEqual(claim.resolution, "advice")
        # The template renders for this claim.
        subject = template._render_field("subject", claim.ids)[claim.id]
        self.assertIn(f"your claim {claim.name} is resolved", subject)

    def test_the_acknowledgment_gives_times_in_the_customers_zone(self):
        """Neither the customer nor the company's contact has a zone: the company's working hours
        (Tehran) say it, not the New York agent who recorded the claim nor the server (UTC)."""
        company = self.env.company
        company.partner_id.tz = False
        company.resource_calendar_id.tz = "Asia/Tehran"
        self.customer.tz = False
        self.agent.tz = "America/New_York"
        sla = self.env["aftersales.claim.sla"].create(
            {"name": "Two hours", "resolve_hours": 2, "company_id": company.id}
        )
        claim = (
            self.env["aftersales.claim"]
            .with_user(self.agent)
            .create({"partner_id": self.customer.id, "channel": "phone"})
        )
        self.assertEqual(claim.sla_id, sla)
        self.assertEqual(claim._reader_tz(), "Asia/Tehran")
        self.env["aftersales.claim"].with_user(self.agent).sudo()._cron_send_claim_acknowledgments()
        received = claim.message_ids.filtered(lambda m: "we received your claim" in (m.subject or ""))
        tehran = format_aftersales_date(self.env, claim.date_deadline, "en_US", "datetime", tz="Asia/Tehran")
        new_york = format_aftersales_date(
            self.env, claim.date_deadline, "en_US", "datetime", tz="America/New_York"
        )
        self.assertNotEqual(tehran, new_york)
        self.assertIn(tehran, received.body)
        self.assertNotIn(new_york, received.body)
        # The customer's own zone wins when they have one.
        self.assertEqual(claim.with_context(tz="UTC")._reader_tz(), "Asia/Tehran")
        self.customer.tz = "Europe/Paris"
        self.assertEqual(claim._reader_tz(), "Europe/Paris")
