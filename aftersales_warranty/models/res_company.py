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

    aftersales_warranty_expense_account_id = fields.Many2one(
        "account.account",
        string="Warranty Expense Account",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Where the cost of warranty work is booked (Dr warranty expense / Cr stock): the valuation "
        "account of the Faulty Units location, debited by each replacement unit delivered and each "
        "refunded unit written off, on products valued in real time.",
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
        self._aftersales_create_warranty_expense_accounts()
        return True

    def _aftersales_create_warranty_expense_accounts(self):
        """Give each company of ``self`` that has a chart of accounts its *Warranty Expense*
        account, next to its expense account, and make it the valuation account of its Faulty
        Units location (with the chart, at install, at upgrade)."""
        Account = self.env["account.account"].sudo()
        for company in self.sudo().filtered(lambda c: c.chart_template):
            account = company.aftersales_warranty_expense_account_id
            if not account:
                base = company.expense_account_id
                code = (
                    Account.with_company(company)._search_new_account_code(base.code) if base.code else "6999"
                )
                account = Account.create(
                    {
                        "name": self.env._("Warranty Expense"),
                        "code": code,
                        "account_type": "expense",
                        "company_ids": [company.id],
                    }
                )
                company.aftersales_warranty_expense_account_id = account
            location = company.aftersales_faulty_location_id
            if location and not location.valuation_account_id:
                location.valuation_account_id = account
        return True
