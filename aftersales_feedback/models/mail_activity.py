from odoo import api, fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    @api.model
    def aftersales_followup_outcome_action(self, activity_id):
        """The outcome dialog when ``activity_id`` is a follow-up call, else False (plain "Mark Done")."""
        followup = self.env["aftersales.followup"].search(
            [("activity_id", "=", activity_id), ("state", "=", "open")], limit=1
        )
        return followup.action_log_outcome() if followup else False

    def _action_done(self, feedback=False, attachment_ids=None):
        # A follow-up call marked done outside the outcome dialog still counts as made: the customer
        # was reached, with no score. The dialog is what the activity widget opens.
        if not self.env.context.get("aftersales_followup_outcome"):
            followups = (
                self.env["aftersales.followup"]
                .sudo()
                .search([("activity_id", "in", self.ids), ("state", "=", "open")])
            )
            if followups:
                followups.write(
                    {
                        "outcome": "reached",
                        "state": "done",
                        "date_done": fields.Datetime.now(),
                    }
                )
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
