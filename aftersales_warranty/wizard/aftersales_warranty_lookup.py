from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.aftersales_guard_mixin import check_internal_read


class AftersalesWarrantyLookup(models.TransientModel):
    _name = "aftersales.warranty.lookup"
    _description = "Serial Number Warranty Look-up"

    serial = fields.Char("Serial Number", help="Type or scan the serial number of the unit.")
    lot_id = fields.Many2one("stock.lot", string="Serial", compute="_compute_lot_id")
    warranty_id = fields.Many2one("aftersales.warranty", compute="_compute_lot_id")
    warranty_ids = fields.Many2many("aftersales.warranty", compute="_compute_lot_id", string="History")
    product_id = fields.Many2one(related="lot_id.product_id")
    partner_id = fields.Many2one(related="warranty_id.partner_id")
    sale_order_id = fields.Many2one(related="warranty_id.sale_order_id")
    date_delivered = fields.Datetime(related="warranty_id.date_delivered")
    date_start = fields.Date(related="warranty_id.date_start")
    date_end = fields.Date(related="warranty_id.date_end")
    state = fields.Selection(related="warranty_id.state", string="Status")
    coverage_parts = fields.Boolean(related="warranty_id.coverage_parts")
    coverage_labour = fields.Boolean(related="warranty_id.coverage_labour")
    coverage_replacement = fields.Boolean(related="warranty_id.coverage_replacement")
    message = fields.Char(compute="_compute_lot_id")
    claim_ids = fields.One2many(related="lot_id.claim_ids", string="Past Claims")

    @api.depends("serial")
    def _compute_lot_id(self):
        Lot = self.env["stock.lot"]
        Warranty = self.env["aftersales.warranty"]
        for wizard in self:
            serial = (wizard.serial or "").strip()
            lot, warranties = Lot, Warranty
            if serial:
                # Two indexed queries among millions of serials: the serial by its exact name
                # (btree index), then its warranties with the fields the form shows, in one read.
                lot = Lot.search_fetch(
                    [("name", "=", serial), ("company_id", "in", [*self.env.companies.ids, False])],
                    ["name", "product_id"],
                    limit=1,
                )
            if lot:
                warranties = Warranty.search_fetch(
                    [("lot_id", "=", lot.id)],
                    ["name", "state", "partner_id", "sale_order_id", "policy_id", "date_start", "date_end"],
                )
            wizard.lot_id = lot
            # The live warranty, as stock.lot's warranty_id gives it (same order, void ones skipped).
            wizard.warranty_id = next((w for w in warranties if w.state != "void"), Warranty)
            wizard.warranty_ids = warranties
            if not serial:
                wizard.message = False
            elif not lot:
                wizard.message = self.env._("No serial number %(serial)s is known.", serial=serial)
            elif not warranties:
                wizard.message = self.env._(
                    "Serial number %(serial)s has no warranty: it was not delivered to a customer "
                    "with a warranty policy.",
                    serial=serial,
                )
            else:
                wizard.message = False

    def action_lookup(self):
        """Check the typed serial and show its warranty (raises when the serial is unknown)."""
        self.ensure_one()
        if not self.serial or not self.serial.strip():
            raise UserError(self.env._("Type or scan a serial number first."))
        if not self.lot_id:
            raise UserError(self.message)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Warranty of %(serial)s", serial=self.lot_id.name),
        }

    def action_new_claim(self):
        """Open a new claim for the looked-up serial."""
        check_internal_read(self.env["aftersales.claim"], "create")
        self.ensure_one()
        if not self.lot_id:
            raise UserError(self.message or self.env._("Type or scan a serial number first."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.claim",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_lot_id": self.lot_id.id, "default_product_id": self.lot_id.product_id.id},
        }

    def action_open_warranty(self):
        self.ensure_one()
        if not self.warranty_id:
            raise UserError(self.message or self.env._("This serial number has no warranty."))
        return self.warranty_id.get_formview_action()
