from odoo import api, fields, models

SCORES = [(str(n), str(n)) for n in range(1, 6)]
NPS_SCORES = [(str(n), str(n)) for n in range(11)]


class AftersalesFollowupOutcome(models.TransientModel):
    _name = "aftersales.followup.outcome"
    _inherit = ["aftersales.guard.mixin"]
    _description = "Follow-up Call Outcome"

    # Shown from the follow-up; written there by the outcome, never through the dialog.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "partner_id",
            "phone",
            "attempt_count",
        }

    followup_id = fields.Many2one("aftersales.followup", required=True, ondelete="cascade")
    partner_id = fields.Many2one(related="followup_id.partner_id")
    phone = fields.Char(related="followup_id.partner_id.phone")
    attempt_count = fields.Integer(related="followup_id.attempt_count")
    outcome = fields.Selection(
        [
            ("reached", "Reached"),
            ("no_answer", "No Answer"),
            ("callback", "Call Back"),
            ("wrong_number", "Wrong Number"),
        ],
        required=True,
        default="reached",
    )
    score = fields.Selection(SCORES, help="How satisfied the customer is, from 1 to 5.")
    nps = fields.Selection(NPS_SCORES, "Would Recommend (0-10)", help="Optional: leave empty if not asked.")
    comment = fields.Text()
    callback_date = fields.Date("Call Back On")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "callback_date" in fields_list and not values.get("callback_date"):
            values["callback_date"] = fields.Date.add(fields.Date.context_today(self), days=1)
        return values

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # The dialog shows the customer and phone of its follow-up: only for a follow-up the user
        # may work on, in a company they work in.
        wizards.followup_id._check_can_log_outcome()
        return wizards

    def write(self, vals):
        result = super().write(vals)
        if "followup_id" in vals:
            self.followup_id._check_can_log_outcome()
        return result

    def action_confirm(self):
        self.ensure_one()
        # _record_outcome checks again that the user may work on the follow-up, in their companies;
        # the feedback it creates is about the follow-up's own document, in its company.
        self.followup_id._record_outcome(
            self.outcome,
            score=int(self.score) if self.score else None,
            nps=int(self.nps) if self.nps else None,
            comment=self.comment,
            callback_date=self.callback_date,
        )
        return {"type": "ir.actions.act_window_close"}
