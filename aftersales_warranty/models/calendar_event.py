from odoo import fields, models
from odoo.exceptions import UserError


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    aftersales_visit_id = fields.Many2one(
        "aftersales.visit", string="Service Visit", index="btree_not_null", ondelete="set null", readonly=True
    )

    def write(self, vals):
        res = super().write(vals)
        if not self.env.su and {"start", "stop"} & set(vals):
            # Moved in the technician's calendar: the visit follows (its checks may refuse the move).
            # The visit's own synchronisation writes as the system and is not followed back.
            for event in self.filtered("aftersales_visit_id"):
                event.aftersales_visit_id._follow_event(event, event.start, event.stop)
        return res

    def unlink(self):
        if not self.env.su:
            planned = self.sudo().aftersales_visit_id.filtered(lambda v: v.state == "scheduled")
            if planned:
                raise UserError(
                    self.env._(
                        "This event is visit %(name)s: cancel the visit instead of deleting its event.",
                        name=planned[0].name,
                    )
                )
        return super().unlink()
