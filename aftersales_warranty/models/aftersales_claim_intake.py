"""Checks done when a claim is recorded or changed: agents, one open claim per unit, phones,
the serial received by its customer, the service level's priority, coverage."""

import phonenumbers

from odoo import api, models
from odoo.exceptions import UserError, ValidationError

from .aftersales_claim import OPEN_STATES


class AftersalesClaim(models.Model):
    _inherit = "aftersales.claim"

    @api.model
    def _check_agents(self, users):
        """A claim's agent is an internal user: a portal user would be emailed the claim's content."""
        for user in users.exists():
            if user.share:
                raise ValidationError(
                    self.env._(
                        "%(user)s is not an internal user and cannot be the agent of a claim.",
                        user=user.name,
                    )
                )

    @api.model
    def _check_no_open_claim(self, lots_and_claims):
        """One open claim per unit: a second call about the same serial goes to the open claim.

        ``lots_and_claims``: (serial id, id of the claim that may hold it or False) pairs.
        """
        lot_ids = {lot_id for lot_id, _claim_id in lots_and_claims}
        if not lot_ids:
            return
        open_claims = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch([("lot_id", "in", list(lot_ids)), ("state", "in", OPEN_STATES)], ["name", "lot_id"])
        )
        for lot_id, claim_id in lots_and_claims:
            other = open_claims.filtered(lambda c, lot=lot_id, me=claim_id: c.lot_id.id == lot and c.id != me)
            if other:
                raise ValidationError(
                    self.env._(
                        "Serial number %(serial)s already has open claim %(claim)s: add to that claim "
                        "instead of opening another one.",
                        serial=other[:1].lot_id.name,
                        claim=other[:1].name,
                    )
                )

    @api.model
    def _e164(self, phone, country):
        """``phone`` in E.164 with ``country`` for national numbers, or a ValidationError that says
        how to write it."""
        try:
            return self._phone_format_number(phone, country, force_format="E164", raise_exception=True)
        except UserError:
            region = country.code or "IR"
            example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
            raise ValidationError(
                self.env._(
                    "The phone number %(phone)s is not valid: write it with its country code, "
                    "for example %(example)s.",
                    phone=phone,
                    example=phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
                    if example
                    else "+98 912 345 6789",
                )
            ) from None

    def _normalize_phones(self):
        """Store phones in E.164, with the customer's country (else the company's)."""
        for claim in self.filtered("phone"):
            number = self._e164(claim.phone, claim.partner_id.country_id or claim.company_id.country_id)
            if number and number != claim.phone:
                claim.phone = number  # written again, already in E.164: the check stops there

    def _check_serial_received(self):
        for claim in self:
            self._check_serial_received_by(claim.lot_id, claim.partner_id, claim.serial_override)

    @api.model
    def _check_serial_received_by(self, lot, partner, override):
        """A serial must have reached the claim's customer, unless a manager overrides it."""
        if not lot or not partner:
            return
        received = lot.warranty_ids.filtered(
            lambda w: (
                w.state != "void" and w.partner_id.commercial_partner_id == partner.commercial_partner_id
            )
        )
        if received:
            return
        if not override:
            raise ValidationError(
                self.env._(
                    "Serial number %(serial)s was never delivered to %(customer)s: check the serial, "
                    "or ask an After-Sales manager to accept the claim anyway.",
                    serial=lot.name,
                    customer=partner.display_name,
                )
            )
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_manager") and not self.env.su:
            raise ValidationError(
                self.env._(
                    "Only an After-Sales manager can accept serial %(serial)s, "
                    "which %(customer)s never received.",
                    serial=lot.name,
                    customer=partner.display_name,
                )
            )

    def _apply_sla_priority(self):
        for claim in self:
            raise_to = claim.sla_id.raise_priority
            if raise_to and int(raise_to) > int(claim.priority):
                claim.priority = raise_to

    @api.model
    def _warranty_covers(self, warranty, when):
        """Whether ``warranty`` covers its unit at datetime ``when`` (dates in the company's zone)."""
        if not warranty or not when or warranty.state == "void" or not warranty.date_start:
            return False
        day = self.env["aftersales.warranty"]._date_in_company_tz(warranty.company_id, when)
        return warranty.state in ("active", "expired") and warranty.date_start <= day <= warranty.date_end
