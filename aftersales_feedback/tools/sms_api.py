"""Kavenegar (kavenegar.com), the SMS provider of Iranian companies, behind Odoo's SMS API hook.

Kavenegar's REST API (https://kavenegar.com/rest.html): every method is
``{base}/{API-KEY}/{method}.json``, called with form parameters, and answers
``{"return": {"status": 200, "message": "..."}, "entries": ...}``; any ``return.status`` other
than 200 is the error code of the whole call, ``return.message`` its explanation.
"""

import json
import logging
from urllib.parse import quote

import phonenumbers
import requests

from odoo.tools import split_every

from odoo.addons.sms.tools.sms_api import SmsApiBase

_logger = logging.getLogger(__name__)

KAVENEGAR_URL_PARAM = "aftersales_feedback.kavenegar_url"
KAVENEGAR_DEFAULT_URL = "https://api.kavenegar.com/v1"
KAVENEGAR_TIMEOUT = 15
# Error 414 of the documentation: "ارسال پیامک: هر فراخوانی حداکثر 200 رکورد و کنترل وضعیت: هر
# فراخوانی 500 رکورد" (sending: at most 200 records per call; status: at most 500 per call).
KAVENEGAR_MAX_RECEPTORS = 200
KAVENEGAR_MAX_MESSAGEIDS = 500

# The documented statuses of a message (entries[].status of sms/send, sms/sendarray and sms/status).
KAVENEGAR_STATUSES = [
    ("1", "Queued"),  # در صف ارسال
    ("2", "Scheduled"),  # زمان بندی شده
    ("4", "Sent to the telecom centre"),  # ارسال شده به مخابرات (SentToCenter)
    ("5", "Sent to the operator"),  # ارسال شده به مخابرات (SentToCarrier)
    ("6", "Failed"),  # خطا در ارسال پیام
    ("10", "Delivered"),  # رسیده به گیرنده
    ("11", "Not delivered"),  # نرسیده به گیرنده
    ("13", "Cancelled"),  # لغو شده
    ("14", "Blocked by the recipient"),  # بلاک شده
    ("100", "Unknown message id"),  # شناسه نامعتبر (also after 48 hours)
]
# Still on its way: sms/status.json may say more later.
KAVENEGAR_PENDING_STATUSES = ("1", "2", "4", "5")
# Accepted by Kavenegar when sent: Odoo's "Sent" (pending) until the delivery report.
KAVENEGAR_ACCEPTED_STATUSES = (*KAVENEGAR_PENDING_STATUSES, "10")
# Message statuses that are a delivery failure -> provider state (see PROVIDER_TO_SMS_FAILURE_TYPE).
KAVENEGAR_STATUS_ERRORS = {"6": "not_delivered", "11": "not_delivered", "14": "rejected"}

# return.status of a refused call -> provider state. The account's configuration (key, line,
# allowed IPs, service level) is Odoo's "Unregistered Account"; a refused receptor a wrong number;
# the service's own trouble a server error. Codes left out (413 message too long, 420 links not
# allowed, 422 bad characters, ...) give Odoo's "Unknown error" with Kavenegar's message.
KAVENEGAR_RETURN_STATES = {
    400: "server_error",  # parameters incomplete
    401: "unregistered",  # account disabled
    402: "server_error",  # operation failed
    403: "unregistered",  # API key not valid
    404: "server_error",  # unknown method
    405: "server_error",  # GET/POST wrong
    406: "server_error",  # mandatory parameters empty
    407: "unregistered",  # no access to this information
    409: "server_error",  # server cannot answer, try later
    411: "wrong_number_format",  # receptor not valid
    412: "unregistered",  # sender not valid (not a line of the account)
    414: "server_error",  # too many records in one call
    416: "unregistered",  # source IP does not match the settings
    417: "server_error",  # date not valid
    418: "insufficient_credit",  # credit not enough
    419: "server_error",  # arrays of different lengths
    426: "unregistered",  # method needs the advanced service
    427: "unregistered",  # line needs an access level
    429: "server_error",  # IP limited
    451: "server_error",  # too many calls from this IP
    501: "unregistered",  # test accounts only send to the owner's number
}


class KavenegarError(Exception):
    """A Kavenegar call that sent nothing: the provider ``state`` and the reason the user reads."""

    def __init__(self, state, reason, status=None):
        super().__init__(reason)
        self.state = state
        self.reason = reason
        self.status = status


class SmsApiKavenegar(SmsApiBase):
    PROVIDER_TO_SMS_FAILURE_TYPE = SmsApiBase.PROVIDER_TO_SMS_FAILURE_TYPE | {
        "insufficient_credit": "sms_credit",
        "unregistered": "sms_acc",
        "not_delivered": "sms_not_delivered",
        "rejected": "sms_rejected",
    }

    # ------------------------------------------------------------------
    # Odoo's SMS API
    # ------------------------------------------------------------------

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        """Send ``messages`` (see ``SmsApi._send_sms_batch``) in as few calls as Kavenegar allows.

        One text for everybody goes through ``sms/send.json`` (receptors comma-separated); several
        texts through ``sms/sendarray.json`` (one text per receptor); both take 200 receptors per
        call. ``sendarray`` needs the sender line: without one, each text goes through ``send``
        from the account's default line. Returns one result per SMS: ``uuid``, ``state`` (see
        ``PROVIDER_TO_SMS_FAILURE_TYPE`` and ``SmsSms.IAP_TO_SMS_STATE_SUCCESS``), ``failure_reason``,
        and Kavenegar's ``aftersales_kavenegar_message_id`` and ``aftersales_kavenegar_status``.
        Nothing is raised: a network failure is a server error of each SMS.
        """
        company_sudo = self.company.sudo()  # the API key is readable by system administrators only
        api_key = (company_sudo.aftersales_kavenegar_api_key or "").strip()
        sender = (company_sudo.aftersales_kavenegar_sender or "").strip()
        results, todo = [], []
        for message in messages:
            body = message.get("content") or ""
            for number_info in message.get("numbers") or []:
                uuid, number = number_info["uuid"], number_info.get("number")
                if not number:
                    results.append(
                        self._failure(uuid, "sms_number_missing", self.env._("The SMS has no number."))
                    )
                    continue
                receptor = self._kavenegar_receptor(number)
                if not receptor:
                    # One bad number would make Kavenegar refuse the whole call (411): never sent.
                    results.append(
                        self._failure(
                            uuid,
                            "wrong_number_format",
                            self.env._("%(number)s is not a valid phone number.", number=number),
                        )
                    )
                    continue
                todo.append((uuid, receptor, body))
        if not todo:
            return results
        if not api_key:
            reason = self.env._(
                "Kavenegar sends the SMS of %(company)s but its API key is missing: enter it in the "
                "After-Sales settings.",
                company=self.company.name,
            )
            return results + [self._failure(uuid, "unregistered", reason) for uuid, _r, _b in todo]
        with requests.Session() as session:
            for method, chunk in self._kavenegar_calls(todo, sender):
                results += self._kavenegar_send(session, api_key, sender, method, chunk)
        return results

    def _get_sms_api_error_messages(self):
        error_dict = super()._get_sms_api_error_messages()
        error_dict.update(
            {
                "unregistered": self.env._(
                    "Kavenegar refused the account: check the API key and the sender line."
                ),
                "insufficient_credit": self.env._("Your Kavenegar account has not enough credit."),
                "wrong_number_format": self.env._(
                    "The number you're trying to reach is not correctly formatted."
                ),
                "server_error": self.env._("Kavenegar could not send the SMS: try again later."),
                "not_delivered": self.env._("The SMS did not reach the recipient."),
                "rejected": self.env._("The recipient blocked the SMS of this line."),
            }
        )
        return error_dict

    # ------------------------------------------------------------------
    # Delivery reports
    # ------------------------------------------------------------------

    def _get_delivery_statuses(self, message_ids):
        """Kavenegar's status of each of ``message_ids`` (sms/status.json, 500 ids per call):
        ``{messageid: (status, statustext)}``, statuses as strings. Raises ``KavenegarError`` when
        a call fails; ids Kavenegar did not answer for are left out."""
        api_key = (self.company.sudo().aftersales_kavenegar_api_key or "").strip()
        if not api_key:
            raise KavenegarError(
                "unregistered",
                self.env._("The Kavenegar API key of %(company)s is missing.", company=self.company.name),
            )
        statuses = {}
        with requests.Session() as session:
            for chunk in split_every(KAVENEGAR_MAX_MESSAGEIDS, message_ids):
                payload = self._kavenegar_call(session, api_key, "sms/status", {"messageid": ",".join(chunk)})
                entries = payload.get("entries")
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict) and entry.get("messageid") is not None:
                        statuses[str(entry["messageid"])] = (
                            str(entry.get("status")),
                            str(entry.get("statustext") or ""),
                        )
        return statuses

    # ------------------------------------------------------------------
    # Kavenegar
    # ------------------------------------------------------------------

    def _kavenegar_receptor(self, number):
        """``number`` (Odoo stores E.164, +989123456789) as Kavenegar's receptor, False when it is
        not a valid number. The documentation writes receptors as Iranian mobiles, "09123456789"
        (``receptor=09123456789``), and international numbers "با 00" (with 00 and the country
        code): Iranian numbers go as 0 + the national number, others as 00 + country code +
        national number."""
        region = self.company.country_id.code or "IR"
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            return False
        if not phonenumbers.is_valid_number(parsed):
            return False
        national = phonenumbers.national_significant_number(parsed)
        if parsed.country_code == 98:
            return f"0{national}"
        return f"00{parsed.country_code}{national}"

    def _kavenegar_calls(self, todo, sender):
        """Split ``todo`` [(uuid, receptor, body)] into the fewest calls: [(method, chunk)]."""
        bodies = {body for _uuid, _receptor, body in todo}
        if len(bodies) > 1 and sender:
            return [("sms/sendarray", chunk) for chunk in split_every(KAVENEGAR_MAX_RECEPTORS, todo)]
        calls = []
        for body in sorted(bodies):
            same_body = [item for item in todo if item[2] == body]
            calls += [("sms/send", chunk) for chunk in split_every(KAVENEGAR_MAX_RECEPTORS, same_body)]
        return calls

    def _kavenegar_send_params(self, method, chunk, sender):
        receptors = [receptor for _uuid, receptor, _body in chunk]
        if method == "sms/sendarray":
            # Arrays are JSON-encoded form values of equal length (error 419 otherwise), as
            # Kavenegar's own clients send them: receptor=["0912...","0935..."].
            return {
                "receptor": json.dumps(receptors),
                "sender": json.dumps([sender] * len(chunk)),
                "message": json.dumps([body for _uuid, _receptor, body in chunk]),
            }
        params = {"receptor": ",".join(receptors), "message": chunk[0][2]}
        if sender:
            params["sender"] = sender  # else the account's default line
        return params

    def _kavenegar_send(self, session, api_key, sender, method, chunk):
        """Send ``chunk`` in one call of ``method``; one result per SMS."""
        try:
            payload = self._kavenegar_call(
                session, api_key, method, self._kavenegar_send_params(method, chunk, sender)
            )
        except KavenegarError as error:
            if error.status == 411 and len(chunk) > 1:
                # The call names no receptor: send them one by one so that the valid ones go out.
                results = []
                for item in chunk:
                    results += self._kavenegar_send(session, api_key, sender, "sms/send", [item])
                return results
            return [self._failure(uuid, error.state, error.reason) for uuid, _r, _b in chunk]
        entries = payload.get("entries")
        if not isinstance(entries, list) or len(entries) != len(chunk):
            reason = self.env._(
                "Kavenegar accepted the call but answered for %(answered)s messages instead of %(sent)s.",
                answered=len(entries) if isinstance(entries, list) else 0,
                sent=len(chunk),
            )
            return [self._failure(uuid, "server_error", reason) for uuid, _r, _b in chunk]
        # The entries come in the order of the receptors.
        return [self._entry_result(uuid, entry) for (uuid, _r, _b), entry in zip(chunk, entries, strict=True)]

    def _entry_result(self, uuid, entry):
        entry = entry if isinstance(entry, dict) else {}
        status = str(entry.get("status"))
        message_id = entry.get("messageid")
        if status in KAVENEGAR_ACCEPTED_STATUSES and message_id:
            return {
                "uuid": uuid,
                "state": "delivered" if status == "10" else "success",
                "failure_reason": False,
                "aftersales_kavenegar_message_id": str(message_id),
                "aftersales_kavenegar_status": status,
            }
        result = self._failure(
            uuid,
            KAVENEGAR_STATUS_ERRORS.get(status, f"kavenegar_status_{status}"),
            self.env._(
                "Kavenegar did not send the SMS (status %(status)s): %(text)s",
                status=status,
                text=entry.get("statustext") or "",
            ),
        )
        if message_id and status in dict(KAVENEGAR_STATUSES):
            result.update(aftersales_kavenegar_message_id=str(message_id), aftersales_kavenegar_status=status)
        return result

    def _kavenegar_call(self, session, api_key, method, params):
        """POST ``params`` to Kavenegar's ``method``; the answer when ``return.status`` is 200, else
        ``KavenegarError``. The URL holds the API key: it never reaches a log or a message."""
        base = self.env["ir.config_parameter"].sudo().get_param(KAVENEGAR_URL_PARAM) or KAVENEGAR_DEFAULT_URL
        url = f"{base.rstrip('/')}/{quote(api_key, safe='')}/{method}.json"
        try:
            response = session.post(url, data=params, timeout=KAVENEGAR_TIMEOUT)
        except requests.exceptions.RequestException as error:
            detail = str(error).replace(quote(api_key, safe=""), "***").replace(api_key, "***")
            _logger.warning("Kavenegar %s could not be reached: %s", method, detail)
            raise KavenegarError(
                "server_error",
                self.env._("Kavenegar could not be reached: %(error)s", error=type(error).__name__),
            ) from None
        try:
            payload = response.json()
            status = int(payload["return"]["status"])
            message = str(payload["return"].get("message") or "")
        except (ValueError, KeyError, TypeError, AttributeError):
            _logger.warning("Kavenegar %s answered HTTP %s without its JSON", method, response.status_code)
            raise KavenegarError(
                "server_error",
                self.env._(
                    "Kavenegar answered HTTP %(code)s without a readable answer.", code=response.status_code
                ),
            ) from None
        if status != 200:
            _logger.info("Kavenegar %s refused the call: %s %s", method, status, message)
            raise KavenegarError(
                KAVENEGAR_RETURN_STATES.get(status, f"kavenegar_{status}"),
                self.env._(
                    "Kavenegar refused the SMS (error %(status)s): %(message)s",
                    status=status,
                    message=message,
                ),
                status=status,
            )
        return payload

    @staticmethod
    def _failure(uuid, state, reason):
        return {"uuid": uuid, "state": state, "failure_reason": reason}
