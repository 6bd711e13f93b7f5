import contextvars

from odoo import api, http, models
from odoo.exceptions import AccessError

# Who called the mail gateway over RPC (``message_process`` is public, so any internal user can call
# it with JSON-RPC or XML-RPC): the gateway then runs as superuser, which hides the caller. The mail
# server's own calls (fetchmail's cron, code) come with no request.
_GATEWAY_CALLER = contextvars.ContextVar("aftersales_gateway_caller", default=None)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_process(
        self, model, message, custom_values=None, save_original=False, strip_attachments=False, thread_id=None
    ):
        token = _GATEWAY_CALLER.set(None if self.env.su or not http.request else self.env.user)
        try:
            return super().message_process(
                model,
                message,
                custom_values=custom_values,
                save_original=save_original,
                strip_attachments=strip_attachments,
                thread_id=thread_id,
            )
        finally:
            _GATEWAY_CALLER.reset(token)

    @api.model
    def _aftersales_check_gateway_caller(self):
        """Refuse a claim filed through the mail gateway by a user who is not an after-sales user (or
        the gateway itself: the mail server, its cron, an administrator's mailgate script)."""
        user = _GATEWAY_CALLER.get()
        if (
            user is None
            or user._is_superuser()
            or user.has_group("base.group_system")
            or user.has_group("aftersales_warranty.group_aftersales_user")
        ):
            return
        raise AccessError(
            self.env._(
                "Only the mail server and after-sales users file claims through the mail gateway: "
                "%(user)s cannot.",
                user=user.name,
            )
        )
