from odoo import api, models

from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import INT_MAX


class MailActivity(models.Model):
    _inherit = "mail.activity"

    @api.model
    def aftersales_followup_outcome_action(self, activity_id):
        """The outcome dialog when ``activity_id`` is a follow-up call, else False (plain "Mark Done")."""
        if type(activity_id) is not int or not 0 < activity_id <= INT_MAX:
            return False
        followup = self.env["aftersales.followup"].search(
            [("activity_id", "=", activity_id), ("state", "=", "open")], limit=1
        )
        return followup.action_log_outcome() if followup else False

    def _action_done(self, feedback=False, attachment_ids=None):
        # A follow-up call marked done outside the outcome dialog still counts as made: the customer
        # was reached, with no score. The dialog is what the activity widget opens; it moves the
        # follow-up on before marking its activity done, so that the follow-up is not found here.
        followups = (
            self.env["aftersales.followup"]
            .sudo()  # the follow-up of the activity, whoever may see it; the system sets its state
            .search([("activity_id", "in", self.ids), ("state", "=", "open")])
        )
        if followups:
            followups._on_activity_done(self)
        # A "Call back" done (by the answered call back, or by hand) leaves its missed calls' list.
        calls = (
            self.env["aftersales.call"]
            .sudo()  # the calls of the activity, whoever marks it done; the link is the system's
            .search([("callback_activity_id", "in", self.ids)])
        )
        if calls:
            calls._system_write({"callback_activity_id": False})
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
