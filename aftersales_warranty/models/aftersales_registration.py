"""The log of every registration attempt, and the attempt itself with its fraud guards.

Every channel (SMS, web, dealer portal, agent) calls ``_aftersales_attempt``: it refuses with a
reason (logged, nothing else written) or tells the warranty to register (``_register_buyer``).
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import hmac

from .registration_tools import REGISTRATION_CHANNELS, latin_digits, to_e164

_logger = logging.getLogger(__name__)

REGISTRATION_STATES = [("registered", "Registered"), ("refused", "Refused")]
REGISTRATION_REASONS = [
    ("unknown_serial", "Unknown serial"),
    ("wrong_code", "Wrong code"),
    ("already_registered", "Already registered"),
    ("not_sold", "Not sold"),
    ("window_over", "Registration window over"),
    ("locked", "Locked"),
    ("rate_limited", "Too many attempts"),
]
# Five wrong codes on a serial lock it for a day.
WRONG_CODE_LIMIT = 5
LOCK_HOURS = 24
MAX_SERIAL_LENGTH = 64
MAX_TEXT_LENGTH = 128


def clean_text(value, length=MAX_TEXT_LENGTH):
    """A visitor's text as the log keeps it: Latin digits, no NUL, stripped, at most ``length``."""
    if not isinstance(value, str):
        value = "" if value is None or value is False else str(value)
    return latin_digits(value[: length * 4]).strip()[:length]


class AftersalesRegistration(models.Model):
    _name = "aftersales.registration"
    _description = "Warranty Registration Attempt"
    _order = "date desc, id desc"
    _rec_name = "serial"

    serial = fields.Char(readonly=True, help="The serial as typed.")
    lot_id = fields.Many2one("stock.lot", string="Serial Number", readonly=True, index="btree_not_null")
    product_id = fields.Many2one(related="lot_id.product_id", store=True, string="Product")
    warranty_id = fields.Many2one("aftersales.warranty", readonly=True, index="btree_not_null")
    dealer_id = fields.Many2one(related="warranty_id.dealer_id", store=True, string="Dealer")
    partner_id = fields.Many2one("res.partner", string="Buyer", readonly=True)
    phone = fields.Char(readonly=True)
    email = fields.Char(readonly=True)
    buyer_name = fields.Char(readonly=True)
    purchase_date = fields.Date(readonly=True)
    channel = fields.Selection(REGISTRATION_CHANNELS, required=True, readonly=True)
    state = fields.Selection(REGISTRATION_STATES, required=True, readonly=True, index=True)
    reason = fields.Selection(REGISTRATION_REASONS, readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    ip_hash = fields.Char("Hashed IP Address", readonly=True, index="btree_not_null")
    user_id = fields.Many2one("res.users", string="Registered By", readonly=True)
    days_to_registration = fields.Integer(
        "Days from Delivery to Registration",
        readonly=True,
        aggregator="avg",
        help="Days between the delivery to the dealer and the registration.",
    )

    _lot_date_index = models.Index("(lot_id, reason, date) WHERE lot_id IS NOT NULL")
    _phone_date_index = models.Index("(phone, date) WHERE phone IS NOT NULL")
    _ip_date_index = models.Index("(ip_hash, date) WHERE ip_hash IS NOT NULL")

    # ------------------------------------------------------------------

    @api.model
    def _reason_message(self, reason, date_end=False):
        """The sentence a visitor reads for ``reason`` (in the context's language)."""
        _ = self.env._
        messages = {
            "unknown_serial": _(
                "This serial number is not one of ours: check the number printed on the card."
            ),
            "wrong_code": _("The code does not match this serial number: check the code under the label."),
            "already_registered": _(
                "This unit is already registered. If you bought it from its first owner, call us to "
                "transfer the warranty."
            ),
            "not_sold": _("This unit has not been sold by an authorised dealer yet: call us."),
            "window_over": _("The time to register this unit is over and its warranty has ended."),
            "locked": _("Too many wrong codes were typed for this serial number: try again tomorrow."),
            "rate_limited": _("Too many attempts: please try again in an hour."),
        }
        if reason in messages:
            return messages[reason]
        return _("Your warranty is registered: it covers this unit until %(date)s.", date=date_end or "")

    @api.model
    def _hash_requester(self, value):
        """A keyed hash of an IP address or phone: the log can count them, not reveal them."""
        return hmac(self.env(su=True), "aftersales.requester", value) if value else False

    @api.model
    def _rate_limited(self, company, phone=False, ip_hash=False):
        """Whether ``phone`` (E.164) or ``ip_hash`` made the company's hourly number of attempts
        (registrations and checks together)."""
        since = fields.Datetime.now() - timedelta(hours=1)
        Check = self.env["aftersales.serial.check"].sudo()
        for field, value, requester_hash, limit in (
            ("phone", phone, self._hash_requester(phone), company.aftersales_registration_phone_limit),
            ("ip_hash", ip_hash, ip_hash, company.aftersales_registration_ip_limit),
        ):
            if not value or limit <= 0:
                continue
            count = self.sudo().search_count([(field, "=", value), ("date", ">=", since)], limit=limit)
            if count < limit:
                count += Check.search_count(
                    [("requester_hash", "=", requester_hash), ("date", ">=", since)], limit=limit
                )
            if count >= limit:
                return True
        return False

    @api.model
    def _is_locked(self, lot):
        since = fields.Datetime.now() - timedelta(hours=LOCK_HOURS)
        return (
            self.sudo().search_count(
                [("lot_id", "=", lot.id), ("reason", "=", "wrong_code"), ("date", ">=", since)],
                limit=WRONG_CODE_LIMIT,
            )
            >= WRONG_CODE_LIMIT
        )

    @api.model
    def _find_lot(self, company, serial):
        """The serial ``serial`` of ``company`` (never another company's), or an empty recordset."""
        if not serial:
            return self.env["stock.lot"]
        return (
            self.env["stock.lot"]
            .sudo()
            .search([("name", "=", serial), ("company_id", "in", [company.id, False])], limit=1)
        )

    @api.model
    def _aftersales_attempt(
        self,
        company,
        serial,
        channel,
        code=None,
        phone=None,
        email=None,
        name=None,
        purchase_date=None,
        ip=None,
        partner=None,
        invoice=None,
        check_rate=True,
    ):
        """Register the unit of serial ``serial`` for its buyer through ``channel``, or refuse.

        Returns the log record (``state`` registered or refused with its ``reason``). Whatever the
        input, only the log is written when refused, and no exception escapes for the visitor's
        mistakes. ``company`` is the company the visitor talks to: another company's serials are
        unknown to it.
        """
        company = company.sudo()  # chosen by the channel (the visitor's site, the SMS line), not typed
        serial = clean_text(serial, MAX_SERIAL_LENGTH * 2)
        country = company.country_id.code or "IR"
        phone_e164 = to_e164(clean_text(phone, 40), country) if phone else False
        email = clean_text(email, 254) or False
        if email and ("@" not in email or " " in email):
            email = False
        ip_hash = self._hash_requester(ip) if ip else False
        vals = {
            "serial": serial[:MAX_SERIAL_LENGTH],
            "channel": channel,
            "phone": phone_e164 or (clean_text(phone, 40) or False),
            "email": email,
            "buyer_name": clean_text(name) or False,
            "company_id": company.id,
            "ip_hash": ip_hash,
            "user_id": self.env.uid if channel in ("dealer", "agent") else False,
        }
        if purchase_date:
            try:
                vals["purchase_date"] = fields.Date.to_date(clean_text(purchase_date, 10))
            except (TypeError, ValueError):
                vals["purchase_date"] = False
        reason, warranty, lot = self._attempt_reason(
            company, serial, channel, code, phone_e164, ip_hash, check_rate
        )
        vals.update(lot_id=lot.id or False, warranty_id=warranty.id or False)
        if not reason:
            try:
                with self.env.cr.savepoint():
                    warranty.sudo().with_context(lang=self.env.lang)._register_buyer(
                        channel, partner=partner, phone=phone_e164, email=email, name=clean_text(name)
                    )
            except UserError:
                reason = "already_registered"
        if reason:
            vals.update(state="refused", reason=reason)
        else:
            delivered = warranty.move_id.date or warranty.create_date
            vals.update(
                state="registered",
                partner_id=warranty.partner_id.id,
                days_to_registration=(fields.Datetime.now() - delivered).days if delivered else 0,
            )
            if invoice:
                self.env["ir.attachment"].sudo().create(
                    {
                        "name": clean_text(invoice[0], 100) or "invoice",
                        "datas": invoice[1],
                        "res_model": "aftersales.warranty",
                        "res_id": warranty.id,
                    }
                )
        # The system logs the visitor's attempt: nobody may write the log.
        return self.sudo().create(vals)

    @api.model
    def _attempt_reason(self, company, serial, channel, code, phone, ip_hash, check_rate):
        """(reason or False, warranty, lot) of an attempt: the first guard that refuses it."""
        Warranty = self.env["aftersales.warranty"].sudo()
        lot = self.env["stock.lot"]
        if check_rate and self._rate_limited(company, phone=phone, ip_hash=ip_hash):
            return "rate_limited", Warranty, lot
        if not serial or len(serial) > MAX_SERIAL_LENGTH:
            return "unknown_serial", Warranty, lot
        lot = self._find_lot(company, serial)
        if not lot:
            return "unknown_serial", Warranty, lot
        if self._is_locked(lot):
            return "locked", Warranty, lot
        warranty = Warranty.search(
            [("lot_id", "=", lot.id), ("state", "!=", "void"), ("company_id", "=", company.id)], limit=1
        )
        if not warranty or warranty.state == "pending":
            return "not_sold", warranty, lot
        if warranty.state != "unregistered":
            return "already_registered", warranty, lot
        if lot.aftersales_has_code and not lot._aftersales_code_matches(clean_text(code, 64)):
            return "wrong_code", warranty, lot
        if warranty._registration_end() < fields.Date.context_today(warranty):
            return "window_over", warranty, lot
        return False, warranty, lot
