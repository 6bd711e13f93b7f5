import json
import logging

from psycopg2 import OperationalError

from odoo import http
from odoo.exceptions import ConcurrencyError
from odoo.http import request

_logger = logging.getLogger(__name__)

# A day of a busy desk's calls fits in a few megabytes; beyond that, the Master.csv import is the way.
MAX_BODY_BYTES = 10 * 1024 * 1024
# The errors an answer lists (with their total in ``error_count``): enough to fix a sender, not a
# 10 MB answer to a 100,000-row post.
MAX_ERRORS_LISTED = 100


class AftersalesPbxController(http.Controller):
    """The telephone exchange posts each call's CDR here; never a server error."""

    def _json(self, payload, status=200):
        return request.make_json_response(payload, status=status)

    def _error(self, message, status):
        return self._json(
            {"created": 0, "duplicates": 0, "errors": [{"index": None, "error": message}]}, status
        )

    @http.route(
        "/aftersales/pbx/cdr", type="http", auth="public", methods=["POST"], csrf=False, save_session=False
    )
    def pbx_cdr(self, **kwargs):
        """Store the posted CDR (one JSON object or a list) as calls of the company whose token the
        ``Authorization: Bearer`` header carries.

        Answers ``{"created": n, "duplicates": n, "errors": [{"index": i, "error": "..."}]}``, with
        ``error_count`` (the total) when more errors than listed; 403 without a valid token,
        400 when the body is not JSON or not CDRs (nested beyond reason included).
        """
        header = request.httprequest.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        company = request.env["res.company"]
        if scheme.lower() == "bearer":
            company = company._aftersales_company_by_pbx_token(token.strip())
        if not company:
            return self._error(request.env._("Missing or wrong exchange token."), 403)
        if (request.httprequest.content_length or 0) > MAX_BODY_BYTES:
            return self._error(request.env._("Send at most 10 MB of calls at a time."), 413)
        try:
            if request.httprequest.mimetype == "application/x-www-form-urlencoded":
                # Asterisk's CURL() posts form fields (its arguments are split on commas, which JSON
                # is full of): one call, field=value&... (parsed by the framework already).
                rows = request.httprequest.form.to_dict()
            else:
                body = request.httprequest.get_data(cache=False)
                if len(body) > MAX_BODY_BYTES:
                    return self._error(request.env._("Send at most 10 MB of calls at a time."), 413)
                rows = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return self._error(
                request.env._("The body is not JSON: send one CDR object or a list of them."), 400
            )
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list):
            return self._error(request.env._("Send one CDR object or a list of them."), 400)
        try:
            result = request.env["aftersales.call"].sudo()._aftersales_intake_rows(company, rows, "webhook")
        except (ConcurrencyError, OperationalError):
            # Another intake of the company's calls committed meanwhile: Odoo starts this request
            # again on a fresh snapshot (see aftersales.call._aftersales_intake).
            raise
        except Exception as error:
            request.env.cr.rollback()
            _logger.warning("Exchange calls of company %s not stored: %s", company.id, error)
            return self._error(
                request.env._("The calls could not be stored now: send them again later."), 503
            )
        if len(result["errors"]) > MAX_ERRORS_LISTED:
            result["error_count"] = len(result["errors"])
            result["errors"] = result["errors"][:MAX_ERRORS_LISTED]
        return self._json(result)
