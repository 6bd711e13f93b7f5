from odoo import api, fields, models

LOG_STATES = [("sent", "Greeted"), ("skipped", "Skipped")]
SKIP_REASONS = [
    ("no_email", "No valid email"),
    ("no_phone", "No valid mobile number"),
    ("no_contact", "No valid email or number"),
    ("opted_out", "Opted out"),
]


class AftersalesOccasionLog(models.Model):
    """One greeting (or one skipped customer) per occasion, customer and year."""

    _name = "aftersales.occasion.log"
    _description = "Occasion Greeting Sent"
    _inherit = ["aftersales.guard.mixin"]
    _order = "id desc"
    _rec_name = "partner_id"

    # The journal of what was sent, to which number, with which coupon: written by the greetings.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "state",
            "skip_reason",
            "channel",
            "sms_number",
            "card_id",
            "coupon_code",
        }

    occasion_id = fields.Many2one("aftersales.occasion", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, ondelete="cascade")
    year = fields.Integer(required=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    state = fields.Selection(LOG_STATES, required=True, readonly=True, default="sent")
    skip_reason = fields.Selection(SKIP_REASONS, readonly=True)
    channel = fields.Selection([("email", "Email"), ("sms", "SMS"), ("both", "Email and SMS")], readonly=True)
    sms_number = fields.Char("SMS Number", readonly=True, help="The number the SMS went to, in E.164.")
    card_id = fields.Many2one("loyalty.card", "Coupon", readonly=True, ondelete="set null")
    coupon_code = fields.Char(related="card_id.code")

    _once_a_year = models.UniqueIndex(
        "(occasion_id, partner_id, year)", "A customer is greeted once per occasion and year."
    )

    @api.model
    def _greet(self, occasion, partners, year):
        """Greet ``partners`` for ``occasion``: one log each, coupons, emails and SMS in batches."""
        want_email = occasion.channel in ("email", "both")
        want_sms = occasion.channel in ("sms", "both")
        company = occasion.company_id or self.env.company
        vals_list = []
        for partner in partners:
            email_ok = want_email and bool(partner.email_normalized) and not partner.is_blacklisted
            number = want_sms and partner._aftersales_sms_number()
            sms_ok = bool(number) and not partner.phone_sanitized_blacklisted
            vals = {
                "occasion_id": occasion.id,
                "partner_id": partner.id,
                "year": year,
                "company_id": company.id,
            }
            if email_ok or sms_ok:
                vals["channel"] = "both" if email_ok and sms_ok else "email" if email_ok else "sms"
                if sms_ok:
                    vals["sms_number"] = number
            else:
                opted_out = (want_email and partner.is_blacklisted) or (
                    want_sms and partner.phone_sanitized_blacklisted
                )
                vals.update(
                    state="skipped",
                    skip_reason="opted_out"
                    if opted_out
                    else {"email": "no_email", "sms": "no_phone"}.get(occasion.channel, "no_contact"),
                )
            vals_list.append(vals)
        logs = self.sudo().create(vals_list)  # the cron writes the journal of what it sent
        sent = logs.filtered(lambda log: log.state == "sent")
        if occasion.program_id and sent:
            cards = (
                self.env["loyalty.card"]
                .sudo()
                .with_context(loyalty_no_mail=True)  # the greeting carries the code: one message
                .create(
                    [
                        {
                            "program_id": occasion.program_id.id,
                            "partner_id": log.partner_id.id,
                            "points": 1,
                            "expiration_date": company._aftersales_coupon_expiry(),
                            "aftersales_origin": "occasion",
                            "aftersales_occasion_id": occasion.id,
                        }
                        for log in sent
                    ]
                )
            )
            for log, card in zip(sent, cards, strict=True):
                log.card_id = card
        by_email = sent.filtered(lambda log: log.channel in ("email", "both"))
        if by_email and occasion.mail_template_id:
            for lang, batch in by_email.grouped(lambda log: log.partner_id.lang or False).items():
                occasion.mail_template_id.with_context(lang=lang).send_mail_batch(batch.ids)
        by_sms = sent.filtered(lambda log: log.channel in ("sms", "both"))
        if by_sms and occasion.sms_template_id:
            occasion.sms_template_id._aftersales_queue(by_sms, {log.id: log.sms_number for log in by_sms})
        if occasion.kind == "birthday":  # a birthday greeting sent earns the member club points
            self.env["res.partner"]._aftersales_club_grant(
                "birthday", [(log.partner_id, log.company_id, log) for log in sent]
            )
        return logs
