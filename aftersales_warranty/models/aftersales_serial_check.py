"""Authenticity checks: anyone asks whether a serial is genuine; each check is logged."""

from datetime import timedelta

from odoo import api, fields, models

from .aftersales_registration import MAX_SERIAL_LENGTH, clean_text

CHECK_RESULTS = [
    ("registered", "Genuine, registered"),
    ("unregistered", "Genuine, not registered"),
    ("unknown", "Unknown"),
]
CHECK_CHANNELS = [("web", "Website"), ("sms", "SMS")]


class AftersalesSerialCheck(models.Model):
    _name = "aftersales.serial.check"
    _description = "Serial Authenticity Check"
    _order = "date desc, id desc"
    _rec_name = "serial"

    serial = fields.Char(readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial Number", readonly=True, index="btree_not_null")
    result = fields.Selection(CHECK_RESULTS, required=True, readonly=True, index=True)
    channel = fields.Selection(CHECK_CHANNELS, required=True, readonly=True)
    requester_hash = fields.Char(
        "Hashed IP or Phone", readonly=True, index="btree_not_null", help="Counts requesters, reveals nobody."
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)

    _lot_date_index = models.Index("(lot_id, date) WHERE lot_id IS NOT NULL")

    @api.model
    def _aftersales_check(self, company, serial, channel, requester=None):
        """``{"result": registered|unregistered|unknown, "date_end": date or None, "rate_limited":
        bool}`` for serial ``serial`` of ``company``; never who owns it. Logged."""
        Registration = self.env["aftersales.registration"]
        company = company.sudo()  # chosen by the channel, not typed by the visitor
        serial = clean_text(serial, MAX_SERIAL_LENGTH * 2)
        requester_hash = Registration._hash_requester(requester) if requester else False
        if requester and Registration._rate_limited(
            company,
            phone=requester if channel == "sms" else False,
            ip_hash=requester_hash if channel != "sms" else False,
        ):
            return {"result": None, "date_end": None, "rate_limited": True}
        lot = (
            Registration._find_lot(company, serial)
            if len(serial) <= MAX_SERIAL_LENGTH
            else self.env["stock.lot"]
        )
        warranty = self.env["aftersales.warranty"].sudo()
        if lot:
            warranty = warranty.search(
                [("lot_id", "=", lot.id), ("state", "!=", "void"), ("company_id", "=", company.id)], limit=1
            )
        if not lot or not warranty or warranty.state == "pending":
            # A serial never sold is not one the public can have in hand.
            result, date_end = "unknown", None
        elif warranty.state == "unregistered":
            result, date_end = "unregistered", None
        else:
            result, date_end = "registered", warranty.date_end
        # The system logs the visitor's check: nobody may write the log.
        self.sudo().create(
            {
                "serial": serial[:MAX_SERIAL_LENGTH],
                "lot_id": lot.id or False,
                "result": result,
                "channel": channel,
                "requester_hash": requester_hash,
                "company_id": company.id,
            }
        )
        if lot and requester_hash:
            self._check_clone(company, lot, warranty)
        return {"result": result, "date_end": date_end, "rate_limited": False}

    @api.model
    def _check_clone(self, company, lot, warranty):
        """A serial checked from many requesters in a day may be printed on copies: tell the manager."""
        limit = company.aftersales_clone_check_phones
        if limit <= 0 or not warranty:
            return
        since = fields.Datetime.now() - timedelta(days=1)
        groups = self.sudo()._read_group(
            [("lot_id", "=", lot.id), ("date", ">=", since), ("requester_hash", "!=", False)],
            ["requester_hash"],
        )
        if len(groups) < limit:
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        warranty = warranty.sudo()
        summary = self.env._("Possibly cloned serial")
        if warranty.activity_ids.filtered(lambda a: a.summary == summary):
            return
        manager_group = self.env.ref("aftersales_warranty.group_aftersales_manager")
        manager = manager_group.sudo().user_ids.filtered(lambda u: company in u.company_ids and not u.share)[
            :1
        ]
        warranty.activity_schedule(
            activity_type_id=activity_type.id,
            summary=summary,
            note=self.env._(
                "Serial %(serial)s was checked from %(count)s different phones or addresses in a day: "
                "copies of its label may be on sale.",
                serial=lot.name,
                count=len(groups),
            ),
            user_id=(manager or self.env.ref("base.user_admin")).id,
        )
