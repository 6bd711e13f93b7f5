"""A claim's messages: the email gateway, the tracking templates, the acknowledgment cron."""

from odoo import api, models

# What an email to the claims alias may set besides sender, subject and body: the alias's own
# defaults. Callers of the mail gateway (message_process is public) give nothing else.
MAIL_GATEWAY_FIELDS = ("channel", "priority")


class AftersalesClaim(models.Model):
    _inherit = "aftersales.claim"

    def _track_template(self, changes):
        res = super()._track_template(changes)
        claim = self[0]
        if "state" in changes and claim.state == "resolved" and claim.partner_id.email:
            template = self.env.ref(
                "aftersales_warranty.mail_template_claim_resolved", raise_if_not_found=False
            )
            if template:
                res["state"] = (template, {"subtype_xmlid": "mail.mt_comment"})
        return res

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A claim from an email to the claims alias: channel email, customer from the sender.

        The mail gateway runs as superuser and ``message_process`` can be called by any user: the
        claim takes the sender, subject and body, and of ``custom_values`` only the alias's own
        defaults (``MAIL_GATEWAY_FIELDS``); no override, state, company or agent. The customer was
        matched on the From: address alone, which anybody can write: the claim shows on that
        customer's portal once an agent has confirmed the customer.
        """
        self._aftersales_check_gateway_caller()
        values = {
            key: value
            for key, value in (custom_values or {}).items()
            if key in MAIL_GATEWAY_FIELDS and isinstance(value, str)
        }
        values.update(channel="email", customer_confirmed=False)
        partner = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if not partner and msg_dict.get("email_from"):
            # Routed without an alias (fetchmail's default model): the gateway did not look.
            partner = self._partner_find_from_emails_single([msg_dict["email_from"]], no_create=True)[:1]
        if partner:
            values["partner_id"] = partner.id
        values["email"] = msg_dict.get("email_from")
        values["description"] = msg_dict.get("body")
        return super().message_new(msg_dict, custom_values=values)

    def _reader_tz(self):
        """The time zone the customer reads the claim's times in: theirs, else the company's (its
        contact's, then its working hours'), else UTC; never the zone of the agent who acts."""
        self.ensure_one()
        company = self.company_id
        return self.partner_id.tz or company.partner_id.tz or company.resource_calendar_id.tz or "UTC"

    @api.model
    def _acknowledge_without_email(self, claims):
        """Hook: acknowledge ``claims`` whose customer has no email (the feedback addon texts them)."""
        return None

    @api.model
    def _cron_send_claim_acknowledgments(self, batch_size=200):
        """Email the "claim received" acknowledgment of new claims, rendered in batches.

        Triggered by each claim's creation. Each customer with an email gets it in their language,
        as a comment of the company in the claim's conversation (the portal shows it); claims whose
        customer has no email are only unflagged.
        """
        template = self.env.ref("aftersales_warranty.mail_template_claim_received", raise_if_not_found=False)
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        in_cron = bool(self.env.context.get("cron_id"))
        while True:
            claims = self.search([("ack_pending", "=", True)], limit=batch_size, order="id")
            if not claims:
                break
            to_send = claims.filtered(lambda c: c.partner_id.email) if template else self.browse()
            for (company, tz), batch in to_send.grouped(lambda c: (c.company_id, c._reader_tz())).items():
                composer = (
                    self.env["mail.compose.message"]
                    .with_context(
                        # Times in the customer's zone (else the company's), never the sender's.
                        tz=tz,
                        default_composition_mode="comment",
                        default_model=self._name,
                        default_res_ids=batch.ids,
                        default_template_id=template.id,
                    )
                    .create(
                        {
                            "message_type": "comment",
                            "subtype_id": subtype_id,
                            "author_id": company.partner_id.id,
                            # To the customer (the template's recipient), not to every agent who
                            # follows the claim: a comment the portal shows, one email.
                            "notify_skip_followers": True,
                        }
                    )
                )
                composer._action_send_mail()
            self._acknowledge_without_email(claims - to_send)
            claims._system_write({"ack_pending": False})
            if not in_cron:
                continue
            more = int(len(claims) == batch_size)
            if self.env["ir.cron"]._commit_progress(len(claims), remaining=more) <= 0:
                break
