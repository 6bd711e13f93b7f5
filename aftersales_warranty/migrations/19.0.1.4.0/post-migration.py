"""Every company gets its *Faulty Units* location, where claims now receive the customers' units,
and (with a chart of accounts) its *Warranty Expense* account, the location's valuation account.

Open claims keep the transfers they already have; their next receipt goes to this location.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"].with_context(active_test=False).search([])._aftersales_create_faulty_locations()
