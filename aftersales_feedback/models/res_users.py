import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResUsers(models.Model):
    _inherit = "res.users"

    aftersales_pbx_extension = fields.Char(
        "Exchange Extension",
        copy=False,
        index="btree_not_null",
        help="The user's extension on the company's telephone exchange (e.g. 101): the calls it takes "
        "or makes are this user's.",
    )

    @api.constrains("aftersales_pbx_extension", "company_ids")
    def _check_aftersales_pbx_extension(self):
        users = self.filtered("aftersales_pbx_extension")
        for user in users:
            if not re.fullmatch(r"[0-9A-Za-z_*#+]{1,20}", user.aftersales_pbx_extension):
                raise ValidationError(
                    self.env._(
                        "The extension %(extension)s is not an extension of the exchange: write its digits, "
                        "e.g. 101.",
                        extension=user.aftersales_pbx_extension,
                    )
                )
        if not users:
            return
        twins = self.sudo().search(  # every user, to find a colleague with the same extension
            [
                ("aftersales_pbx_extension", "in", users.mapped("aftersales_pbx_extension")),
                ("id", "not in", users.ids),
                ("company_ids", "in", users.company_ids.ids),
            ]
        )
        for user in users:
            twin = twins.filtered(
                lambda t, u=user: (
                    t.aftersales_pbx_extension == u.aftersales_pbx_extension and t.company_ids & u.company_ids
                )
            )[:1]
            if twin:
                raise ValidationError(
                    self.env._(
                        "The extension %(extension)s is already %(user)s's.",
                        extension=user.aftersales_pbx_extension,
                        user=twin.name,
                    )
                )
