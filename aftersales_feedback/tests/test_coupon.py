import base64

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .common import AftersalesFeedbackCommon

# A 1x1 PNG: "with photo" is read from an actual image.
PNG_B64 = b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
assert base64.b64decode(PNG_B64).startswith(b"\x89PNG")


class TestCoupons(AftersalesFeedbackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Card = cls.env["loyalty.card"]
        cls.goodwill = cls.company.aftersales_goodwill_program_id

    def _cards(self, origin):
        return self.Card.search([("aftersales_origin", "=", origin)])

    def test_company_programs_are_coupon_programs_that_email_the_code(self):
        for program in (
            self.company.aftersales_goodwill_program_id,
            self.company.aftersales_review_program_id,
            self.company.aftersales_referral_program_id,
        ):
            self.assertEqual(program.program_type, "coupons")
            self.assertEqual(program.company_id, self.company)
            self.assertTrue(program.reward_ids)
            self.assertIn("create", program.communication_plan_ids.mapped("trigger"))
        company = self.env["res.company"].create({"name": "Second Shop"})
        self.assertEqual(company.aftersales_goodwill_program_id.company_id, company)

    def test_goodwill_coupon_once_per_claim_emailed_with_code(self):
        claim = self._claim_in_state("diagnosis")
        claim.with_user(self.agent).action_grant_goodwill_coupon()
        card = claim.goodwill_coupon_id
        self.assertEqual(card.program_id, self.goodwill)
        self.assertEqual(card.partner_id, self.customer)
        self.assertEqual(card.points, 1)
        self.assertEqual(str(card.expiration_date), "2026-08-30")  # 90 days
        mail = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        self.assertTrue(mail, "the coupon is emailed to the customer")
        self.assertIn(card.code, mail.body_html)
        with self.assertRaisesRegex(UserError, "already has goodwill coupon"), self.env.cr.savepoint():
            claim.with_user(self.manager).action_grant_goodwill_coupon()
        self.assertEqual(len(self._cards("goodwill")), 1)

    def test_coupon_expiry_in_the_customers_calendar(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.customer.lang = "fa_IR"
        for program in (
            self.company.aftersales_goodwill_program_id,
            self.company.aftersales_review_program_id,
            self.company.aftersales_referral_program_id,
        ):
            self.assertEqual(
                program.communication_plan_ids.mail_template_id,
                self.env.ref("aftersales_feedback.mail_template_coupon"),
            )
        claim = self._claim_in_state("diagnosis")
        claim.with_user(self.agent).action_grant_goodwill_coupon()
        card = claim.goodwill_coupon_id
        self.assertEqual(str(card.expiration_date), "2026-08-30")
        mail = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(card.code, mail.body_html)
        self.assertIn("۸ شهریور ۱۴۰۵", mail.body_html, "30 August 2026 is 8 Shahrivar 1405")
        self.assertNotIn("2026", mail.body_html.replace(card.code, ""))

    def test_goodwill_coupon_twice_at_the_database_level(self):
        claim = self._claim()
        claim.action_grant_goodwill_coupon()
        # A second grant that slipped past the check (another agent at the same moment) is refused
        # by the unique index and writes nothing.
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.Card._aftersales_issue(
                "aftersales_goodwill_program_id",
                [
                    {
                        "partner_id": self.customer.id,
                        "company_id": self.company.id,
                        "aftersales_origin": "goodwill",
                        "aftersales_claim_id": claim.id,
                    }
                ],
            )
            self.env.flush_all()
        self.assertEqual(len(self._cards("goodwill")), 1)

    def test_salesperson_cannot_grant_goodwill(self):
        claim = self._claim()
        with self.assertRaises(UserError):  # AccessError is a UserError
            claim.with_user(self.salesman).action_grant_goodwill_coupon()
        self.assertFalse(self._cards("goodwill"))

    def test_missing_program_is_a_clear_error(self):
        claim = self._claim()
        self.company.aftersales_goodwill_program_id = False
        with self.assertRaisesRegex(UserError, "Goodwill Coupons"), self.env.cr.savepoint():
            claim.action_grant_goodwill_coupon()
        self.assertFalse(self._cards("goodwill"))

    def test_coupon_lowers_a_real_sale_order(self):
        claim = self._claim()
        claim.action_grant_goodwill_coupon()
        card = claim.goodwill_coupon_id
        order = self._sell([(self.product_plain, 2)], confirm=False)
        total_before = order.amount_total
        self.assertGreater(total_before, 0)
        status = order._try_apply_code(card.code)
        self.assertEqual(list(status), [card], status)
        result = order._apply_program_reward(status[card], card)
        self.assertNotIn("error", result)
        self.assertAlmostEqual(order.amount_total, total_before * 0.9, places=2)
        order.action_confirm()
        card.invalidate_recordset()
        self.assertEqual(card.points, 0, "the coupon is used up")
        self.assertEqual(card.use_count, 1)

    def test_review_with_photo_earns_one_reward_per_order(self):
        feedback = self.Feedback.create(
            {"sale_order_id": self.order.id, "score": 5, "photo": PNG_B64, "source": "portal"}
        )
        cards = self._cards("review")
        self.assertEqual(len(cards), 1)
        self.assertEqual(cards.aftersales_sale_order_id, self.order)
        self.assertEqual(cards.aftersales_feedback_id, feedback)
        self.assertEqual(cards.partner_id, self.customer)
        self.Feedback.create({"sale_order_id": self.order.id, "score": 4, "photo": PNG_B64})
        self.assertEqual(len(self._cards("review")), 1, "once per order")

    def test_review_without_photo_or_low_score_earns_nothing(self):
        self.Feedback.create({"sale_order_id": self.order.id, "score": 5})
        self.Feedback.create({"sale_order_id": self.order.id, "score": 3, "photo": PNG_B64})
        self.assertFalse(self._cards("review"))
        late = self.Feedback.create({"sale_order_id": self.order.id, "score": 4})
        late.photo = PNG_B64
        self.assertTrue(late.has_photo)
        self.assertEqual(len(self._cards("review")), 1, "a photo added later earns it")

    def test_referral_on_first_confirmed_order_only(self):
        newcomer = self.env["res.partner"].create(
            {"name": "Newcomer", "email": "new@example.com", "referred_by_id": self.customer.id}
        )
        self._add_stock(self.product_plain, 10)
        with freeze_time("2026-06-02"):
            self._sell([(self.product_plain, 1)], partner=newcomer)
        cards = self._cards("referral")
        self.assertEqual(len(cards), 1)
        self.assertEqual(cards.partner_id, self.customer, "the referrer gets the coupon")
        self.assertEqual(cards.aftersales_referred_partner_id, newcomer)
        self._sell([(self.product_plain, 1)], partner=newcomer)
        self.assertEqual(len(self._cards("referral")), 1, "only the first order counts")

    def test_referral_not_for_returning_customer(self):
        # The customer already has a confirmed order: naming a referrer afterwards earns nothing.
        self.customer.referred_by_id = self.other_customer
        self._add_stock(self.product_plain, 5)
        self._sell([(self.product_plain, 1)])
        self.assertFalse(self._cards("referral"))

    def test_customer_cannot_refer_themselves(self):
        with self.assertRaisesRegex(Exception, "own referrer"):
            self.customer_shipping.referred_by_id = self.customer
