from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class AftersalesWarrantyLookup(models.TransientModel):
    _inherit = "aftersales.warranty.lookup"

    buyer_name = fields.Char("Buyer's Name")
    buyer_phone = fields.Char("Buyer's Mobile")
    buyer_email = fields.Char("Buyer's Email")
    buyer_code = fields.Char("Code under the Label", help="The code printed under the unit's scratch label.")

    def action_register_buyer(self):
        """Register the unit for the buyer on the phone or at the desk (agents only)."""
        self.ensure_one()
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_user"):
            raise AccessError(self.env._("Only an After-Sales agent can register a unit for its buyer."))
        if not self.lot_id or self.state != "unregistered":
            raise UserError(self.env._("Look up a unit awaiting registration first."))
        if not (self.buyer_name and self.buyer_phone):
            raise UserError(self.env._("Type the buyer's name and mobile number to register the unit."))
        log = self.env["aftersales.registration"]._aftersales_attempt(
            self.warranty_id.company_id,
            self.lot_id.name,
            "agent",
            code=self.buyer_code,
            phone=self.buyer_phone,
            email=self.buyer_email,
            name=self.buyer_name,
            check_rate=False,
        )
        if log.state != "registered":
            raise UserError(log._reason_message(log.reason))
        return self.warranty_id.get_formview_action()
