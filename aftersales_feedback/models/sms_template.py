from odoo import models


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    def _aftersales_render_bodies(self, records):
        """This template's text for each of ``records`` ({id: body}), each in the language of the
        record's customer (``partner_id``): a date reads in the calendar of the customer's language."""
        self.ensure_one()
        bodies = {}
        for lang, batch in records.grouped(lambda record: record.partner_id.lang or False).items():
            bodies.update(self.with_context(lang=lang)._render_field("body", batch.ids))
        return bodies

    def _aftersales_queue(self, records, numbers):
        """Queue this template's SMS to the customer of each of ``records`` at ``numbers`` ({record
        id: number in E.164}); Odoo's SMS queue sends them through the company's SMS provider."""
        bodies = self._aftersales_render_bodies(records)
        # The customers' texts go out on a business event, whoever triggered it.
        vals_list = [
            {
                "number": numbers[record.id],
                "partner_id": record.partner_id.id,
                "body": bodies[record.id],
                # Sent by the provider of the record's company, whichever company the cron runs in.
                "record_company_id": record.company_id.id,
            }
            for record in records
        ]
        return self.env["sms.sms"].sudo().create(vals_list)
