"""Calls in: the exchange's CDR rows (webhook and Master.csv import) parsed, matched to customers
and stored as calls."""

import re
from datetime import UTC, datetime

from odoo import api, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.aftersales_warranty.models.aftersales_claim import OPEN_STATES
from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import (
    INT_MAX,
    neutralize_formula,
    system_writes,
)

from .aftersales_call import CDR_CSV_COLUMNS

# Asterisk's CDR dispositions (cdr.c, ast_cdr_disp2str) and the status each one means here.
DISPOSITIONS = {
    "ANSWERED": "answered",
    "NO ANSWER": "missed",
    "BUSY": "busy",
    "FAILED": "failed",
    "CONGESTION": "failed",
}
# "SIP/101-0000002a", "PJSIP/101-00000001", "IAX2/101-1234": the peer of a channel, an extension.
CHANNEL_PEER = re.compile(r"^[A-Za-z0-9_]+/([^-/@;]+)")
CLID_NUMBER = re.compile(r"<([^<>]*)>\s*$")
MAX_TEXT = 255
# Calls stored together: one customer lookup, one create and a few call-back queries per batch.
BATCH_SIZE = 1000
# Asterisk builds a uniqueid from the system name and the epoch (at most 150 characters in its CDR).
UNIQUEID_MAX = 150
# A short internal number (an extension, "102"), as opposed to a customer's phone number.
SHORT_EXTENSION = re.compile(r"\d{2,6}")


def _text(value):
    """A CDR value as a stripped string ('' for nothing); numbers sent as JSON numbers included."""
    if value is None or value is False:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError
    return str(value).replace("\x00", "").strip()[:MAX_TEXT]


class AftersalesCall(models.Model):
    _inherit = "aftersales.call"

    # ------------------------------------------------------------------
    # Intake: the webhook and the Master.csv import
    # ------------------------------------------------------------------

    @api.model
    def _aftersales_intake_rows(self, company, rows, source, batch_size=BATCH_SIZE, on_batch=None):
        """``_aftersales_intake`` of ``rows`` in batches of ``batch_size``, each in a savepoint: a
        batch that fails as a whole is taken again row by row, the failing rows reported. ``on_batch``
        is called with the running totals after each batch (progress)."""
        totals = {"created": 0, "duplicates": 0, "errors": []}
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            try:
                with self.env.cr.savepoint():
                    results = [self._aftersales_intake(company, chunk, source, offset=start)[0]]
            except (UserError, ValidationError):
                results = []
                for position, row in enumerate(chunk):
                    try:
                        with self.env.cr.savepoint():
                            results.append(
                                self._aftersales_intake(company, [row], source, offset=start + position)[0]
                            )
                    except (UserError, ValidationError) as error:
                        results.append(
                            {
                                "created": 0,
                                "duplicates": 0,
                                "errors": [{"index": start + position, "error": str(error.args[0])}],
                            }
                        )
            for result in results:
                totals["created"] += result["created"]
                totals["duplicates"] += result["duplicates"]
                totals["errors"] += result["errors"]
            # The batch's records leave the cache: a 100,000-line file would otherwise keep them all.
            self.env.invalidate_all()
            if on_batch:
                on_batch(min(start + batch_size, len(rows)), totals)
        return totals

    @api.model
    def _aftersales_intake(self, company, rows, source, offset=0):
        """Store the CDR ``rows`` (dicts with Asterisk's CDR field names) as calls of ``company``.

        Whoever calls this must have established that the rows are ``company``'s (its token, or a
        manager's import into their current company). Rows already stored (same ``uniqueid``) are
        counted as duplicates, malformed rows are reported, the others are created together: a few
        queries per batch, whatever its size. Returns ``{"created", "duplicates", "errors"}`` where
        each error is ``{"index": offset + position, "error": message}``, and the new calls.
        """
        Call = self.sudo().with_company(company)  # the exchange's rows, filed into their company only
        # The calls already stored are skipped before anything else: re-importing a grown Master.csv
        # costs one query per batch for the lines seen before.
        unique_ids = set()
        for row in rows:
            unique_id = row.get("uniqueid") if isinstance(row, dict) else None
            if isinstance(unique_id, str | int | float) and not isinstance(unique_id, bool):
                unique_ids.add(str(unique_id).replace("\x00", "").strip()[:MAX_TEXT])

        def stored():
            return set(
                Call.search_fetch(
                    [("company_id", "=", company.id), ("external_id", "in", list(unique_ids))],
                    ["external_id"],
                ).mapped("external_id")
            )

        existing = stored()
        if unique_ids - existing:
            # One intake at a time per company: two posts of the same call, or two missed rings of
            # the same number, are seen by the second one (no duplicate row, no second activity). The
            # second one is started again by Odoo on a fresh snapshot, where the first one's calls are
            # stored: it answers "duplicates", without a failed insert in the log.
            self._aftersales_serialize_on(company)
            existing = stored()
        context = company._aftersales_pbx_context()
        errors, seen, vals_list, duplicates = [], set(), [], 0
        for position, row in enumerate(rows):
            try:
                vals = Call._aftersales_parse_cdr(row, company, context, existing)
            except UserError as error:
                errors.append({"index": offset + position, "error": str(error.args[0])})
                continue
            if vals["external_id"] in seen or vals["external_id"] in existing:
                duplicates += 1
                continue
            seen.add(vals["external_id"])
            vals_list.append(dict(vals, source=source))
        Call._aftersales_match(company, vals_list)
        with system_writes():
            calls = Call.with_context(mail_create_nolog=True, tracking_disable=True).create(vals_list)
        calls._aftersales_call_back()
        calls._aftersales_log_on_documents()
        result = {"created": len(calls), "duplicates": duplicates, "errors": errors}
        return result, calls

    @api.model
    def _aftersales_parse_cdr(self, row, company, context, existing=()):
        """The values of a call from one CDR ``row``, or a UserError saying what is wrong with it.
        A row whose uniqueid is in ``existing`` (stored already) is not read further."""
        if not isinstance(row, dict):
            raise UserError(self.env._("A call is a JSON object with Asterisk's CDR fields."))
        try:
            cdr = {key: _text(row.get(key)) for key in CDR_CSV_COLUMNS}
        except ValueError:
            raise UserError(
                self.env._("Every CDR field is a text or a number; this call has a list or an object in one.")
            ) from None
        if not cdr["uniqueid"]:
            raise UserError(
                self.env._("The call has no uniqueid: the exchange's id is what stores each call once.")
            )
        if len(cdr["uniqueid"]) > UNIQUEID_MAX:
            raise UserError(
                self.env._(
                    "The uniqueid %(uniqueid)s is longer than %(max)s characters: not an exchange's id.",
                    uniqueid=repr(cdr["uniqueid"][:40]),
                    max=UNIQUEID_MAX,
                )
            )
        if cdr["uniqueid"] in existing:
            return {"external_id": cdr["uniqueid"]}
        disposition = cdr["disposition"].upper()
        if disposition not in DISPOSITIONS:
            raise UserError(
                self.env._(
                    "The disposition %(disposition)s is not one of Asterisk's: ANSWERED, NO ANSWER, BUSY, "
                    "FAILED or CONGESTION.",
                    disposition=repr(cdr["disposition"])[:40],
                )
            )
        date_start = self._aftersales_parse_moment(cdr["start"], company)
        if not date_start:
            raise UserError(
                self.env._(
                    "The start %(start)s of the call is not a date and time (2026-01-31 14:05:00).",
                    start=repr(cdr["start"])[:40],
                )
            )
        seconds = {}
        for key in ("duration", "billsec"):
            value = cdr[key] or "0"
            if not value.isdigit() or int(value) > INT_MAX:
                raise UserError(
                    self.env._(
                        "%(field)s must be a number of seconds, not %(value)s.",
                        field=key,
                        value=repr(value)[:40],
                    )
                )
            seconds[key] = int(value)
        if seconds["billsec"] > seconds["duration"]:
            raise UserError(
                self.env._(
                    "The talk time (billsec %(billsec)s) is longer than the call (duration %(duration)s).",
                    billsec=seconds["billsec"],
                    duration=seconds["duration"],
                )
            )
        src = cdr["src"]
        if not src:
            match = CLID_NUMBER.search(cdr["clid"])
            src = match.group(1).strip() if match else cdr["clid"]
        dst = cdr["dst"]
        extensions, numbers = context["extensions"], context["numbers"]
        caller = company._aftersales_e164(src, context["e164"])
        called = company._aftersales_e164(dst, context["e164"])
        src_extension = (
            src if src in extensions else self._aftersales_channel_peer(cdr["channel"], extensions)
        )
        to_company = bool({dst, called} & numbers)
        if src_extension and not to_company:
            direction, user, customer = "outbound", extensions[src_extension], called
        elif not to_company and SHORT_EXTENSION.fullmatch(src):
            # An extension no user has yet (see _aftersales_unknown_extensions): a call out of the
            # office, never a customer's missed call to call back.
            direction, user, customer = "outbound", False, called
        else:
            dst_extension = self._aftersales_channel_peer(cdr["dstchannel"], extensions)
            dst_extension = dst if dst in extensions else dst_extension
            direction, user, customer = "inbound", extensions.get(dst_extension, False), caller
        return {
            "direction": direction,
            "status": DISPOSITIONS[disposition],
            "date_start": date_start,
            "duration": seconds["duration"],
            "talk_seconds": seconds["billsec"],
            # Stored as the exchange sent them, but never as a formula for whoever exports them.
            "caller_number": neutralize_formula(caller) or False,
            "called_number": neutralize_formula(called) or False,
            "user_id": user,
            "external_id": cdr["uniqueid"],
            "company_id": company.id,
            # Where the customer's number is, for the matching that follows (not a field).
            "_customer_number": customer,
        }

    @api.model
    def _aftersales_unknown_extensions(self, company, rows):
        """The extensions (short internal numbers) that calls of ``rows`` come from or go to and
        that no user of ``company`` has: their calls have no agent until the users' extensions are
        set."""
        context = company._aftersales_pbx_context()
        known = context["extensions"]
        unknown = set()
        for row in rows:
            for key in ("src", "dst"):
                value = str(row.get(key) or "").strip()
                if SHORT_EXTENSION.fullmatch(value) and value not in known:
                    unknown.add(value)
        return sorted(unknown, key=lambda number: (len(number), number))

    @api.model
    def _aftersales_channel_peer(self, channel, extensions):
        match = CHANNEL_PEER.match(channel or "")
        peer = match.group(1) if match else False
        return peer if peer in extensions else False

    @api.model
    def _aftersales_parse_moment(self, value, company):
        """A CDR time as naive UTC: epoch seconds, ISO 8601 with an offset, or the exchange's local
        time ``YYYY-MM-DD HH:MM:SS`` (cdr-csv writes local time), read in the company's time zone."""
        if not value:
            return False
        try:
            if re.fullmatch(r"\d{9,10}(\.\d+)?", value):
                return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None, microsecond=0)
            moment = datetime.fromisoformat(value)
        except (ValueError, OverflowError, OSError):
            return False
        if moment.tzinfo is None:
            try:
                moment = company._aftersales_tz().localize(moment)
            except (ValueError, OverflowError):
                return False
        moment = moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        if not 1900 <= moment.year <= 2999:
            return False
        return moment

    @api.model
    def _aftersales_match(self, company, vals_list):
        """Set the customer (by the E.164 number of their phone) and their open claim of each call:
        one query for the customers and one for the claims, whatever the number of calls."""
        numbers = {vals["_customer_number"] for vals in vals_list if vals["_customer_number"]}
        partner_by_number = {}
        if numbers:
            partners = (
                self.env["res.partner"]
                .sudo()  # the customer of a call, whoever files it; the call stays in its company
                .search_fetch(
                    [("phone_sanitized", "in", list(numbers)), ("company_id", "in", [company.id, False])],
                    ["phone_sanitized", "commercial_partner_id"],
                    order="id",
                )
            )
            for partner in partners:
                partner_by_number.setdefault(partner.phone_sanitized, partner)
        claim_by_partner = {}
        if partner_by_number:
            commercials = {partner.commercial_partner_id.id for partner in partner_by_number.values()}
            groups = (
                self.env["aftersales.claim"]
                .sudo()  # the open claim a call is about, as its customer's
                ._read_group(
                    [
                        ("commercial_partner_id", "in", list(commercials)),
                        ("state", "in", OPEN_STATES),
                        ("company_id", "=", company.id),
                    ],
                    ["commercial_partner_id"],
                    ["id:max"],
                )
            )
            claim_by_partner = {commercial.id: claim_id for commercial, claim_id in groups}
        for vals in vals_list:
            partner = partner_by_number.get(vals.pop("_customer_number"))
            if partner:
                vals["partner_id"] = partner.id
                vals["claim_id"] = claim_by_partner.get(partner.commercial_partner_id.id, False)
