from hmac import compare_digest

from odoo import api, fields, models
from odoo.tools.misc import hmac

from .registration_tools import normalize_code


class StockLot(models.Model):
    _inherit = "stock.lot"

    # A keyed hash (HMAC with the database's secret) of the code printed under the unit's scratch
    # label: the code itself is never stored. Nobody reads it: not even a system administrator over
    # RPC (see _has_field_access); only the registration's own check, as superuser, compares it.
    aftersales_code_hash = fields.Char(copy=False, groups="base.group_system", index="btree_not_null")
    aftersales_has_code = fields.Boolean(
        "Has Authentication Code",
        copy=False,
        readonly=True,
        help="The unit's label carries a code: registering the unit needs it.",
    )

    def _has_field_access(self, field, operation):
        if field.name == "aftersales_code_hash" and not self.env.su:
            return False
        return super()._has_field_access(field, operation)

    @api.model
    def _aftersales_code_hash(self, serial, code):
        """The keyed hash of ``code`` for serial ``serial``: a code copied to another serial fails."""
        return hmac(self.env(su=True), "aftersales.serial.code", f"{serial}\n{normalize_code(code)}")

    def _aftersales_code_matches(self, code):
        """Whether ``code`` is this serial's code (compared in constant time)."""
        self.ensure_one()
        stored = self.sudo().aftersales_code_hash
        if not stored or not code:
            return False
        return compare_digest(stored, self._aftersales_code_hash(self.name, code))
