from odoo import models

# The SMS sent with each email of a visit to its customer.
VISIT_SMS_TEMPLATES = {
    "scheduled": "aftersales_feedback.sms_template_visit_scheduled",
    "reminder": "aftersales_feedback.sms_template_visit_reminder",
}


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"

    def _notify_customer(self, template_xmlid, event):
        """Besides the email, a text with the day and the time window to the customer's mobile
        number (valid, not blacklisted), in the visit's conversation and the customer's language."""
        result = super()._notify_customer(template_xmlid, event)
        xmlid = VISIT_SMS_TEMPLATES.get(event)
        template = self.env.ref(xmlid, raise_if_not_found=False) if xmlid else None
        if not template:
            return result
        numbers = {}
        for visit in self:
            partner = visit.partner_id
            number = partner._aftersales_sms_number()
            if number and not partner.phone_sanitized_blacklisted:
                numbers[visit] = number
        if not numbers:
            return result
        visits = self.browse([visit.id for visit in numbers])
        bodies = template._aftersales_render_bodies(visits)
        for visit, number in numbers.items():
            # The customer's notice, sent by the system whoever scheduled the visit.
            visit.sudo()._message_sms(
                bodies[visit.id],
                partner_ids=visit.partner_id.ids,
                sms_pid_to_number={visit.partner_id.id: number},
            )
        return result
