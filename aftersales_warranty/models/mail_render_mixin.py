from odoo import api, models

from .ir_qweb_fields import format_aftersales_date


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    @api.model
    def _render_eval_context(self):
        """``format_aftersales_date(value, date_format="long", lang_code=False, tz=False)`` in every
        mail and SMS template: templates render in the recipient's language (their ``lang``
        field), so the date follows it (Solar Hijri for a Persian reader)."""
        render_context = super()._render_eval_context()
        env = self.env
        render_context["format_aftersales_date"] = (
            lambda value, date_format="long", lang_code=False, tz=False: format_aftersales_date(
                env, value, lang_code=lang_code or None, date_format=date_format, tz=tz or None
            )
        )
        return render_context
