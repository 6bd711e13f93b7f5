from odoo import SUPERUSER_ID, api

from odoo.addons.aftersales_feedback.hooks import _aftersales_club_setup


def migrate(cr, version):
    """Existing databases: every company gets its customer club program, as at install."""
    if not version:
        return
    _aftersales_club_setup(api.Environment(cr, SUPERUSER_ID, {}))
