from odoo import api, fields, models

SCORES = [(str(n), str(n)) for n in range(1, 6)]
NPS_SCORES = [(str(n), str(n)) for n in range(11)]


class AftersalesFollowupOutcome(models.TransientModel):
    _name = "aftersales.followup.outcome"
    _description = "Follow-up Call Outcome"

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

    def action_confirm(self):
        self.ensure_one()
        self.followup_id._record_outcome(
            self.outcome,
            score=self.score and int(self.score),
            nps=int(self.nps) if self.nps else None,
            comment=self.comment,
            callback_date=self.callback_date,
        )
        return {"type": "ir.actions.act_window_close"}
