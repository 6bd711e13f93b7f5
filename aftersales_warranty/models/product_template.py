from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .aftersales_warranty_policy import DURATION_UNITS, MAX_DURATION


class ProductTemplate(models.Model):
    _inherit = "product.template"

    warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        check_company=True,
        help="Warranty given with every unit sold; when empty, the category's policy applies.",
    )
    effective_warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        string="Applied Warranty Policy",
        compute="_compute_effective_warranty_policy_id",
    )
    is_warranty_extension = fields.Boolean(
        "Warranty Extension",
        help="Selling this service extends the warranties of the order it is sold on, "
        "or the warranty its line targets.",
    )
    warranty_extension_duration = fields.Integer("Extension Duration", default=12)
    warranty_extension_unit = fields.Selection(DURATION_UNITS, string="Extension Unit", default="month")
    aftersales_install_required = fields.Boolean(
        "Installation Visit",
        help="Each unit delivered gets an installation visit at the customer's to schedule.",
    )
    aftersales_training_required = fields.Boolean(
        "Training Visit",
        help="Each delivery of this product gets a training visit at the customer's to schedule.",
    )

    @api.constrains("is_warranty_extension", "type", "warranty_extension_duration", "warranty_extension_unit")
    def _check_warranty_extension(self):
        for template in self.filtered("is_warranty_extension"):
            if template.type != "service":
                raise ValidationError(
                    self.env._(
                        "%(product)s cannot be a warranty extension: only service products can extend "
                        "a warranty.",
                        product=template.display_name,
                    )
                )
            if template.warranty_extension_duration <= 0 or not template.warranty_extension_unit:
                raise ValidationError(
                    self.env._(
                        "The extension duration of %(product)s must be greater than zero, with a unit.",
                        product=template.display_name,
                    )
                )
            maximum = MAX_DURATION[template.warranty_extension_unit]
            if template.warranty_extension_duration > maximum:
                labels = dict(self._fields["warranty_extension_unit"]._description_selection(self.env))
                raise ValidationError(
                    self.env._(
                        "The extension duration of %(product)s must be at most %(max)s %(unit)s, "
                        "not %(duration)s.",
                        product=template.display_name,
                        max=maximum,
                        unit=labels[template.warranty_extension_unit],
                        duration=template.warranty_extension_duration,
                    )
                )

    @api.depends("warranty_policy_id", "categ_id")
    def _compute_effective_warranty_policy_id(self):
        for template in self:
            template.effective_warranty_policy_id = template._get_warranty_policy()

    def _get_warranty_policy(self):
        """The template's own policy, else the nearest category's (walking up the parents)."""
        self.ensure_one()
        if self.warranty_policy_id:
            return self.warranty_policy_id
        category = self.categ_id
        while category:
            if category.warranty_policy_id:
                return category.warranty_policy_id
            category = category.parent_id
        return self.env["aftersales.warranty.policy"]
