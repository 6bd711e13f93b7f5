"""Texts received on the company's SMS line: a serial and its code register the unit, a serial
alone asks for its status. Each text (Kavenegar's ``messageid``) is handled once, and answered by
SMS in Persian for Iranian numbers (dates in Solar Hijri), else in the company's language."""

import hmac
import logging
import re

import phonenumbers
import psycopg2
import requests

from odoo import api, fields, models

from odoo.addons.aftersales_warranty.models.ir_qweb_fields import format_aftersales_date
from odoo.addons.aftersales_warranty.models.registration_tools import latin_digits, to_e164

from ..tools.sms_api import KavenegarError, SmsApiKavenegar

_logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 500
# Any separator between the serial and its code; a serial itself holds letters, digits and dashes.
_SEPARATORS = re.compile(r"[\s,;:*#/|+=\u060c\u061b]+")


class AftersalesSmsInbound(models.Model):
    _name = "aftersales.sms.inbound"
    _description = "Received SMS"
    _order = "date desc, id desc"
    _rec_name = "messageid"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    messageid = fields.Char("Message ID", required=True, readonly=True)
    sender = fields.Char(readonly=True, help="The sender's number (E.164 when valid).")
    receptor = fields.Char("Line", readonly=True)
    message = fields.Text(readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    kind = fields.Selection(
        [("registration", "Registration"), ("check", "Status Query"), ("unreadable", "Unreadable")],
        readonly=True,
    )
    registration_id = fields.Many2one("aftersales.registration", readonly=True)
    reply = fields.Text(readonly=True)

    _messageid_unique = models.UniqueIndex(
        "(company_id, messageid)", "A received SMS is handled once: this message id was already received."
    )

    # ------------------------------------------------------------------

    @api.model
    def _aftersales_reply_lang(self, company, number):
        """Persian for Iranian numbers, else the company's language."""
        try:
            iranian = phonenumbers.parse(number or "", "IR").country_code == 98
        except phonenumbers.NumberParseException:
            iranian = False
        if iranian:
            return "fa_IR"
        return company.partner_id.lang or "en_US"

    @api.model
    def _aftersales_parse(self, company, text):
        """(serial, code) read in ``text``: ``code`` None for a status query, both None when empty."""
        text = latin_digits(text)[: MAX_MESSAGE_LENGTH * 2].strip()
        tokens = [token for token in _SEPARATORS.split(text) if token]
        if not tokens:
            return None, None
        if len(tokens) >= 2:
            return tokens[0][:200], tokens[1][:200]
        token = tokens[0][:200]
        Registration = self.env["aftersales.registration"]
        if not Registration._find_lot(company, token) and "-" in token:
            serial, _sep, code = token.rpartition("-")
            if Registration._find_lot(company, serial):
                return serial, code  # "AC-2026-0001-4821": the last part is the code
        return token, None

    @api.model
    def _aftersales_handle(self, company, messageid, sender, message, receptor=None):
        """Handle a received text once per ``messageid``; returns the record (the first one when
        the same text comes again). Answers the sender by SMS."""
        company = company.sudo()  # the line's company, chosen by the gateway's token or the cron
        messageid = str(messageid or "").replace("\x00", "").strip()[:64]
        if not messageid:
            return self.browse()
        domain = [("company_id", "=", company.id), ("messageid", "=", messageid)]
        existing = self.sudo().search(domain, limit=1)
        if existing:
            return existing
        number = to_e164(latin_digits(sender).strip()[:40], company.country_id.code or "IR") or False
        lang = self._aftersales_reply_lang(company, number)
        text = latin_digits(message)[:MAX_MESSAGE_LENGTH]
        vals = {
            "company_id": company.id,
            "messageid": messageid,
            "sender": number or latin_digits(sender)[:40] or False,
            "receptor": latin_digits(receptor)[:40] or False,
            "message": text,
        }
        try:
            # The unique index decides between two deliveries of one text racing each other.
            with self.env.cr.savepoint():
                record = self.sudo().create(vals)
                record.flush_recordset()
        except psycopg2.IntegrityError:  # the other delivery of the text won: it answers
            return self.sudo().search(domain, limit=1)
        serial, code = self.with_context(lang=lang)._aftersales_parse(company, text)
        env = self.with_context(lang=lang).env
        if not serial or not number:
            kind, reply, registration = (
                "unreadable",
                env._(
                    "Send the serial number printed on the warranty card and its code, separated by a space."
                ),
                False,
            )
        elif code is None:
            kind, registration = "check", False
            answer = env["aftersales.serial.check"]._aftersales_check(
                company, serial, "sms", requester=number
            )
            reply = self._aftersales_check_reply(env, serial, answer, lang)
        else:
            kind = "registration"
            registration = env["aftersales.registration"]._aftersales_attempt(
                company, serial, "sms", code=code, phone=number
            )
            date_end = registration.warranty_id.date_end if registration.state == "registered" else False
            reply = registration.with_context(lang=lang)._reason_message(
                registration.reason, date_end=format_aftersales_date(env, date_end, lang_code=lang)
            )
        record.write({"kind": kind, "reply": reply, "registration_id": registration and registration.id})
        if number:
            # Queued: Odoo's SMS queue sends it through the company's provider (Kavenegar).
            self.env["sms.sms"].sudo().with_company(company).create({"number": number, "body": reply})
            self.env.ref("sms.ir_cron_sms_scheduler_action").sudo()._trigger()
        return record

    @api.model
    def _aftersales_check_reply(self, env, serial, answer, lang):
        if answer["rate_limited"]:
            return env._("Too many attempts: please try again in an hour.")
        if answer["result"] == "registered":
            return env._(
                "Serial %(serial)s is genuine and under warranty until %(date)s.",
                serial=serial,
                date=format_aftersales_date(env, answer["date_end"], lang_code=lang),
            )
        if answer["result"] == "unregistered":
            return env._(
                "Serial %(serial)s is genuine and not registered yet: send it with its code to register it.",
                serial=serial,
            )
        return env._("Serial %(serial)s is not one of ours: this unit may not be genuine.", serial=serial)

    # ------------------------------------------------------------------

    @api.model
    def _cron_aftersales_receive_sms(self):
        """Read the unread texts of each company's Kavenegar line (``sms/receive``) and handle them."""
        companies = self.env["res.company"].sudo().search([("aftersales_sms_provider", "=", "kavenegar")])
        for company in companies:
            api_key = (company.aftersales_kavenegar_api_key or "").strip()
            line = (company.aftersales_kavenegar_sender or "").strip()
            if not api_key or not line:
                continue
            sms_api = SmsApiKavenegar(
                self.env(context=dict(self.env.context, allowed_company_ids=[company.id]))
            )
            try:
                with requests.Session() as session:
                    payload = sms_api._kavenegar_call(
                        session, api_key, "sms/receive", {"linenumber": line, "isread": 0}
                    )
            except KavenegarError as error:
                _logger.warning("Kavenegar inbox of %s not read: %s", company.name, error.reason)
                continue
            entries = payload.get("entries") or []
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                self._aftersales_handle(
                    company,
                    entry.get("messageid"),
                    str(entry.get("sender") or ""),
                    str(entry.get("message") or ""),
                    receptor=str(entry.get("receptor") or ""),
                )
            if entries and self.env.context.get("cron_id"):
                self.env["ir.cron"]._commit_progress(len(entries))

    @api.model
    def _aftersales_company_by_token(self, token):
        """The company whose inbound SMS token is ``token`` (compared in constant time), else empty."""
        Company = self.env["res.company"]
        if not isinstance(token, str) or len(token) < 20:
            return Company.browse()
        # sudo: the token is the gateway's credential, read by the system only
        for company in Company.sudo().search_fetch(
            [("aftersales_sms_inbound_token", "!=", False)], ["aftersales_sms_inbound_token"]
        ):
            if hmac.compare_digest(company.aftersales_sms_inbound_token.encode(), token.encode()):
                return company
        return Company.browse()
