from odoo import api, fields, models

from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import neutralize_formula

CALL_DIRECTIONS = [("inbound", "Inbound"), ("outbound", "Outbound")]
CALL_STATUSES = [("answered", "Answered"), ("missed", "Missed"), ("busy", "Busy"), ("failed", "Failed")]
CALL_SOURCES = [("webhook", "Exchange (live)"), ("cdr_import", "CDR Import"), ("manual", "Manual")]
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
