from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AftersalesFeedbackCommon


@tagged("post_install", "-at_install")
class TestSmsNotices(AftersalesFeedbackCommon):
    """Customers with a mobile number and no email address get their claim notices and the
    satisfaction survey by SMS, in their language (a Persian customer reads Solar Hijri dates)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.company.aftersales_rating_request = True
        Partner = cls.env["res.partner"]
        cls.texted = Partner.create(
            {
                "name": "Mobile Only",
                "phone": "0912 123 4567",
                "country_id": cls.env.ref("base.ir").id,
                "lang": "fa_IR",
            }
        )
        cls.unreachable = Partner.create({"name": "Unreachable"})

    def _claim_for(self, partner):
        return self.Claim.with_user(self.agent).create(
            {"partner_id": partner.id, "product_id": self.product_plain.id, "channel": "phone"}
        )

    def _sms(self, partner):
        return self.env["sms.sms"].sudo().search([("partner_id", "=", partner.id)], order="id")

    def test_claim_received_and_resolved_by_sms_in_persian(self):
        claim = self._claim_for(self.texted)
        emailed = self._claim(partner_id=self.customer.id)
        self.Claim._cron_send_claim_acknowledgments()
        self.assertFalse(claim.ack_pending)
        received = self._sms(self.texted)
        self.assertEqual(len(received), 1)
        self.assertEqual(received.number, "+989121234567", "E.164")
        self.assertIn(claim.name, received.body)
        # Reported on 2026-06-01, 11 Khordad 1405, read in the customer's calendar and digits.
        self.assertIn("۱۴۰۵/۰۳/۱۱", received.body)
        self.assertNotIn("06/01/2026", received.body)
        self.assertIn(
            received.body, claim.message_ids.filtered(lambda m: m.message_type == "sms").mapped("body")[0]
        )
        self.assertFalse(self._sms(self.customer), "a customer with an email address is emailed, not texted")
        self.assertFalse(emailed.ack_pending)

        claim.with_user(self.agent).action_start_diagnosis()
        claim.with_user(self.agent).action_resolve()
        texts = self._sms(self.texted) - received
        self.assertEqual(len(texts), 2, "the claim resolved, then the satisfaction survey")
        resolved, survey = texts
        self.assertIn(claim.name, resolved.body)
        self.assertIn("۱۴۰۵/۰۳/۱۱", resolved.body)
        request = self.env["aftersales.feedback.request"].search([("claim_id", "=", claim.id)])
        self.assertEqual(len(request), 1)
        self.assertIn(f"/aftersales/feedback/{request.sudo().access_token}", survey.body)
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "aftersales.feedback.request"), ("res_id", "=", request.id)]
            ),
            "texted, not emailed",
        )

    def test_english_customer_reads_gregorian_dates(self):
        self.texted.lang = "en_US"
        claim = self._claim_for(self.texted)
        self.Claim._cron_send_claim_acknowledgments()
        body = self._sms(self.texted).body
        self.assertIn(claim.name, body)
        self.assertIn("06/01/2026", body)

    def test_customer_without_email_nor_mobile_gets_a_note(self):
        claim = self._claim_for(self.unreachable)
        self.Claim._cron_send_claim_acknowledgments()
        claim.with_user(self.agent).action_start_diagnosis()
        claim.with_user(self.agent).action_resolve()
        self.assertFalse(self._sms(self.unreachable))
        self.assertFalse(self.env["aftersales.feedback.request"].search([("claim_id", "=", claim.id)]))
        self.assertIn("No satisfaction survey was sent", "\n".join(claim.message_ids.mapped("body")))

    def test_opted_out_number_is_not_texted(self):
        self.env["phone.blacklist"].sudo().add("+989121234567")
        self._claim_for(self.texted)
        self.Claim._cron_send_claim_acknowledgments()
        self.assertFalse(self._sms(self.texted))

    def test_the_survey_goes_to_the_number_the_notices_went_to(self):
        """A customer known by name only, whose number the agent typed on the claim: the claim's
        notices and its survey all go to that number, and no note says nobody could be reached."""
        self.unreachable.country_id = self.env.ref("base.ir")
        claim = self._claim_for(self.unreachable)
        claim.with_user(self.agent).phone = "0912 765 4321"
        self.Claim._cron_send_claim_acknowledgments()
        claim.with_user(self.agent).action_start_diagnosis()
        claim.with_user(self.agent).action_resolve()
        texts = self._sms(self.unreachable)
        self.assertEqual(len(texts), 3, "received, resolved, then the survey")
        self.assertEqual(set(texts.mapped("number")), {"+989127654321"})
        request = self.env["aftersales.feedback.request"].search([("claim_id", "=", claim.id)])
        self.assertIn(f"/aftersales/feedback/{request.sudo().access_token}", texts[-1].body)
        self.assertNotIn("No satisfaction survey was sent", "\n".join(claim.message_ids.mapped("body")))

    def test_goodwill_coupon_by_sms_to_a_customer_without_email(self):
        """The new user's walkthrough: a mobile-only customer gets the coupon by SMS (code, value,
        expiry in their language); a customer with neither is refused, and never offered the button."""
        self.company.aftersales_coupon_validity_days = 90
        claim = self._claim_for(self.texted)
        self.assertTrue(claim.goodwill_reachable)
        claim.with_user(self.agent).action_grant_goodwill_coupon()
        card = claim.goodwill_coupon_id
        self.assertTrue(card)
        text = self._sms(self.texted).filtered(lambda sms: card.code in sms.body)
        self.assertEqual(len(text), 1)
        self.assertEqual(text.number, "+989121234567")
        self.assertIn(claim.name, text.body)
        self.assertTrue(card.expiration_date)
        # A Persian customer reads the expiry in the Solar Hijri calendar, in Persian digits.
        self.assertRegex(text.body, "[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}")
        in_chatter = claim.message_ids.filtered(lambda m: m.message_type == "sms").mapped("body")
        self.assertIn(text.body, in_chatter[0])
        nobody = self._claim_for(self.unreachable)
        self.assertFalse(nobody.goodwill_reachable, "the button is not offered")
        with self.assertRaisesRegex(UserError, "has no email address: add one"):
            nobody.with_user(self.agent).action_grant_goodwill_coupon()
        self.assertFalse(nobody.goodwill_coupon_id)
