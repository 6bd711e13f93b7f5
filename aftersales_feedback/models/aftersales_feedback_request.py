import re
import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.aftersales_warranty.models.aftersales_guard_mixin import system_writes

TOKEN_RE = re.compile(r"[0-9a-f-]{8,64}")
REQUEST_STATES = [
    ("sent", "Sent"),
    ("rated", "Rated"),
    ("done", "Answered"),
    ("cancelled", "Cancelled"),
]


class AftersalesFeedbackRequest(models.Model):
    """A satisfaction survey emailed to a customer, answered once on a public page reached by token."""

    _name = "aftersales.feedback.request"
    _description = "Satisfaction Survey Request"
    _inherit = ["aftersales.guard.mixin"]
    _order = "id desc"
    _rec_name = "partner_id"

    # The link's token and what the customer's answer set: the survey page and its actions write them.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "access_token",
            "state",
            "feedback_id",
            "date_answered",
        }

    access_token = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: str(uuid.uuid4()),
        # The customer's key to answer in their name: read by the system (the survey's email and
        # page), by no agent.
        groups="base.group_system",
    )
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True)
    claim_id = fields.Many2one("aftersales.claim", index="btree_not_null", ondelete="cascade")
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", ondelete="cascade")
    product_id = fields.Many2one("product.product")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(REQUEST_STATES, required=True, readonly=True, default="sent", index=True)
    feedback_id = fields.Many2one("aftersales.feedback", readonly=True, ondelete="set null")
    date_answered = fields.Datetime(readonly=True)
    survey_url = fields.Char(
        "Survey Link", compute="_compute_survey_url", compute_sudo=True, groups="base.group_user"
    )

    _token_unique = models.UniqueIndex("(access_token)", "Survey links must be unique.")

    @api.depends("partner_id", "claim_id", "sale_order_id")
    def _compute_display_name(self):
        for request in self:
            document = request.claim_id or request.sale_order_id
            request.display_name = " - ".join(filter(None, [request.partner_id.name, document.display_name]))

    def _compute_survey_url(self):
        for request in self:
            request.survey_url = request._get_survey_url()

    def _get_survey_url(self, score=None):
        self.ensure_one()
        base = self.get_base_url()
        url = f"{base}/aftersales/feedback/{self.sudo().access_token}"
        return f"{url}/{score}" if score else url

    def action_cancel(self):
        """Withdraw unanswered surveys: their links then say the survey is closed."""
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_manager"):
            raise AccessError(self.env._("Only after-sales managers cancel satisfaction surveys."))
        self.check_access("write")
        labels = dict(self._fields["state"]._description_selection(self.env))
        for request in self:
            if request.state not in ("sent", "rated"):
                raise UserError(
                    self.env._(
                        "The survey sent to %(customer)s is %(state)s: only an unanswered survey can be "
                        "cancelled.",
                        customer=request.partner_id.display_name,
                        state=labels[request.state],
                    )
                )
        with system_writes():
            self.write({"state": "cancelled"})
        return True

    @api.model
    def _send_for(self, records):
        """Send the satisfaction survey about each claim or delivered order of ``records``: by email,
        or by SMS to a customer who has no valid email address but a valid mobile number.

        A customer who can be reached neither way gets no survey (nothing queued to nobody): a note on
        the claim or order says so.
        """
        numbers = {}
        for record in records.filtered(lambda r: not r.partner_id.email_normalized):
            partner = record.partner_id
            if record._name == "aftersales.claim":
                # The number the claim's other notices went to: the survey follows them.
                numbers[record] = record._aftersales_notice_number()
            else:
                numbers[record] = not partner.phone_sanitized_blacklisted and partner._aftersales_sms_number()
        unreachable = records.browse([record.id for record, number in numbers.items() if not number])
        if unreachable:
            unreachable._message_log_batch(
                bodies={
                    record.id: self.env._(
                        "No satisfaction survey was sent: customer %(customer)s has no valid email "
                        "address nor mobile number.",
                        customer=record.partner_id.display_name,
                    )
                    for record in unreachable
                }
            )
        vals_list = []
        for record in records - unreachable:
            vals = {"partner_id": record.partner_id.id, "company_id": record.company_id.id}
            if record._name == "aftersales.claim":
                vals.update(
                    claim_id=record.id, sale_order_id=record.sale_order_id.id, product_id=record.product_id.id
                )
            else:
                vals.update(sale_order_id=record.id, product_id=record.order_line.product_id[:1].id)
            vals_list.append(vals)
        if not vals_list:
            return self.browse()
        # The survey goes out on a business event (resolution, delivery), whoever triggered it.
        requests = self.sudo().create(vals_list)
        by_sms = {
            request: numbers[request.claim_id or request.sale_order_id]
            for request in requests
            if (request.claim_id or request.sale_order_id) in numbers
        }
        template = self.env.ref(
            "aftersales_feedback.mail_template_feedback_request", raise_if_not_found=False
        )
        if template:
            by_email = requests.filtered(lambda request: request not in by_sms)
            for lang, batch in by_email.grouped(lambda r: r.partner_id.lang or False).items():
                template.with_context(lang=lang).send_mail_batch(batch.ids)
        sms_template = self.env.ref(
            "aftersales_feedback.sms_template_feedback_request", raise_if_not_found=False
        )
        if sms_template and by_sms:
            texted = requests.browse([request.id for request in by_sms])
            sms_template._aftersales_queue(texted, {request.id: number for request, number in by_sms.items()})
        return requests

    @api.model
    def _get_by_token(self, token):
        """The request of ``token`` (sudo), or an empty recordset for an unknown token."""
        if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
            return self.sudo().browse()
        return self.sudo().search([("access_token", "=", token)], limit=1)

    def _record_score(self, score):
        """The one-click answer: the score becomes feedback; the survey stays open for the details."""
        self.ensure_one()
        score = self._parse_int(score, 1, 5, self.env._("Choose a score from 1 to 5."))
        if self.state == "sent":
            feedback = self.env["aftersales.feedback"].sudo().create(self._prepare_feedback_vals(score))
            self.write({"state": "rated", "feedback_id": feedback.id, "date_answered": fields.Datetime.now()})
        elif self.state == "rated":
            self.feedback_id.score = score
        else:
            raise UserError(self.env._("This survey has already been answered. Thank you!"))
        return self.feedback_id

    def _record_details(self, score, nps=None, comment=None, photo=None):
        """The survey form: score, optional 0-10 recommendation, comment and photo. Closes the survey."""
        self.ensure_one()
        if self.state not in ("sent", "rated"):
            raise UserError(self.env._("This survey has already been answered. Thank you!"))
        score = self._parse_int(score, 1, 5, self.env._("Choose a score from 1 to 5."))
        if not (nps is None or nps is False or nps == ""):
            nps = self._parse_int(
                nps, 0, 10, self.env._("Choose how likely you are to recommend us, from 0 to 10.")
            )
        else:
            nps = False
        vals = {"score": score, "nps": nps, "comment": (comment or "").strip()[:5000] or False}
        if photo:
            vals["photo"] = photo
        if self.feedback_id:
            self.feedback_id.write(vals)
        else:
            self.feedback_id = (
                self.env["aftersales.feedback"].sudo().create({**self._prepare_feedback_vals(score), **vals})
            )
        self.write({"state": "done", "date_answered": fields.Datetime.now()})
        return self.feedback_id

    @api.model
    def _parse_int(self, value, low, high, message):
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise UserError(message) from None
        if not low <= number <= high:
            raise UserError(message)
        return number

    def _prepare_feedback_vals(self, score):
        return {
            "partner_id": self.partner_id.id,
            "claim_id": self.claim_id.id,
            "sale_order_id": self.sale_order_id.id,
            "product_id": self.product_id.id,
            "company_id": self.company_id.id,
            "score": score,
            "source": "email",
        }
