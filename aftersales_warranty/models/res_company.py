from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_send_certificate = fields.Boolean(
        "Send Warranty Certificates",
        default=True,
        help="Email the warranty certificate to the customer when the warranties of an order start.",
    )
    aftersales_visit_max_per_day = fields.Integer(
        "Visits per Technician and Day",
        default=6,
        help="The most service visits planned for one technician on one day; 0: no limit.",
    )
    aftersales_faulty_location_id = fields.Many2one(
        "stock.location",
        string="Faulty Units Location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Where the units customers send back under a claim are received, outside the warehouse's "
        "stock: they are never reserved for a sale or a replacement, and stay the customer's (owner) "
        "until the claim settles.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._aftersales_create_faulty_locations()
        return companies

    def _aftersales_create_faulty_locations(self):
        """Give each company of ``self`` without one its *Faulty Units* location (install, new
        companies, upgrade)."""
        parent = self.env.ref("stock.stock_location_locations", raise_if_not_found=False)
        # The location is the company's configuration, created by the system whoever adds a company.
        Location = self.env["stock.location"].sudo()
        for company in self.filtered(lambda c: not c.aftersales_faulty_location_id):
            location = Location.create(
                {
                    "name": self.env._("Faulty Units"),
                    "usage": "internal",
                    "location_id": parent.id if parent else False,
                    "company_id": company.id,
                }
            )
            company.sudo().aftersales_faulty_location_id = location
        return True
