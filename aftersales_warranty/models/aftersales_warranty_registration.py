"""Units sold through dealers: the warranty waits for its buyer's registration.

A delivery to a dealer (or to a contact of one) creates the warranty ``unregistered``, without a
start date; the buyer registers it (SMS, web, dealer, agent) and ``_register_buyer`` starts the coverage.
Only the warranty writes its own state: the channels call ``_register_buyer``.
"""

import base64
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .registration_tools import REGISTRATION_CHANNELS


class AftersalesWarranty(models.Model):
    _inherit = "aftersales.warranty"

    dealer_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        readonly=True,
        help="The dealer or distributor the unit was delivered to; its buyer registers the warranty.",
    )
    date_registered = fields.Datetime("Registered On", readonly=True, copy=False)
    registration_channel = fields.Selection(REGISTRATION_CHANNELS, readonly=True, copy=False)
    registered_phone = fields.Char(readonly=True, copy=False, help="The buyer's phone number (E.164).")
    registration_window_end = fields.Date(
        compute="_compute_registration_window_end",
        help="Registered after this day, the coverage starts on this day.",
    )

    @api.depends("dealer_id", "move_id.date", "policy_id.registration_window_months")
    def _compute_registration_window_end(self):
        for warranty in self:
            warranty.registration_window_end = (
                warranty._registration_window_end() if warranty.dealer_id else False
            )

    # ------------------------------------------------------------------
    # Delivery to a dealer
    # ------------------------------------------------------------------

    @api.model
    def _aftersales_dealer_of_move(self, move):
        """The dealer a customer delivery ``move`` goes to (its address or the order's customer
        belongs to a dealer), or an empty recordset."""
        for partner in (move.picking_id.partner_id, move.sale_line_id.order_id.partner_id):
            commercial = partner.commercial_partner_id
            if commercial.aftersales_is_dealer:
                return commercial
            if partner.aftersales_is_dealer:
                return partner
        return self.env["res.partner"]

    @api.model
    def _prepare_sale_move_vals(self, move, policy):
        vals = super()._prepare_sale_move_vals(move, policy)
        dealer = self._aftersales_dealer_of_move(move)
        if dealer:
            # The buyer is not known yet: the dealer holds the unit until it is registered.
            vals.update(state="unregistered", date_start=False, dealer_id=dealer.id, partner_id=dealer.id)
        return vals

    # ------------------------------------------------------------------
    # Registration
    # ------------------------------------------------------------------

    def _registration_window_end(self):
        """The last day of the registration window (delivery to the dealer + the policy's months)."""
        self.ensure_one()
        delivered = self.move_id.date or self.create_date or fields.Datetime.now()
        day = self._date_in_company_tz(self.company_id, delivered)
        return day + relativedelta(months=self.policy_id.registration_window_months)

    def _registration_start(self, when=None):
        """The coverage start of a registration at ``when`` (UTC datetime, default now): the
        registration day, or the end of the window when registered later."""
        self.ensure_one()
        day = self._date_in_company_tz(self.company_id, when or fields.Datetime.now())
        return min(day, self._registration_window_end())

    def _registration_end(self, when=None):
        """The coverage end a registration at ``when`` would give (extensions included)."""
        self.ensure_one()
        date_end = self.policy_id._get_date_end(self._registration_start(when))
        for line in self.extension_line_ids.sorted("id"):
            date_end = line._apply_warranty_extension(date_end)
        return date_end

    @api.model
    def _registration_partner(self, company, phone=False, email=False, name=False):
        """The buyer: the contact with this phone (E.164), else this email, else a new contact."""
        Partner = self.env["res.partner"].sudo()  # the buyer is not a user: the system files the contact
        partner = Partner.browse()
        if phone:
            partner = Partner.search([("phone_sanitized", "=", phone)], limit=1, order="id")
        if not partner and email:
            partner = Partner.search([("email", "=ilike", email)], limit=1, order="id")
        if not partner:
            partner = Partner.create(
                {
                    "name": (name or phone or email or self.env._("Warranty buyer")).strip()[:128],
                    "phone": phone or False,
                    "email": email or False,
                    "company_id": False,
                    "lang": self.env.context.get("lang") or company.partner_id.lang,
                }
            )
        return partner

    def _register_buyer(self, channel, partner=False, phone=False, email=False, name=False, when=None):
        """Start the coverage of this unregistered warranty for its buyer (the warranty's door).

        The buyer is ``partner``, else the contact found by ``phone`` (E.164) or ``email``, else a
        new contact named ``name``. Coverage starts on the day of registration, or at the end of
        the registration window when registered later. Posts the registration in the chatter.
        """
        self.ensure_one()
        # One registration per unit, whoever comes second in a race: the row lock orders them.
        self.env.cr.execute("SELECT state FROM aftersales_warranty WHERE id = %s FOR UPDATE", [self.id])
        self.invalidate_recordset(["state"])
        if self.state != "unregistered":
            raise UserError(
                self.env._(
                    "Warranty %(name)s is already registered: call us to transfer it to a new owner.",
                    name=self.name,
                )
            )
        when = when or fields.Datetime.now()
        partner = partner or self._registration_partner(self.company_id, phone=phone, email=email, name=name)
        self._system_write(
            {
                "partner_id": partner.id,
                "date_start": self._registration_start(when),
                "date_registered": when,
                "registration_channel": channel,
                "registered_phone": phone or False,
                "state": "active",
            }
        )
        self._refresh_expiry_state()
        channel_label = dict(REGISTRATION_CHANNELS)[channel]
        self.sudo().message_post(
            body=Markup("%s")
            % self.env._(
                "Registered by %(channel)s for %(buyer)s: covered from %(start)s to %(end)s.",
                channel=channel_label,
                buyer=partner.display_name,
                start=self.date_start,
                end=self.date_end,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._on_registered()
        return True

    def _aftersales_check_url(self):
        """The public authenticity check of this unit (printed as a QR code on its certificate)."""
        self.ensure_one()
        base = self.get_base_url()
        return f"{base}/warranty/check?{urlencode({'serial': self.lot_id.name or self.name})}"

    def _aftersales_check_qr_src(self):
        """The QR code of ``_aftersales_check_url`` as an image the PDF embeds (no HTTP fetch)."""
        self.ensure_one()
        png = self.env["ir.actions.report"].barcode("QR", self._aftersales_check_url(), width=240, height=240)
        return "data:image/png;base64," + base64.b64encode(png).decode()

    def _on_registered(self):
        """Hook: this warranty was just registered by its buyer (club points, notices)."""
        return True
