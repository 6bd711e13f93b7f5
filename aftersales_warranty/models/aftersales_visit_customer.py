"""What the customer receives and does: notices and reminders, the signed report, the portal."""

from datetime import timedelta

import pytz

from odoo import api, fields, models

from .ir_qweb_fields import PERSIAN_DIGITS, is_persian


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for visit in self:
            visit.access_url = f"/my/visits/{visit.id}"
        return res

    def _send_visit_report(self):
        """The visit report PDF, to the customer by email and to the claim as an attachment."""
        report = self.env.ref("aftersales_warranty.action_report_aftersales_visit", raise_if_not_found=False)
        template = self.env.ref("aftersales_warranty.mail_template_visit_report", raise_if_not_found=False)
        if not report or not self.env.registry.ready:
            # Not while a module installs (demo data): no server serves the report's styles yet.
            return
        Attachment = self.env["ir.attachment"].sudo()
        for visit in self:
            content, report_type = report.sudo()._render_qweb_pdf(report.report_name, visit.ids)
            filename = self.env._("Visit Report %(name)s", name=visit.name).replace("/", "-")
            # A PDF (an HTML page while Odoo's tests run without wkhtmltopdf).
            vals = {"name": f"{filename}.{report_type}", "raw": content}
            attachment = Attachment.create({**vals, "res_model": self._name, "res_id": visit.id})
            if template and visit.partner_id.email:
                visit.with_context(lang=visit.partner_id.lang).sudo().message_post_with_source(
                    template,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    attachment_ids=attachment.ids,
                )
            else:
                visit.sudo().message_post(body=self.env._("Visit report"), attachment_ids=attachment.ids)
            if visit.claim_id:
                claim_attachment = Attachment.create(
                    {**vals, "res_model": "aftersales.claim", "res_id": visit.claim_id.id}
                )
                visit.claim_id.sudo().message_post(
                    body=self.env._("Signed report of visit %(visit)s.", visit=visit._get_html_link()),
                    attachment_ids=claim_attachment.ids,
                )

    def _notify_customer(self, template_xmlid, event):
        """Email the customer (template ``template_xmlid``) in the visit's conversation; the
        feedback addon also texts them (``event``: scheduled, reminder)."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template:
            return
        for visit in self.filtered("partner_id.email"):
            visit.with_context(lang=visit.partner_id.lang).sudo().message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    @api.model
    def _cron_send_visit_reminders(self, batch_size=200):
        """Remind the customer of each scheduled visit the day before it (once)."""
        now = fields.Datetime.now()
        in_cron = bool(self.env.context.get("cron_id"))
        last_id = 0
        while True:
            visits = self.sudo().search(
                [
                    ("state", "=", "scheduled"),
                    ("reminder_sent", "=", False),
                    ("date_start", ">", now),
                    ("date_start", "<", now + timedelta(days=2)),
                    ("id", ">", last_id),
                ],
                order="id",
                limit=batch_size,
            )
            if not visits:
                break
            last_id = visits[-1].id
            due = visits.filtered(
                lambda v: v._local_day(v.date_start) <= v._local_day(now) + timedelta(days=1)
            )
            due._system_write({"reminder_sent": True})
            due._notify_customer("aftersales_warranty.mail_template_visit_reminder", "reminder")
            if in_cron and self.env["ir.cron"]._commit_progress(len(due)) <= 0:
                break

    def _portal_confirm(self):
        """The customer confirms the planned time (the controller checked the visit is theirs)."""
        self._ensure_state(("scheduled",), self.env._("be confirmed"))
        self._system_write({"customer_confirmed": True, "reschedule_requested": False})
        for visit in self:
            visit.message_post(
                body=self.env._("The customer confirmed the visit."), author_id=visit.partner_id.id
            )
        return True

    def _portal_request_reschedule(self, note):
        """The customer asks for another time: the agent is given a to-do with their words."""
        self._ensure_state(("draft", "scheduled"), self.env._("be moved"))
        self._system_write({"customer_confirmed": False, "reschedule_requested": True})
        for visit in self:
            body = self.env._("The customer asks for another time: %(note)s", note=note)
            visit.message_post(body=body, author_id=visit.partner_id.id)
            user = visit.claim_id.user_id or visit.create_uid
            if user and not user.share:
                visit.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Customer asks for another time"),
                    note=note,
                    user_id=user.id,
                )
        return True

    def _pdf_text(self, value, rtl):
        return self.env["aftersales.warranty"]._pdf_text(value, rtl)

    def _local_window(self):
        """The visit's day and time window in the customer's language and the company's zone."""
        self.ensure_one()
        tz = self.company_id.partner_id.tz or "UTC"
        zone = pytz.timezone(tz)
        start = pytz.utc.localize(self.date_start).astimezone(zone) if self.date_start else None
        end = pytz.utc.localize(self.date_end).astimezone(zone) if self.date_end else None
        return start, end

    def _time_window_text(self):
        """ "14:00-16:00" (Persian digits for a Persian reader)."""
        start, end = self._local_window()
        if not start or not end:
            return ""
        text = f"{start:%H:%M}-{end:%H:%M}"
        if is_persian(self.env.context.get("lang") or self.partner_id.lang):
            text = text.translate(PERSIAN_DIGITS)
        return text
