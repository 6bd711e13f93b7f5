import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from ..tools.sms_api import (
    KAVENEGAR_MAX_MESSAGEIDS,
    KAVENEGAR_PENDING_STATUSES,
    KAVENEGAR_STATUS_ERRORS,
    KAVENEGAR_STATUSES,
    KavenegarError,
    SmsApiKavenegar,
)

_logger = logging.getLogger(__name__)

# sms/status.json answers for the messages of the last 48 hours (status 100 afterwards): older SMS
# are no longer asked about.
KAVENEGAR_REPORT_DAYS = 3


class SmsSms(models.Model):
    _inherit = "sms.sms"

    # As sms_twilio names it: the company whose provider sends the SMS when it has no message.
    record_company_id = fields.Many2one("res.company", "Company", ondelete="set null")
    failure_type = fields.Selection(
        # Odoo's delivery failures (mail.notification), given by Kavenegar's delivery reports.
        selection_add=[("sms_not_delivered", "Not Delivered"), ("sms_rejected", "Rejected")],
    )
    aftersales_failure_reason = fields.Char(
        "Failure Reason", readonly=True, copy=False, help="Why the provider did not send or deliver the SMS."
    )
    aftersales_kavenegar_message_id = fields.Char(
        "Kavenegar Message ID", readonly=True, copy=False, index="btree_not_null"
    )
    aftersales_kavenegar_status = fields.Selection(
        KAVENEGAR_STATUSES, "Kavenegar Status", readonly=True, copy=False
    )
    aftersales_delete_after_report = fields.Boolean(
        "Delete After Delivery Report",
        readonly=True,
        copy=False,
        help="Sent through Kavenegar to be deleted once sent: deleted when its delivery report is final.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals["record_company_id"] = vals.get("record_company_id") or self.env.company.id
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _get_sms_company(self):
        return self.mail_message_id.record_company_id or self.record_company_id or super()._get_sms_company()

    def _split_by_api(self):
        # Odoo sends everything through IAP here: each company choosing Kavenegar gets its own API.
        by_company, others = self._aftersales_split_kavenegar()
        for company, company_sms in by_company.items():
            yield self._aftersales_kavenegar_api(company), company_sms
        if others:
            yield from super(SmsSms, others)._split_by_api()

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        if self.env.context.get("sms_api"):
            return super()._send(
                unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
            )
        # The queue sends a page of SMS of any companies (Odoo gives it one company's provider):
        # each company's SMS go through its own provider.
        by_company, others = self._aftersales_split_kavenegar()
        for company, company_sms in by_company.items():
            super(SmsSms, company_sms.with_context(sms_api=self._aftersales_kavenegar_api(company)))._send(
                unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
            )
        for company_sms in others.grouped(lambda sms: sms._get_sms_company()).values():
            super(SmsSms, company_sms)._send(
                unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
            )
        return None

    def _send_with_api(self, sms_api, unlink_failed=False, unlink_sent=True, raise_exception=False):
        if not isinstance(sms_api, SmsApiKavenegar):
            return super()._send_with_api(
                sms_api, unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
            )
        # Kavenegar tells the delivery when asked (sms/status.json): a sent SMS stays until its report
        # is final, then it is marked for deletion as Odoo would have marked it now.
        result = super()._send_with_api(
            sms_api, unlink_failed=unlink_failed, unlink_sent=False, raise_exception=raise_exception
        )
        if unlink_sent:
            sent = self.sudo().filtered(lambda sms: sms.state in ("process", "pending", "sent"))
            awaiting = sent.filtered(
                lambda sms: sms.aftersales_kavenegar_status in KAVENEGAR_PENDING_STATUSES
            )
            awaiting.aftersales_delete_after_report = True
            (sent - awaiting).to_delete = True
        return result

    def _handle_call_result_hook(self, results):
        """Keep the provider's reason of a failure, and Kavenegar's message id and status."""
        by_uuid = self.grouped("uuid")
        for result in results:
            sms = by_uuid.get(result.get("uuid"))
            if not sms:
                continue
            vals = {"aftersales_failure_reason": result.get("failure_reason") or False}
            if "aftersales_kavenegar_message_id" in result:
                vals["aftersales_kavenegar_message_id"] = result["aftersales_kavenegar_message_id"]
                vals["aftersales_kavenegar_status"] = result["aftersales_kavenegar_status"]
            if vals := {name: value for name, value in vals.items() if sms[name] != value}:
                sms.write(vals)
        return super()._handle_call_result_hook(results)

    def _aftersales_split_kavenegar(self):
        """``({company: its SMS}, other SMS)``: the SMS of the companies that send through Kavenegar."""
        by_company = defaultdict(self.browse)
        api_classes = {}
        for sms in self:
            company = sms._get_sms_company()
            if company not in api_classes:
                api_classes[company] = company._get_sms_api_class()
            if issubclass(api_classes[company], SmsApiKavenegar):
                by_company[company] |= sms
        kavenegar = self.browse().union(*by_company.values())
        return dict(by_company), self - kavenegar

    def _aftersales_kavenegar_api(self, company):
        sms_api = SmsApiKavenegar(self.env)
        sms_api._set_company(company)
        return sms_api

    # ------------------------------------------------------------------
    # Delivery reports
    # ------------------------------------------------------------------

    @api.model
    def _cron_aftersales_kavenegar_reports(self, batch_size=KAVENEGAR_MAX_MESSAGEIDS):
        """Ask Kavenegar for the delivery of the SMS it accepted (sms/status.json, a page of
        ``batch_size`` per call) and update them and their notifications as Odoo's delivery reports
        do. SMS older than Kavenegar's reports are no longer asked about."""
        in_cron = bool(self.env.context.get("cron_id"))
        Sms = self.sudo()  # technical records of every company, updated by the cron
        cutoff = fields.Datetime.now() - timedelta(days=KAVENEGAR_REPORT_DAYS)
        awaiting = [
            ("aftersales_kavenegar_status", "in", KAVENEGAR_PENDING_STATUSES),
            ("aftersales_kavenegar_message_id", "!=", False),
            ("state", "in", ("process", "pending")),
        ]
        # No report will come any more: deleted now if sending would have deleted them.
        Sms.search(
            [
                *awaiting,
                ("create_date", "<", cutoff),
                ("aftersales_delete_after_report", "=", True),
                ("to_delete", "=", False),
            ]
        ).to_delete = True
        last_id = 0
        while True:
            page = Sms.search(
                [*awaiting, ("create_date", ">=", cutoff), ("id", ">", last_id)], order="id", limit=batch_size
            )
            if not page:
                break
            last_id = page[-1].id
            page._aftersales_update_from_kavenegar()
            if in_cron and self.env["ir.cron"]._commit_progress(len(page)) <= 0:
                break

    def _aftersales_update_from_kavenegar(self):
        known = dict(KAVENEGAR_STATUSES)
        for company, company_sms in self.grouped(lambda sms: sms._get_sms_company()).items():
            try:
                statuses = self._aftersales_kavenegar_api(company)._get_delivery_statuses(
                    company_sms.mapped("aftersales_kavenegar_message_id")
                )
            except KavenegarError as error:
                # Asked again at the next run.
                _logger.warning("Kavenegar delivery reports of %s: %s", company.name, error.reason)
                continue
            changes = defaultdict(self.browse)
            for sms in company_sms:
                status, text = statuses.get(sms.aftersales_kavenegar_message_id, (None, ""))
                if status in known and status != sms.aftersales_kavenegar_status:
                    changes[status, text] |= sms
            for (status, text), sms in changes.items():
                sms._aftersales_apply_kavenegar_status(status, text)

    def _aftersales_apply_kavenegar_status(self, status, text):
        """Kavenegar's ``status`` (and its ``text``) of these SMS, on them and their notifications."""
        vals = {"aftersales_kavenegar_status": status}
        if status == "10":
            vals.update(state="sent", failure_type=False, aftersales_failure_reason=False)
            self.sms_tracker_id._action_update_from_sms_state("sent")
        elif status in KAVENEGAR_STATUS_ERRORS:
            error = KAVENEGAR_STATUS_ERRORS[status]
            reason = self.env._(
                "Kavenegar delivery report (status %(status)s): %(text)s", status=status, text=text
            )
            vals.update(
                state="error",
                failure_type=SmsApiKavenegar.PROVIDER_TO_SMS_FAILURE_TYPE[error],
                aftersales_failure_reason=reason,
            )
            self.sms_tracker_id.with_context(
                sms_known_failure_reason=reason
            )._action_update_from_provider_error(error)
        elif status == "13":
            vals.update(state="canceled")
            self.sms_tracker_id._action_update_from_sms_state("canceled")
        elif status == "100":
            # Accepted by the operator, then no report within Kavenegar's 48 hours: left "Sent".
            vals["aftersales_failure_reason"] = self.env._(
                "Kavenegar has no delivery report for this SMS (status 100): %(text)s", text=text
            )
        self.write(vals)
        if status not in KAVENEGAR_PENDING_STATUSES:
            self.filtered("aftersales_delete_after_report").to_delete = True
