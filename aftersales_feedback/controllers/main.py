import base64
import logging

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

_logger = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 8 * 1024 * 1024


class AftersalesFeedbackController(http.Controller):
    """The public satisfaction survey, reached by the token of the email; never a server error."""

    def _render(self, survey, **values):
        if survey and survey.partner_id.lang:
            # The page speaks the language of the email that led to it, whatever the browser says.
            request.update_context(lang=survey.partner_id.lang)
        return request.render(
            "aftersales_feedback.feedback_survey_page",
            {"survey": survey, "company": survey.company_id if survey else request.env.company, **values},
        )

    def _unknown(self):
        return request.render("aftersales_feedback.feedback_survey_unknown", status=404)

    @http.route(
        "/aftersales/feedback/<string:token>", type="http", auth="public", methods=["GET"], website=False
    )
    def survey(self, token, **kwargs):
        survey = request.env["aftersales.feedback.request"]._get_by_token(token)
        if not survey:
            return self._unknown()
        return self._render(survey, score=survey.feedback_id.score or False)

    @http.route(
        "/aftersales/feedback/<string:token>/<int:score>", type="http", auth="public", methods=["GET"]
    )
    def survey_score(self, token, score, **kwargs):
        """One click from the email records the score at once; the page then asks the optional rest."""
        survey = request.env["aftersales.feedback.request"]._get_by_token(token)
        if not survey:
            return self._unknown()
        if survey.state in ("done", "cancelled"):
            return self._render(survey)
        try:
            survey.with_context(lang=survey.partner_id.lang)._record_score(score)
        except (UserError, ValidationError) as error:
            return self._render(survey, error=str(error))
        return self._render(survey, score=score)

    @http.route(
        "/aftersales/feedback/<string:token>/submit", type="http", auth="public", methods=["POST"], csrf=True
    )
    def survey_submit(self, token, score=None, nps=None, comment=None, photo=None, **kwargs):
        survey = request.env["aftersales.feedback.request"]._get_by_token(token)
        if not survey:
            return self._unknown()
        if survey.state in ("done", "cancelled"):
            return self._render(survey)
        photo_data = False
        if photo and hasattr(photo, "read"):
            content = photo.read(MAX_PHOTO_BYTES + 1)
            if len(content) > MAX_PHOTO_BYTES:
                return self._render(
                    survey, score=score, error=request.env._("The photo is too large (8 MB at most).")
                )
            photo_data = base64.b64encode(content) if content else False
        try:
            with request.env.cr.savepoint():
                survey.with_context(lang=survey.partner_id.lang)._record_details(
                    score, nps=nps, comment=comment, photo=photo_data
                )
        except (UserError, ValidationError) as error:
            return self._render(survey, score=score, nps=nps, comment=comment, error=str(error))
        return self._render(survey, thanks=True)
