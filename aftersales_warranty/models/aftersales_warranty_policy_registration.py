from odoo import fields, models


class AftersalesWarrantyPolicy(models.Model):
    _inherit = "aftersales.warranty.policy"

    registration_window_months = fields.Integer(
        "Registration Window (months)",
        default=12,
        help="A unit sold through a dealer is registered by its buyer within this many months of its "
        "delivery to the dealer; registered later, its coverage starts at the end of the window.",
    )

    _registration_window_positive = models.Constraint(
        "CHECK(registration_window_months >= 0 AND registration_window_months <= 1200)",
        "The registration window of a policy is between 0 and 1,200 months.",
    )
