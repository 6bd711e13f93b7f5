from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

FOLLOWUP_TRIGGERS = [
    ("order_delivered", "Order Delivered"),
    ("claim_resolved", "Claim Resolved"),
    ("warranty_expiring", "Warranty Expiring"),
    ("detractor", "Detractor Feedback"),
    ("promoter", "Promoter Feedback"),
]
FOLLOWUP_RESPONSIBLES = [
    ("salesperson", "Salesperson"),
    ("claim_agent", "Claim Agent"),
    ("team_leader", "Sales Team Leader"),
    ("user", "Specific User"),
]
# What each trigger follows: the model, and the field whose date starts the delay.
TRIGGER_MODELS = {
    "order_delivered": ("sale.order", "effective_date"),
    "claim_resolved": ("aftersales.claim", "date_resolved"),
    "warranty_expiring": ("aftersales.warranty", "date_end"),
    "detractor": ("aftersales.feedback", "date"),
    "promoter": ("aftersales.feedback", "date"),
}
LEAD_KINDS = {"warranty_expiring": "renewal", "detractor": "winback"}


class AftersalesFollowupRule(models.Model):
    _name = "aftersales.followup.rule"
    _description = "After-Sales Follow-up Rule"
    _inherit = ["aftersales.guard.mixin", "mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    trigger = fields.Selection(FOLLOWUP_TRIGGERS, required=True, tracking=True)
    delay_days = fields.Integer(
        "Delay (days)",
        default=3,
        tracking=True,
        help="Days after the event; for an expiring warranty, days before its end date.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        "Activity",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
        help="The activity scheduled for the responsible user. Leave empty to only send the survey.",
    )
    responsible = fields.Selection(FOLLOWUP_RESPONSIBLES, required=True, default="salesperson")
    user_id = fields.Many2one(
        "res.users",
        help="Who gets the activity when the responsible is a specific user, and the fallback otherwise.",
    )
    create_opportunity = fields.Boolean(
        "On an Opportunity",
        help="Schedule the call on the customer's after-sales opportunity in CRM instead of the record.",
    )
    send_rating_request = fields.Boolean(
        "Email the Satisfaction Survey",
        help="Also email the customer the one-click satisfaction survey (deliveries and claims).",
    )
    date_from = fields.Date(
        "Applies From",
        required=True,
        default=lambda self: fields.Date.context_today(self) - relativedelta(days=30),
        help="Events before this date are not followed up, so that a new rule does not flood the team.",
    )
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    followup_ids = fields.One2many("aftersales.followup", "rule_id", string="Follow-ups")
    followup_count = fields.Integer(compute="_compute_followup_count")

    @api.constrains("delay_days")
    def _check_delay_days(self):
        for rule in self:
            if rule.delay_days < 0:
                raise ValidationError(
                    self.env._("Rule %(rule)s: the delay cannot be negative.", rule=rule.name)
                )

    @api.constrains("responsible", "user_id")
    def _check_user_id(self):
        for rule in self:
            if rule.responsible == "user" and not rule.user_id:
                raise ValidationError(
                    self.env._("Rule %(rule)s: choose the user who makes the calls.", rule=rule.name)
                )

    def _compute_followup_count(self):
        counts = dict(
            self.env["aftersales.followup"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.followup_count = counts.get(rule, 0)

    def action_view_followups(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_feedback.aftersales_followup_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"active_test": False}
        return action

    def action_run_now(self):
        """Run these rules now, as the daily cron would."""
        # The run reads and follows up every record of the company (as superuser, like the cron):
        # the managers' button, as the form shows it.
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_manager"):
            raise AccessError(self.env._("Only after-sales managers run the follow-up rules."))
        self.check_access("write")
        archived = self.filtered(lambda rule: not rule.active)
        if archived:
            raise UserError(
                self.env._("Rule %(rule)s is archived: restore it to run it.", rule=archived[0].name)
            )
        self._run(batch_size=1000)
        return True

    # ------------------------------------------------------------------
    # The daily run
    # ------------------------------------------------------------------

    @api.model
    def _cron_run_followups(self, batch_size=1000):
        """Turn every active rule into follow-ups of the records it newly applies to."""
        self.search([])._run(batch_size=batch_size)

    def _run(self, batch_size=1000):
        in_cron = bool(self.env.context.get("cron_id"))
        IrCron = self.env["ir.cron"]
        for rule in self:
            last_id = 0
            while True:
                records, last_id = rule._candidates(after_id=last_id, limit=batch_size)
                if not last_id:
                    break
                if not records:
                    continue
                self.env["aftersales.followup"]._create_for_rule(rule, records)
                # Committed per page that created something, so that each run makes progress even
                # when paging past what is already followed takes its time. How much is left is
                # unknown (counting it is an anti-join); "some" keeps the scheduler calling again
                # when time is up, instead of leaving the rest until tomorrow.
                if in_cron and IrCron._commit_progress(len(records), remaining=1) <= 0:
                    return
        if in_cron:
            IrCron._commit_progress(remaining=0)

    def _trigger_domain(self):
        """Domain of the records this rule follows today (before excluding those already followed)."""
        self.ensure_one()
        model_name, date_field = TRIGGER_MODELS[self.trigger]
        Model = self.env[model_name]
        tz_today = fields.Date.context_today(self.with_context(tz=self._company_tz()))
        date_from = datetime.combine(self.date_from, time.min)
        if self.trigger == "warranty_expiring":
            domain = [
                ("state", "=", "active"),
                ("date_end", ">=", tz_today),
                ("date_end", "<=", tz_today + timedelta(days=self.delay_days)),
            ]
        else:
            due = datetime.combine(tz_today - timedelta(days=self.delay_days - 1), time.min)
            domain = [(date_field, ">=", date_from), (date_field, "<", due)]
            if self.trigger == "order_delivered":
                domain.append(("state", "=", "sale"))
            elif self.trigger == "claim_resolved":
                domain.append(("state", "in", ("resolved", "closed")))
            else:
                domain.append(("category", "=", self.trigger))
        if self.company_id and "company_id" in Model._fields:
            domain.append(("company_id", "=", self.company_id.id))
        return domain

    def _company_tz(self):
        return (self.company_id or self.env.company).partner_id.tz or "UTC"

    def _candidates(self, after_id=0, limit=None):
        """The next page (ids above ``after_id``) of records matching the trigger, without those this
        rule already follows; returns them and the last id of the page (0 when there is no page).

        Two indexed queries per page, whatever the table sizes: no anti-join left to a planner
        whose statistics may not know yet about the rows the previous page just created.
        """
        self.ensure_one()
        # sudo: the cron reads every record the rule applies to, whoever may see it later.
        Model = self.env[TRIGGER_MODELS[self.trigger][0]].sudo()
        page = list(Model._search([*self._trigger_domain(), ("id", ">", after_id)], order="id", limit=limit))
        if not page:
            return Model, 0
        self.env["aftersales.followup"].flush_model(["rule_id", "res_model", "res_id"])
        self.env.cr.execute(
            SQL(
                "SELECT res_id FROM aftersales_followup"
                " WHERE rule_id = %s AND res_model = %s AND res_id = ANY(%s)",
                self.id,
                Model._name,
                page,
            )
        )
        followed = {res_id for (res_id,) in self.env.cr.fetchall()}
        return Model.browse([record_id for record_id in page if record_id not in followed]), page[-1]
