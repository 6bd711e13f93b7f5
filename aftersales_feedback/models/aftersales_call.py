import re
from datetime import UTC, datetime

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_datetime

from odoo.addons.aftersales_warranty.models.aftersales_claim import OPEN_STATES
from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import (
    INT_MAX,
    neutralize_formula,
    system_writes,
)

CALL_DIRECTIONS = [("inbound", "Inbound"), ("outbound", "Outbound")]
CALL_STATUSES = [("answered", "Answered"), ("missed", "Missed"), ("busy", "Busy"), ("failed", "Failed")]
CALL_SOURCES = [("webhook", "Exchange (live)"), ("cdr_import", "CDR Import"), ("manual", "Manual")]
# Asterisk's CDR dispositions (cdr.c, ast_cdr_disp2str) and the status each one means here.
DISPOSITIONS = {
    "ANSWERED": "answered",
    "NO ANSWER": "missed",
    "BUSY": "busy",
    "FAILED": "failed",
    "CONGESTION": "failed",
}
# cdr-csv's column order in Master.csv (Asterisk's cdr/cdr_csv.c, build_csv_record).
CDR_CSV_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)
# "SIP/101-0000002a", "PJSIP/101-00000001", "IAX2/101-1234": the peer of a channel, an extension.
CHANNEL_PEER = re.compile(r"^[A-Za-z0-9_]+/([^-/@;]+)")
CLID_NUMBER = re.compile(r"<([^<>]*)>\s*$")
MAX_TEXT = 255
# Calls stored together: one customer lookup, one create and a few call-back queries per batch.
BATCH_SIZE = 1000
# Asterisk builds a uniqueid from the system name and the epoch (at most 150 characters in its CDR).
UNIQUEID_MAX = 150


def _text(value):
    """A CDR value as a stripped string ('' for nothing); numbers sent as JSON numbers included."""
    if value is None or value is False:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError
    return str(value).replace("\x00", "").strip()[:MAX_TEXT]


class AftersalesCall(models.Model):
    """A call of the company's telephone exchange: in or out, answered or not, as the exchange's
    CDR (call detail record) says, with the customer it was with and the agent who took or made it.

    Calls arrive from the exchange (``/aftersales/pbx/cdr``) or from its ``Master.csv`` (the
    ``aftersales.call.import`` wizard), both through ``_aftersales_intake``; managers may log one by
    hand. A missed inbound call gives the after-sales team one "Call back" activity per number and
    day, which the next answered outbound call to that number marks done.
    """

    _name = "aftersales.call"
    _description = "After-Sales Phone Call"
    _inherit = ["aftersales.guard.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    # What the exchange and the call-back life cycle set: not for users to rewrite.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "source",
            "external_id",
            "callback_activity_id",
            "callback_call_id",
            "date_called_back",
        }

    name = fields.Char(compute="_compute_name")
    direction = fields.Selection(CALL_DIRECTIONS, required=True, default="inbound", index=True)
    status = fields.Selection(CALL_STATUSES, required=True, default="answered", index=True)
    date_start = fields.Datetime("Started", required=True, default=fields.Datetime.now, index=True)
    duration = fields.Integer("Duration (s)", help="Seconds from the start of the call to its end.")
    talk_seconds = fields.Integer("Talk Time (s)", help="Seconds from the answer to the end (billsec).")
    caller_number = fields.Char("From", index="btree_not_null")
    called_number = fields.Char("To", index="btree_not_null")
    partner_id = fields.Many2one("res.partner", "Customer", index="btree_not_null", check_company=True)
    user_id = fields.Many2one("res.users", "Agent", index="btree_not_null")
    claim_id = fields.Many2one("aftersales.claim", index="btree_not_null", check_company=True)
    external_id = fields.Char("Exchange ID", readonly=True, copy=False, help="The exchange's uniqueid.")
    source = fields.Selection(CALL_SOURCES, required=True, default="manual", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    note = fields.Text()
    call_day = fields.Date("Day", compute="_compute_call_local", store=True, index=True)
    call_hour = fields.Integer("Hour", compute="_compute_call_local", store=True, aggregator=False)
    callback_activity_id = fields.Many2one(
        "mail.activity", "Call-back Activity", readonly=True, index="btree_not_null", ondelete="set null"
    )
    callback_call_id = fields.Many2one(
        "aftersales.call", "Called Back By", readonly=True, index="btree_not_null", ondelete="set null"
    )
    date_called_back = fields.Datetime("Called Back On", readonly=True)
    to_call_back = fields.Boolean(compute="_compute_to_call_back", search="_search_to_call_back")

    _external_id_unique = models.UniqueIndex(
        "(company_id, external_id) WHERE external_id IS NOT NULL",
        "The exchange already sent this call.",
    )
    _duration_positive = models.Constraint(
        "CHECK(duration >= 0 AND talk_seconds >= 0)", "A call cannot last a negative number of seconds."
    )

    @api.model
    def _aftersales_prepare_create(self, vals_list):
        return [self._neutralize_numbers(vals) for vals in super()._aftersales_prepare_create(vals_list)]

    def _aftersales_prepare_write(self, vals):
        return self._neutralize_numbers(super()._aftersales_prepare_write(vals))

    @api.model
    def _neutralize_numbers(self, vals):
        # A number typed by hand as the exchange's: never stored as a formula (see neutralize_formula).
        for name in ("caller_number", "called_number"):
            if vals.get(name):
                vals[name] = neutralize_formula(vals[name])
        return vals

    @api.depends("caller_number", "called_number", "direction")
    def _compute_name(self):
        for call in self:
            call.name = f"{call.caller_number or '?'} → {call.called_number or '?'}"

    @api.depends("date_start", "company_id")
    def _compute_call_local(self):
        for call in self:
            if not call.date_start:
                call.call_day, call.call_hour = False, 0
                continue
            local = call.company_id._aftersales_localize(call.date_start)
            call.call_day, call.call_hour = local.date(), local.hour

    @api.depends("callback_activity_id")
    def _compute_to_call_back(self):
        for call in self:
            call.to_call_back = bool(call.callback_activity_id)

    def _search_to_call_back(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        positive = (operator == "in") == (True in value)
        return [("callback_activity_id", "!=" if positive else "=", False)]

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

    # ------------------------------------------------------------------
    # Call-back life cycle
    # ------------------------------------------------------------------

    def _aftersales_call_back(self):
        """For these new calls: mark called back the missed inbound calls an answered outbound call
        to their number followed (their activity done), and give the missed inbound calls still not
        called back one "Call back" activity per number and day. A few queries per batch."""
        missed_new = self.filtered(
            lambda c: c.direction == "inbound" and c.status == "missed" and c.caller_number
        )
        answered_out = self.filtered(
            lambda c: c.direction == "outbound" and c.status == "answered" and c.called_number
        )
        numbers = set(missed_new.mapped("caller_number")) | set(answered_out.mapped("called_number"))
        if not numbers:
            return
        company = self.company_id
        Call = self.sudo()
        missed = Call.search(
            [
                ("company_id", "in", company.ids),
                ("direction", "=", "inbound"),
                ("status", "=", "missed"),
                ("callback_call_id", "=", False),
                ("caller_number", "in", list(numbers)),
            ],
            order="date_start, id",
        )
        if not missed:
            return
        # The calls that may call these back: the new answered outbound calls (for the missed calls
        # already stored), and the stored ones after the earliest new missed call to its numbers (a
        # file imported out of order). Calls both stored before were matched when the later came.
        outbound = answered_out.sudo()
        if missed_new:
            outbound |= Call.search(
                [
                    ("company_id", "in", company.ids),
                    ("direction", "=", "outbound"),
                    ("status", "=", "answered"),
                    ("called_number", "in", list(set(missed_new.mapped("caller_number")))),
                    ("date_start", ">=", min(missed_new.mapped("date_start"))),
                ]
            )
        outbound = outbound.sorted(lambda call: (call.date_start, call.id))
        out_by_number = {}
        for call in outbound:
            out_by_number.setdefault((call.company_id.id, call.called_number), []).append(call)
        called_back, done_activities = [], self.env["mail.activity"]
        still_missed = []
        for call in missed:
            back = next(
                (
                    out
                    for out in out_by_number.get((call.company_id.id, call.caller_number), [])
                    if out.date_start >= call.date_start
                ),
                None,
            )
            if back:
                called_back.append((call.id, back.id, back.date_start))
                done_activities |= call.callback_activity_id
            else:
                still_missed.append(call)
        # Open activities per number and day (not those done just now), then one for each missed
        # call's key that has none.
        open_activity = {}
        for call in still_missed:
            if call.callback_activity_id and call.callback_activity_id not in done_activities:
                open_activity.setdefault(call._aftersales_callback_key(), call.callback_activity_id)
        to_create, new_ids = {}, set(missed_new.ids)
        for call in still_missed:
            if call.id in new_ids or call.callback_activity_id in done_activities:
                to_create.setdefault(call._aftersales_callback_key(), []).append(call)
        new_keys = [key for key in to_create if key not in open_activity]
        if new_keys:
            activity_type = self.env.ref("aftersales_feedback.mail_activity_type_call_back")
            activities = (
                self.env["mail.activity"]
                .sudo()  # the team's to-do, scheduled by the system on the customer or the call
                .with_context(mail_activity_quick_update=True)
                .create(
                    [
                        to_create[key][0]._aftersales_prepare_callback_activity_vals(activity_type)
                        for key in new_keys
                    ]
                )
            )
            open_activity.update(zip(new_keys, activities, strict=True))
        activity_links = [
            (call.id, open_activity[key].id)
            for key, calls in to_create.items()
            for call in calls
            if call.callback_activity_id != open_activity[key]
        ]
        self._aftersales_sql_update(activity_links, called_back, done_activities)
        self._aftersales_done_activities(done_activities)

    def _aftersales_note_author(self):
        """Who writes the calls' notes: the manager who imports, OdooBot for the exchange's posts
        (they arrive as the public user)."""
        if self.env.user._is_public():
            return self.env.ref("base.partner_root").id
        return self.env.user.partner_id.id

    def _aftersales_done_activities(self, activities):
        """Mark these "Call back" activities done as a batch: one note per customer (or call) saying
        so, then archived as Odoo archives a done activity. ``action_feedback`` posts one message per
        activity (about 50 ms each), too slow for a 100,000-line import."""
        if not activities:
            return
        bodies = {}
        for activity in activities:
            text = self.env._(
                "Called back: %(summary)s (an answered call to the number followed).",
                summary=activity.summary or activity.activity_type_id.name,
            )
            bodies.setdefault(activity.res_model, {}).setdefault(activity.res_id, []).append(text)
        for model_name, texts in bodies.items():
            notes = {
                res_id: Markup("<br/>").join(lines) for res_id, lines in texts.items()
            }  # the log is the system's, on records it filed the activity on
            self.env[model_name].sudo().browse(list(notes))._message_log_batch(
                notes, author_id=self._aftersales_note_author()
            )
        activities.sudo().write({"active": False, "feedback": self.env._("Called back.")})

    def _aftersales_sql_update(self, activity_links, called_back, done_activities):
        """Write the call-back links of many calls in three statements (an ORM write per call would
        cost a query per call). The fields are the system's own; the cache is invalidated after."""
        self.env["aftersales.call"].flush_model()
        if done_activities:
            self.env.cr.execute(
                SQL(
                    "UPDATE aftersales_call SET callback_activity_id = NULL WHERE callback_activity_id IN %s",
                    tuple(done_activities.ids),
                )
            )
        if activity_links:
            values = SQL(", ").join(
                SQL("(%s, %s)", call_id, activity_id) for call_id, activity_id in activity_links
            )
            self.env.cr.execute(
                SQL(
                    "UPDATE aftersales_call c SET callback_activity_id = v.activity_id "
                    "FROM (VALUES %s) AS v(id, activity_id) WHERE c.id = v.id",
                    values,
                )
            )
        if called_back:
            values = SQL(", ").join(
                SQL("(%s, %s, %s::timestamp)", call_id, back_id, date)
                for call_id, back_id, date in called_back
            )
            self.env.cr.execute(
                SQL(
                    "UPDATE aftersales_call c "
                    "SET callback_call_id = v.back_id, date_called_back = v.back_date "
                    "FROM (VALUES %s) AS v(id, back_id, back_date) WHERE c.id = v.id",
                    values,
                )
            )
        self.env["aftersales.call"].invalidate_model(
            ["callback_activity_id", "callback_call_id", "date_called_back", "to_call_back"]
        )

    def _aftersales_callback_key(self):
        return (self.company_id.id, self.caller_number, self.call_day)

    def _aftersales_prepare_callback_activity_vals(self, activity_type):
        """The "Call back" activity (of ``activity_type``) of this missed call: on the customer when
        known, else on the call; for the after-sales team (the type's default user, else unassigned)."""
        self.ensure_one()
        target = self.partner_id or self
        return {
            "activity_type_id": activity_type.id,
            "res_model_id": self.env["ir.model"]._get_id(target._name),
            "res_id": target.id,
            "summary": self.env._("Call back %(number)s", number=self.caller_number),
            "date_deadline": self.call_day,
            "user_id": activity_type.default_user_id.id,
        }

    def _aftersales_log_on_documents(self):
        """One note per claim in its chatter listing the calls of this batch about it; a call posted
        live by the exchange without a claim is noted on the customer. An imported history notes the
        claims only: a year of calls would bury the customers' conversations (their smart button
        lists every call)."""
        lines = {}
        for call in self.filtered("partner_id"):
            if not call.claim_id and call.source == "cdr_import":
                continue
            target = call.claim_id or call.partner_id
            lines.setdefault(target, []).append(call._aftersales_note_line())
        by_model = {}
        for target, texts in lines.items():
            body = Markup("<ul>%s</ul>") % Markup().join(Markup("<li>%s</li>") % text for text in texts)
            by_model.setdefault(target._name, {})[target.id] = body
        for model_name, bodies in by_model.items():
            self.env[model_name].sudo().browse(list(bodies))._message_log_batch(
                bodies, author_id=self._aftersales_note_author()
            )

    def _aftersales_note_line(self):
        self.ensure_one()
        tz = self.company_id._aftersales_tz().zone
        date = format_datetime(self.env, self.date_start, tz=tz, dt_format="short")
        if self.direction == "inbound" and self.status == "answered":
            return self.env._(
                "Call received from %(number)s on %(date)s (%(seconds)s s)",
                number=self.caller_number or "?",
                date=date,
                seconds=self.talk_seconds,
            )
        if self.direction == "outbound" and self.status == "answered":
            return self.env._(
                "Call made to %(number)s on %(date)s (%(seconds)s s)",
                number=self.called_number or "?",
                date=date,
                seconds=self.talk_seconds,
            )
        if self.direction == "inbound":
            return self.env._(
                "Missed call from %(number)s on %(date)s", number=self.caller_number or "?", date=date
            )
        return self.env._(
            "Unanswered call to %(number)s on %(date)s", number=self.called_number or "?", date=date
        )
