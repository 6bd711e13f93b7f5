import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)


class AftersalesSmsInboundController(http.Controller):
    """SMS gateways that push received texts post them here (``from``, ``to``, ``message``,
    ``messageid``); never a server error."""

    @http.route(
        "/aftersales/sms/inbound/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def sms_inbound(self, token, **kwargs):
        Inbound = request.env["aftersales.sms.inbound"]
        company = Inbound._aftersales_company_by_token(token)
        if not company:
            return request.make_json_response({"result": "error", "error": "Unknown token."}, status=403)
        params = request.params
        values = {}
        for key in ("from", "to", "message", "messageid"):
            value = params.get(key)
            values[key] = str(value)[:2000] if isinstance(value, (str, int)) else ""
        if not values["messageid"] or not values["from"]:
            return request.make_json_response(
                {"result": "error", "error": "Send from, to, message and messageid."}, status=400
            )
        record = Inbound._aftersales_handle(
            company, values["messageid"], values["from"], values["message"], receptor=values["to"]
        )
        return request.make_json_response({"result": "ok", "kind": record.sudo().kind or None})
