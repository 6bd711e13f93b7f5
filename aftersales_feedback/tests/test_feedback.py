from odoo.exceptions import ValidationError

from .common import AftersalesFeedbackCommon


class TestFeedback(AftersalesFeedbackCommon):
    def _feedback(self, **vals):
        return self.Feedback.create({"partner_id": self.customer.id, "score": 5, **vals})

    def test_category_from_score_when_no_recommendation(self):
        expected = {1: "detractor", 2: "detractor", 3: "detractor", 4: "passive", 5: "promoter"}
        for score, category in expected.items():
            feedback = self._feedback(score=score)
            self.assertFalse(feedback.nps_given)
            self.assertEqual(feedback.category, category, f"score {score}")

    def test_category_from_recommendation_when_given(self):
        expected = {0: "detractor", 6: "detractor", 7: "passive", 8: "passive", 9: "promoter", 10: "promoter"}
        for nps, category in expected.items():
            feedback = self._feedback(score=5, nps=nps)
            self.assertTrue(feedback.nps_given)
            self.assertEqual(feedback.nps, nps)
            self.assertEqual(feedback.category, category, f"nps {nps}")

    def test_recommendation_cleared_falls_back_to_score(self):
        feedback = self._feedback(score=4, nps=0)
        self.assertEqual(feedback.category, "detractor")
        feedback.write({"nps": False})  # False or None clears the answer; 0 is an answer
        self.assertFalse(feedback.nps_given)
        self.assertEqual(feedback.category, "passive")

    def test_claim_fills_customer_order_and_product(self):
        claim = self._claim()
        feedback = self.Feedback.create({"claim_id": claim.id, "score": 3})
        self.assertEqual(feedback.partner_id, claim.partner_id)
        self.assertEqual(feedback.sale_order_id, self.order)
        self.assertEqual(feedback.product_id, self.product_serial)
        self.assertEqual(feedback.company_id, self.company)
        self.assertEqual(claim.feedback_score, 3)

    def test_bad_scores_are_refused_and_nothing_written(self):
        before = self.Feedback.search_count([])
        for vals, message in (
            ({"score": 0}, "between 1 and 5"),
            ({"score": 6}, "between 1 and 5"),
            ({"score": 5, "nps": 11}, "between 0 and 10"),
            ({"score": 5, "nps": -1}, "between 0 and 10"),
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                self._feedback(**vals)
        self.assertEqual(self.Feedback.search_count([]), before)
        feedback = self._feedback(score=4)
        with self.assertRaisesRegex(ValidationError, "between 1 and 5"), self.env.cr.savepoint():
            feedback.score = 9
        feedback.invalidate_recordset()
        self.assertEqual(feedback.score, 4)

    def test_partner_shows_last_score(self):
        self._feedback(score=2)
        self._feedback(score=5, nps=10)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.aftersales_feedback_count, 2)
        self.assertEqual(self.customer.aftersales_last_score, 5)
        self.assertEqual(self.customer.aftersales_last_category, "promoter")
        self.assertEqual(self.customer_shipping.aftersales_last_score, 5)
