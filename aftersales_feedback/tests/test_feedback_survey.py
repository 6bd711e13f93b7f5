from odoo.tests import HttpCase, tagged

from .common import AftersalesFeedbackCommon


@tagged("post_install", "-at_install")
class TestFeedbackSurvey(AftersalesFeedbackCommon, HttpCase):
    def _survey(self):
        claim = self._claim_in_state("diagnosis")
        claim.action_resolve()
        survey = self.env["aftersales.feedback.request"].search([("claim_id", "=", claim.id)])
        self.assertEqual(len(survey), 1, "resolving the claim emails one survey")
        return claim, survey

    def test_resolving_a_claim_emails_one_click_links(self):
        _claim, survey = self._survey()
        mail = self.env["mail.mail"].search(
            [("model", "=", "aftersales.feedback.request"), ("res_id", "=", survey.id)]
        )
        self.assertEqual(len(mail), 1)
        for score in range(1, 6):
            self.assertIn(f"/aftersales/feedback/{survey.access_token}/{score}", mail.body_html)
        self.assertEqual(mail.recipient_ids, self.customer)

    def test_no_survey_when_the_company_turned_it_off(self):
        self.company.aftersales_rating_request = False
        claim = self._claim_in_state("diagnosis")
        claim.action_resolve()
        self.assertFalse(self.env["aftersales.feedback.request"].search([("claim_id", "=", claim.id)]))

    def test_one_click_then_details_then_token_used(self):
        claim, survey = self._survey()
        response = self.url_open(f"/aftersales/feedback/{survey.access_token}/4")
        self.assertEqual(response.status_code, 200)
        self.assertIn("How likely are you to recommend us", response.text)
        feedback = survey.feedback_id
        self.assertEqual((feedback.score, feedback.source, feedback.claim_id), (4, "email", claim))
        self.assertEqual(survey.state, "rated")

        page = self.url_open(f"/aftersales/feedback/{survey.access_token}")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = self.url_open(
            f"/aftersales/feedback/{survey.access_token}/submit",
            data={"csrf_token": csrf, "score": "5", "nps": "9", "comment": "Fast and kind"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you for your feedback", response.text)
        survey.invalidate_recordset()
        feedback.invalidate_recordset()
        self.assertEqual(survey.state, "done")
        self.assertEqual(survey.feedback_id, feedback, "the details complete the same answer")
        self.assertEqual((feedback.score, feedback.nps, feedback.category), (5, 9, "promoter"))
        self.assertEqual(feedback.comment, "Fast and kind")

        # The token works once: a second answer is politely refused and writes nothing.
        count = self.Feedback.search_count([])
        for url in (
            f"/aftersales/feedback/{survey.access_token}/1",
            f"/aftersales/feedback/{survey.access_token}",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200)
            self.assertIn("already answered", response.text)
        response = self.url_open(
            f"/aftersales/feedback/{survey.access_token}/submit",
            data={"csrf_token": csrf, "score": "1"},
        )
        self.assertIn("already answered", response.text)
        feedback.invalidate_recordset()
        self.assertEqual(feedback.score, 5)
        self.assertEqual(self.Feedback.search_count([]), count)

    def test_wrong_token_is_a_friendly_page(self):
        for token in ("nope", "x" * 300, "' OR 1=1 --", "%00"):
            response = self.url_open(f"/aftersales/feedback/{token}/3")
            self.assertEqual(response.status_code, 404, token)
            self.assertIn("This survey link is not valid", response.text)
        self.assertFalse(self.Feedback.search([("source", "=", "email")]))

    def test_bad_answers_show_an_error_and_write_nothing(self):
        _claim, survey = self._survey()
        page = self.url_open(f"/aftersales/feedback/{survey.access_token}")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        for data, message in (
            ({"score": "7"}, "score from 1 to 5"),
            ({"score": "abc"}, "score from 1 to 5"),
            ({"score": "4", "nps": "11"}, "from 0 to 10"),
        ):
            response = self.url_open(
                f"/aftersales/feedback/{survey.access_token}/submit", data={"csrf_token": csrf, **data}
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn(message, response.text)
        response = self.url_open(f"/aftersales/feedback/{survey.access_token}/9")
        self.assertIn("score from 1 to 5", response.text)
        survey.invalidate_recordset()
        self.assertEqual(survey.state, "sent")
        self.assertFalse(survey.feedback_id)

    def test_photo_review_through_the_page_earns_the_reward(self):
        _claim, survey = self._survey()
        page = self.url_open(f"/aftersales/feedback/{survey.access_token}")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        png = (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
            b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00"
            b"\x00IEND\xaeB`\x82"
        )
        response = self.url_open(
            f"/aftersales/feedback/{survey.access_token}/submit",
            data={"csrf_token": csrf, "score": "5"},
            files={"photo": ("unit.png", png, "image/png")},
        )
        self.assertIn("Thank you for your feedback", response.text)
        survey.invalidate_recordset()
        self.assertTrue(survey.feedback_id.has_photo)
        card = self.env["loyalty.card"].search([("aftersales_origin", "=", "review")])
        self.assertEqual(card.aftersales_sale_order_id, self.order)

    def test_survey_tour(self):
        _claim, survey = self._survey()
        self.start_tour(f"/aftersales/feedback/{survey.access_token}/3", "aftersales_feedback_survey_tour")
        survey.invalidate_recordset()
        self.assertEqual(survey.state, "done")
        self.assertEqual((survey.feedback_id.score, survey.feedback_id.nps), (4, 10))
        self.assertEqual(survey.feedback_id.comment, "Great service")
