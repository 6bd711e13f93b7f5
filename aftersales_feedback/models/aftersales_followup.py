from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import INT_MAX, system_writes

from .aftersales_followup_rule import TRIGGER_MODELS

FOLLOWUP_OUTCOMES = [
    ("pending", "Pending"),
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("callback", "Call Back"),
    ("wrong_number", "Wrong Number"),
]
FOLLOWUP_STATES = [("open", "Open"), ("done", "Done"), ("stopped", "Stopped")]
MAX_NO_ANSWER = 3
# The documents a follow-up call can be about: those the rules' triggers follow.
FOLLOWUP_DOCUMENT_MODELS = tuple(dict.fromkeys(model for model, _date_field in TRIGGER_MODELS.values()))


def subscribe_responsibles(records):
    """Make the responsible (``user_id``) of each of ``records`` follow it: one insert per user.

    For records a cron creates with ``tracking_disable``: the chatter's own create subscribes them one
    record at a time and emails each responsible "You have been assigned" per record, on top of the
    call activity that is their notice (13,000 follow-ups sent 13,000 emails, 14 queries each).
    """
    for user, group in records.grouped("user_id").items():
        if user.active and not user.share:
            records.env["mail.followers"]._insert_followers(
                records._name,
                group.ids,
                user.partner_id.ids,
                subtypes=None,
                customer_ids=[],
                check_existing=False,
            )


class AftersalesFollowup(models.Model):
    _name = "aftersales.followup"
    _description = "After-Sales Follow-up Call"
    _inherit = ["aftersales.guard.mixin", "mail.thread"]
    _order = "id desc"

    # What the rules and the call outcomes set: the document called about, its customer and company,
    # the call's progress. Users write the responsible, the due date and the notes.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "rule_id",
            "trigger",
            "res_model",
            "res_id",
            "partner_id",
            "company_id",
            "activity_id",
            "lead_id",
            "outcome",
            "state",
            "attempt_count",
            "feedback_id",
            "score",
            "date_done",
        }

    name = fields.Char(compute="_compute_name")
    rule_id = fields.Many2one(
        "aftersales.followup.rule", required=True, readonly=True, index=True, ondelete="cascade"
    )
    trigger = fields.Selection(related="rule_id.trigger", store=True)
    res_model = fields.Char("Document Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(
        "Document ID", model_field="res_model", required=True, readonly=True, index=True
    )
    res_name = fields.Char("Document", compute="_compute_res_name")
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True, index=True)
    user_id = fields.Many2one("res.users", "Responsible", index=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, index="btree_not_null", ondelete="set null")
    lead_id = fields.Many2one(
        "crm.lead", "Opportunity", readonly=True, index="btree_not_null", ondelete="set null"
    )
    outcome = fields.Selection(
        FOLLOWUP_OUTCOMES, required=True, readonly=True, default="pending", tracking=True
    )
    state = fields.Selection(
        FOLLOWUP_STATES, required=True, readonly=True, default="open", index=True, tracking=True
    )
    attempt_count = fields.Integer("Unanswered Calls", readonly=True)
    date_deadline = fields.Date("Due Date", index=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    feedback_id = fields.Many2one("aftersales.feedback", readonly=True, ondelete="set null")
    score = fields.Integer(related="feedback_id.score")
    date_done = fields.Datetime("Done On", readonly=True)
    note = fields.Text()

    _unique_per_record = models.UniqueIndex(
        "(rule_id, res_model, res_id)", "This rule already follows up this record."
    )

    @api.model_create_multi
    def create(self, vals_list):
        # The rules create follow-ups (as superuser); nobody has the right to, which is said first.
        self.check_access("create")
        self._check_document_vals(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if "res_model" in vals or "res_id" in vals:
            self.check_access("write")  # who may not write at all is told so first
            self._check_document_vals(
                [
                    {
                        "res_model": vals.get("res_model", followup.res_model),
                        "res_id": vals.get("res_id", followup.res_id),
                    }
                    for followup in self
                ]
            )
        return super().write(vals)

    @api.model
    def _check_document_vals(self, vals_list):
        """The document of each follow-up is an existing order, claim, warranty or feedback.

        Checked before the guard, so that a model that does not exist is named as such rather than
        refused as a protected value; one query per model, whatever the number of follow-ups.
        """
        ids_by_model = {}
        for vals in vals_list:
            model_name, res_id = vals.get("res_model"), vals.get("res_id")
            if model_name not in FOLLOWUP_DOCUMENT_MODELS:
                raise ValidationError(
                    self.env._(
                        "A follow-up call cannot be about %(model)s: it is about a sale order, a claim, "
                        "a warranty or a feedback.",
                        model=repr(model_name)[:60],
                    )
                )
            if type(res_id) is not int or not 0 < res_id <= INT_MAX:
                raise ValidationError(
                    self.env._(
                        "The document of a follow-up call must be a record id, not %(id)s.",
                        id=repr(res_id)[:60],
                    )
                )
            ids_by_model.setdefault(model_name, set()).add(res_id)
        for model_name, ids in ids_by_model.items():
            # sudo: whether the document exists, whoever may read it.
            missing = ids - set(self.env[model_name].sudo().browse(ids).exists().ids)
            if missing:
                raise ValidationError(
                    self.env._(
                        "There is no %(model)s with id %(id)s to follow up.",
                        model=self.env["ir.model"]._get(model_name).name,
                        id=min(missing),
                    )
                )

    def _compute_name(self):
        for followup in self:
            followup.name = f"{followup.rule_id.name or ''} - {followup.partner_id.display_name or ''}"

    def _compute_res_name(self):
        by_model = {}
        for followup in self:
            by_model.setdefault(followup.res_model, set()).add(followup.res_id)
        names = {}
        for model_name, ids in by_model.items():
            if model_name in self.env:
                for record in self.env[model_name].browse(ids).exists():
                    names[model_name, record.id] = record.display_name
        for followup in self:
            followup.res_name = names.get((followup.res_model, followup.res_id), False)

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for followup in self:
            followup.is_overdue = (
                followup.state == "open" and bool(followup.date_deadline) and followup.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        overdue = [("state", "=", "open"), ("date_deadline", "<", fields.Date.context_today(self))]
        return overdue if (operator == "in") == (True in value) else ["!", *overdue]

    def action_open_document(self):
        self.ensure_one()
        self.check_access("read")
        self._document()  # a clear message when the document is gone
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "views": [(False, "form")],
        }

    def action_log_outcome(self):
        """Open the outcome dialog of this call."""
        self.ensure_one()
        self._check_can_log_outcome()
        self._ensure_open()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call Outcome"),
            "res_model": "aftersales.followup.outcome",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_followup_id": self.id},
        }

    def _check_can_log_outcome(self):
        """Whoever logs a call's outcome may change the follow-up, in a company they work in."""
        self.check_access("write")
        outside = self.filtered(lambda f: f.company_id not in self.env.companies)
        if outside:
            raise AccessError(
                self.env._(
                    "The follow-up %(name)s belongs to %(company)s: switch to that company to log its "
                    "outcome.",
                    name=outside[0].name,
                    company=outside[0].company_id.name,
                )
            )

    def _document(self):
        """The document this follow-up is about, in the follow-up's company; a clear error otherwise."""
        self.ensure_one()
        document = (
            self.env[self.res_model].browse(self.res_id).exists()
            if self.res_model in FOLLOWUP_DOCUMENT_MODELS
            else None
        )
        if not document:
            raise UserError(
                self.env._(
                    "The document of the follow-up %(name)s no longer exists: stop the follow-up instead.",
                    name=self.name,
                )
            )
        if "company_id" in document._fields and document.sudo().company_id not in (
            self.env["res.company"],
            self.company_id,
        ):
            raise UserError(
                self.env._(
                    "The follow-up %(name)s belongs to %(company)s but its document does not: it cannot "
                    "record an outcome.",
                    name=self.name,
                    company=self.company_id.name,
                )
            )
        return document

    def _ensure_open(self):
        for followup in self:
            if followup.state != "open":
                raise UserError(self.env._("The follow-up %(name)s is already finished.", name=followup.name))

    # ------------------------------------------------------------------
    # Outcomes
    # ------------------------------------------------------------------

    def _record_outcome(self, outcome, score=None, nps=None, comment=None, callback_date=None):
        """Record what came of the call: reached (with the score, which becomes feedback), no answer
        (a new try tomorrow, three at most), call back (a new call on ``callback_date``) or wrong number."""
        self.ensure_one()
        self._check_can_log_outcome()
        self._ensure_open()
        if outcome not in dict(FOLLOWUP_OUTCOMES) or outcome == "pending":
            raise UserError(self.env._("Choose what came of the call."))
        today = fields.Date.context_today(self)
        vals = {"outcome": outcome}
        message = False
        if outcome == "reached":
            if type(score) is not int or not 1 <= score <= 5:
                raise UserError(self.env._("The customer was reached: enter their score from 1 to 5."))
            document = self._document()
            feedback_vals = {
                "partner_id": self.partner_id.id,
                "score": score,
                "nps": False if nps is None or nps is False or nps == "" else nps,
                "comment": comment or False,
                "source": "call",
                **self._document_feedback_vals(document),
                # The follow-up's own company, whatever its document's links say.
                "company_id": self.company_id.id,
            }
            # The caller records the customer's answer: salespeople have no right to create feedback.
            feedback = self.env["aftersales.feedback"].sudo().create(feedback_vals).sudo(False)
            vals.update(state="done", feedback_id=feedback.id, date_done=fields.Datetime.now())
        elif outcome == "no_answer":
            attempts = self.attempt_count + 1
            vals["attempt_count"] = attempts
            if attempts >= MAX_NO_ANSWER:
                vals.update(state="stopped", date_done=fields.Datetime.now())
                message = self.env._(
                    "Follow-up stopped: the customer did not answer %(count)s calls.", count=attempts
                )
            else:
                vals["date_deadline"] = today + timedelta(days=1)
        elif outcome == "callback":
            if not callback_date or callback_date < today:
                raise UserError(self.env._("Choose when to call the customer back (today or later)."))
            vals["date_deadline"] = callback_date
        else:  # wrong_number
            vals.update(state="stopped", date_done=fields.Datetime.now())
            message = self.env._("Follow-up stopped: the customer's number is wrong. Check the contact.")
        old_activity = self.activity_id
        if vals.get("state", "open") == "open":
            vals["activity_id"] = self._schedule_activity(vals["date_deadline"]).id
        # Written before the call's activity is marked done: the follow-up is then no longer the open
        # one of that activity, which marking it done elsewhere would count as reached.
        with system_writes():
            self.write(vals)
        if old_activity:
            label = dict(self._fields["outcome"]._description_selection(self.env))[outcome]
            old_activity.action_feedback(feedback=" - ".join(filter(None, [label, comment])))
        if message:
            self.message_post(body=message)
        return True

    def _on_activity_done(self, activities):
        """The call activities ``activities`` of these follow-ups were marked done outside the
        outcome dialog: the call still counts as made, the customer reached with no score."""
        done = self.filtered(lambda f: f.state == "open" and f.activity_id in activities)
        if done:
            done._system_write({"outcome": "reached", "state": "done", "date_done": fields.Datetime.now()})

    def _document_feedback_vals(self, document):
        if document._name == "aftersales.claim":
            return {"claim_id": document.id}
        if document._name == "sale.order":
            return {"sale_order_id": document.id}
        if document._name == "aftersales.warranty":
            return {"sale_order_id": document.sale_order_id.id, "product_id": document.product_id.id}
        if document._name == "aftersales.feedback":
            return {
                "claim_id": document.claim_id.id,
                "sale_order_id": document.sale_order_id.id,
                "product_id": document.product_id.id,
            }
        return {}

    def _schedule_activity(self, deadline):
        self.ensure_one()
        rule = self.rule_id
        if not rule.activity_type_id:
            return self.env["mail.activity"]
        target_model, target_id = (
            ("crm.lead", self.lead_id.id) if self.lead_id else (self.res_model, self.res_id)
        )
        # The responsible may not write on the document; the activity is theirs to do.
        return (
            self.env["mail.activity"]
            .sudo()
            .create(self._prepare_activity_vals(rule, target_model, target_id, self.user_id, deadline))
        )

    @api.model
    def _prepare_activity_vals(self, rule, target_model, target_id, user, deadline):
        return {
            "res_model_id": self.env["ir.model"]._get_id(target_model),
            "res_id": target_id,
            "activity_type_id": rule.activity_type_id.id,
            "user_id": user.id,
            "date_deadline": deadline,
            "summary": rule.name,
        }

    # ------------------------------------------------------------------
    # Creation by the rules' cron
    # ------------------------------------------------------------------

    @api.model
    def _create_for_rule(self, rule, records):
        """Follow ``records`` up under ``rule``: one follow-up, lead and activity per record, in batches."""
        today = fields.Date.context_today(self.with_context(tz=rule._company_tz()))
        people = self._responsible_people(records)
        fallback_user = rule.user_id or self._default_responsible(rule)
        vals_list = []
        for record in records:
            partner, salesperson, team, agent = people[record.id]
            user = {
                "salesperson": salesperson,
                "claim_agent": agent,
                "team_leader": team.user_id,
                "user": rule.user_id,
            }[rule.responsible]
            if not user or user._is_superuser():  # OdooBot makes no calls
                user = salesperson if salesperson and not salesperson._is_superuser() else fallback_user
            company = record.company_id if "company_id" in record._fields else rule.company_id
            vals_list.append(
                {
                    "rule_id": rule.id,
                    "res_model": record._name,
                    "res_id": record.id,
                    "partner_id": partner.id,
                    "user_id": user.id,
                    "company_id": (company or rule.company_id or self.env.company).id,
                    "date_deadline": today,
                    "team_id": team.id,
                    "record": record,
                }
            )
        if rule.create_opportunity:
            leads = self.env["crm.lead"]._aftersales_leads_for(rule, vals_list)
            for vals, lead in zip(vals_list, leads, strict=True):
                vals["lead_id"] = lead.id
        if rule.activity_type_id:
            activity_vals = [
                self._prepare_activity_vals(
                    rule,
                    "crm.lead" if vals.get("lead_id") else vals["res_model"],
                    vals.get("lead_id") or vals["res_id"],
                    self.env["res.users"].browse(vals["user_id"]),
                    today,
                )
                for vals in vals_list
            ]
            activities = (
                self.env["mail.activity"]
                .sudo()
                .with_context(mail_activity_quick_update=True)
                .create(activity_vals)
            )
            for vals, activity in zip(vals_list, activities, strict=True):
                vals["activity_id"] = activity.id
        if rule.send_rating_request and rule.trigger in ("order_delivered", "claim_resolved"):
            self.env["aftersales.feedback.request"]._send_for(records)
        for vals in vals_list:
            vals.pop("record")
            vals.pop("team_id")
        followups = self.sudo().with_context(tracking_disable=True).create(vals_list)
        subscribe_responsibles(followups)
        return followups

    @api.model
    def _default_responsible(self, rule):
        """Who calls when the record names nobody: an after-sales manager of the company."""
        company = rule.company_id or self.env.company
        managers = self.env.ref("aftersales_warranty.group_aftersales_manager").sudo().all_user_ids
        humans = managers.filtered(lambda u: not u._is_superuser() and company in u.company_ids and u.active)
        return humans[:1] or rule.create_uid

    @api.model
    def _responsible_people(self, records):
        """(customer, salesperson, sales team, claim agent) of each record, by id."""
        result = {}
        for record in records:
            order, agent = self.env["sale.order"], self.env["res.users"]
            if record._name == "sale.order":
                order = record
            elif record._name == "aftersales.claim":
                order, agent = record.sale_order_id, record.user_id
            elif record._name == "aftersales.warranty":
                order = record.sale_order_id
            elif record._name == "aftersales.feedback":
                order, agent = record.sale_order_id, record.claim_id.user_id
            partner = record.partner_id
            salesperson = order.user_id or partner.commercial_partner_id.user_id
            team = order.team_id or salesperson.sale_team_id
            result[record.id] = (partner, salesperson, team, agent)
        return result
