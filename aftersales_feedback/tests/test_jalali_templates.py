from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.aftersales_warranty.tests.test_jalali_format import PERSIAN_DIGIT, fa
from odoo.addons.base.tests.common import BaseCommon

from .common import make_buyers


@tagged("post_install", "-at_install")
class TestJalaliGreetings(BaseCommon):
    """The occasion greeting, by email and by SMS: the coupon's last day in the customer's
    calendar (Solar Hijri with Persian digits for a Persian customer)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        # The Persian templates, as a Persian customer receives them (setup/run loads them too).
        cls.env["ir.module.module"]._load_module_terms(
            ["aftersales_warranty", "aftersales_feedback"], ["fa_IR"], overwrite=True
        )
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Asia/Tehran"
        cls.company._aftersales_ensure_programs()
        # Greeted on 2027-03-20: the coupon is valid 351 days, until 2028-03-05 (15 Esfand 1406).
        cls.company.aftersales_coupon_validity_days = 351
        cls.env["aftersales.occasion"].search([]).active = False
        Partner = cls.env["res.partner"]
        iran = cls.env.ref("base.ir")
        cls.persian = Partner.create(
            {
                "name": "Reza",
                "lang": "fa_IR",
                "email": "reza@example.com",
                "phone": "0912 345 6789",
                "country_id": iran.id,
            }
        )
        cls.english = Partner.create(
            {
                "name": "Mina",
                "lang": "en_US",
                "email": "mina@example.com",
                "phone": "0912 765 4321",
                "country_id": iran.id,
            }
        )
        make_buyers(cls.persian | cls.english)
        cls.occasion = cls.env["aftersales.occasion"].create(
            {
                "name": "Nowruz",
                "kind": "fixed_date",
                "month": "3",
                "day": 20,
                "channel": "both",
                "program_id": cls.company.aftersales_goodwill_program_id.id,
            }
        )

    def test_coupon_valid_until_in_the_customer_calendar(self):
        with freeze_time("2027-03-20 08:00:00"):
            self.occasion.action_send_now()
        logs = self.env["aftersales.occasion.log"].search([("occasion_id", "=", self.occasion.id)])
        self.assertEqual(logs.partner_id, self.persian | self.english)
        self.assertEqual(set(logs.card_id.mapped("expiration_date")), {date(2028, 3, 5)})
        for partner, day in ((self.persian, fa("15 اسفند 1406")), (self.english, "03/05/2028")):
            with self.subTest(partner=partner.name):
                log = logs.filtered(lambda log, p=partner: log.partner_id == p)
                mail = self.env["mail.mail"].search(
                    [("model", "=", "aftersales.occasion.log"), ("res_id", "=", log.id)]
                )
                self.assertIn(log.card_id.code, mail.body_html)
                self.assertIn(day, mail.body_html)
                sms = self.env["sms.sms"].search([("partner_id", "=", partner.id)])
                self.assertIn(log.card_id.code, sms.body)
                self.assertIn(day, sms.body)
                if partner == self.persian:
                    self.assertIn("معتبر تا", mail.body_html, "the Persian email")
                    self.assertIn("کد هدیه شما", sms.body, "the Persian SMS")
                    self.assertIn(f"معتبر تا {day}", sms.body)
                else:
                    self.assertNotRegex(mail.body_html, PERSIAN_DIGIT)
                    self.assertNotRegex(sms.body, PERSIAN_DIGIT)
                    self.assertIn(f"valid until {day}", sms.body)
