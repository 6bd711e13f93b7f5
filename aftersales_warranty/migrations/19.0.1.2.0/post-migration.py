"""The emails print their dates with ``format_aftersales_date``: Solar Hijri for a Persian reader.

The templates are ``noupdate`` data (a company may have reworded them), so the update does not
reload them: the date expressions the previous release wrote are replaced in every language of
their body, and only those; a company's own wording stays.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# xml id of the template: (the expression of the previous release, the one of this release)
DATE_EXPRESSIONS = {
    "mail_template_warranty_certificate": (
        "format_date(warranty.date_end) or ''",
        "format_aftersales_date(warranty.date_end)",
    ),
    "mail_template_claim_received": (
        "format_datetime(object.date_deadline) or ''",
        "format_aftersales_date(object.date_deadline, 'datetime', "
        "tz=object.partner_id.tz or object.company_id.partner_id.tz)",
    ),
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, (previous, current) in DATE_EXPRESSIONS.items():
        cr.execute(
            SQL(
                "UPDATE mail_template t SET body_html = replace(t.body_html::text, %s, %s)::jsonb"
                "  FROM ir_model_data d"
                " WHERE d.module = 'aftersales_warranty' AND d.name = %s AND d.model = 'mail.template'"
                "   AND t.id = d.res_id AND t.body_html::text LIKE %s",
                previous,
                current,
                xmlid,
                f"%{previous}%",
            )
        )
        if cr.rowcount:
            _logger.info("Template %s prints its date with format_aftersales_date", xmlid)

    # Translations of records whose English text changed in this release (templates, portal pages):
    # the update keeps a translation it already has, which here is the old text (old expressions,
    # Gregorian dates); this release's translations replace them.
    langs = [code for code, _name in env["res.lang"].get_installed() if code != "en_US"]
    if langs:
        env["ir.module.module"]._load_module_terms(["aftersales_warranty"], langs, overwrite=True)
