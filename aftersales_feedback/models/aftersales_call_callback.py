"""The call-back life cycle: a missed inbound call gives one "Call back" activity per number and
day, which the next answered outbound call to that number marks done; calls logged on their documents."""

from markupsafe import Markup

from odoo import models
from odoo.tools import SQL, format_datetime


class AftersalesCall(models.Model):
    _inherit = "aftersales.call"

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
        known, else on the call; for the type's default user, else the company's call-back user (see
        ``res.company._aftersales_callback_user``): never nobody's."""
        self.ensure_one()
        target = self.partner_id or self
        return {
            "activity_type_id": activity_type.id,
            "res_model_id": self.env["ir.model"]._get_id(target._name),
            "res_id": target.id,
            "summary": self.env._("Call back %(number)s", number=self.caller_number),
            "date_deadline": self.call_day,
            "user_id": (activity_type.default_user_id or self.company_id._aftersales_callback_user()).id,
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
