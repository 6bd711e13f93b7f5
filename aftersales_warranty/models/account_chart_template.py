from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        res = super()._post_load_data(template_code, company, template_data)
        # The warranty-expense account comes with the chart (the company's Faulty Units location
        # exists from the company's creation).
        company = company or self.env.company
        company._aftersales_create_faulty_locations()
        company._aftersales_create_warranty_expense_accounts()
        return res
