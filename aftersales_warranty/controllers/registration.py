"""Public pages of units sold through dealers: the buyer registers the warranty, anyone checks a
serial. Every entry point is hostile: whatever is sent, a sentence in the visitor's language, only
the log written, never a server error."""

import base64
import json
import logging

from odoo import fields, http
from odoo.http import request

from ..models.ir_qweb_fields import format_aftersales_date
from ..models.registration_tools import latin_digits, to_e164

_logger = logging.getLogger(__name__)

MAX_INVOICE_BYTES = 8 * 1024 * 1024
MAX_JSON_BYTES = 64 * 1024
REGISTER_FIELDS = ("serial", "code", "name", "phone", "email", "purchase_date")


class WarrantyRegistrationController(http.Controller):
    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _wants_json(self, params):
        accept = request.httprequest.headers.get("Accept", "")
        return params.get("format") == "json" or "application/json" in accept

    def _visitor_lang(self, params):
        """The visitor's language: ``lang`` if installed, else the browser's, else the company's."""
        codes = [code for code, _name in request.env["res.lang"].sudo().get_installed()]
        wanted = params.get("lang")
        if isinstance(wanted, str) and wanted in codes:
            return wanted
        best = request.httprequest.accept_languages.best_match(
            [code.replace("_", "-") for code in codes] + [code.split("_")[0] for code in codes]
        )
        if best:
            best = best.replace("-", "_")
            return best if best in codes else next((c for c in codes if c.startswith(best)), codes[0])
        return request.env.company.sudo().partner_id.lang or request.env.lang

    def _params(self):
        """The posted fields as texts (a JSON body too), whatever their size or encoding."""
        params = dict(request.params)
        content_type = request.httprequest.mimetype or ""
        if content_type == "application/json":
            raw = request.httprequest.get_data(cache=False)[:MAX_JSON_BYTES]
            try:
                body = json.loads(raw.decode("utf-8", "replace"))
            except ValueError:
                body = {}
            if isinstance(body, dict):
                params.update({key: value for key, value in body.items() if key in REGISTER_FIELDS})
        texts = {}
        for key in (*REGISTER_FIELDS, "format", "lang", "csrf_token"):
            value = params.get(key)
            if isinstance(value, (str, int, float)):
                texts[key] = str(value)[:4096].replace("\x00", "")
        texts["invoice"] = params.get("invoice")
        return texts

    def _json(self, payload, status=200):
        return request.make_json_response(payload, status=status)

    def _render(self, template, values, status=200):
        return request.render(template, {"company": request.env.company, **values}, status=status)

    # ------------------------------------------------------------------
    # Registration
    # ------------------------------------------------------------------

    @http.route(
        "/warranty/register",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,  # checked in register_submit for the page's form; apps and kiosks post JSON
        sitemap=False,
    )
    def register(self, **kwargs):
        if request.httprequest.method == "POST":
            return self.register_submit()
        params = self._params()
        lang = self._visitor_lang(params)
        request.update_context(lang=lang)
        return self._render(
            "aftersales_warranty.warranty_register_page",
            {"values": {"serial": latin_digits(params.get("serial", ""))[:64]}},
        )

    def register_submit(self):
        params = self._params()
        wants_json = self._wants_json(params)
        lang = self._visitor_lang(params)
        request.update_context(lang=lang)
        env = request.env
        values = {key: params.get(key, "") for key in REGISTER_FIELDS}
        if not wants_json and not request.validate_csrf(params.get("csrf_token")):
            return self._render(
                "aftersales_warranty.warranty_register_page",
                {
                    "values": values,
                    "error": env._("This form has expired: reload the page and send it again."),
                },
                status=400,
            )
        problem = self._input_problem(values)
        if problem:
            if wants_json:
                return self._json(
                    {"result": "refused", "reason": None, "date_end": None, "message": problem}, status=400
                )
            return self._render(
                "aftersales_warranty.warranty_register_page", {"values": values, "error": problem}, status=400
            )
        invoice = self._read_invoice(params.get("invoice"))
        log = (
            env["aftersales.registration"]
            .with_context(lang=lang)
            ._aftersales_attempt(
                env.company,
                values["serial"],
                "web",
                code=values["code"],
                phone=values["phone"],
                email=values["email"],
                name=values["name"],
                purchase_date=values["purchase_date"],
                ip=request.httprequest.remote_addr,
                invoice=invoice,
            )
        )
        date_end = log.sudo().warranty_id.date_end if log.state == "registered" else False
        message = log.with_context(lang=lang)._reason_message(
            log.reason, date_end=self._format_date(env, date_end, lang)
        )
        status = 429 if log.reason == "rate_limited" else 200
        if wants_json:
            return self._json(
                {
                    "result": log.state,
                    "reason": log.reason or None,
                    "date_end": fields.Date.to_string(date_end) if date_end else None,
                    "message": message,
                },
                status=status,
            )
        return self._render(
            "aftersales_warranty.warranty_register_page",
            {
                "values": values if log.state == "refused" else {},
                "error": message if log.state == "refused" else False,
                "success": message if log.state == "registered" else False,
            },
            status=status,
        )

    def _input_problem(self, values):
        """The sentence telling what the form lacks, or False."""
        env = request.env
        if not values["serial"].strip():
            return env._("Type the serial number printed on the warranty card.")
        if not values["name"].strip():
            return env._("Type your name.")
        if not values["phone"].strip():
            return env._("Type your mobile number, so that we can reach you about this unit.")
        if not to_e164(latin_digits(values["phone"]).strip(), env.company.country_id.code or "IR"):
            return env._("The mobile number %(phone)s is not valid: check it.", phone=values["phone"][:40])
        if values["purchase_date"]:
            try:
                fields.Date.to_date(latin_digits(values["purchase_date"]).strip()[:10])
            except ValueError:
                return env._("The purchase date is not a date: use the form YYYY-MM-DD.")
        return False

    def _read_invoice(self, upload):
        if not upload or not hasattr(upload, "read"):
            return None
        content = upload.read(MAX_INVOICE_BYTES + 1)
        if not content or len(content) > MAX_INVOICE_BYTES:
            return None
        return (upload.filename or "invoice", base64.b64encode(content))

    @staticmethod
    def _format_date(env, value, lang):
        if not value:
            return ""
        return format_aftersales_date(env, value, lang_code=lang)

    # ------------------------------------------------------------------
    # Authenticity
    # ------------------------------------------------------------------

    @http.route(
        "/warranty/check", type="http", auth="public", methods=["GET", "POST"], csrf=False, sitemap=False
    )
    def check(self, **kwargs):
        params = self._params()
        lang = self._visitor_lang(params)
        request.update_context(lang=lang)
        env = request.env
        serial = latin_digits(params.get("serial", "")).strip()
        wants_json = self._wants_json(params)
        if not serial:
            if wants_json:
                return self._json(
                    {"result": None, "date_end": None, "message": env._("Type the serial number to check.")},
                    status=400,
                )
            return self._render("aftersales_warranty.warranty_check_page", {"serial": ""})
        answer = env["aftersales.serial.check"]._aftersales_check(
            env.company, serial, "web", requester=request.httprequest.remote_addr
        )
        message = self._check_message(env, answer, lang)
        status = 429 if answer["rate_limited"] else 200
        if wants_json:
            return self._json(
                {
                    "result": answer["result"],
                    "date_end": fields.Date.to_string(answer["date_end"]) if answer["date_end"] else None,
                    "message": message,
                },
                status=status,
            )
        return self._render(
            "aftersales_warranty.warranty_check_page",
            {"serial": serial[:64], "result": answer["result"], "message": message},
            status=status,
        )

    def _check_message(self, env, answer, lang):
        if answer["rate_limited"]:
            return env._("Too many attempts: please try again in an hour.")
        if answer["result"] == "registered":
            return env._(
                "Genuine: this unit is registered, its warranty runs until %(date)s.",
                date=self._format_date(env, answer["date_end"], lang),
            )
        if answer["result"] == "unregistered":
            return env._("Genuine: this unit is one of ours and is not registered yet.")
        return env._("Not a serial number of ours: this unit may not be genuine.")
