from odoo import api, fields, models
from odoo.exceptions import ValidationError

CLUB_EVENTS = [
    ("feedback", "Satisfaction Answer"),
    ("photo_review", "Photo Review"),
    ("referral", "Referral"),
    ("extension", "Warranty Extension"),
    ("birthday", "Birthday"),
    ("registration", "Warranty Registration"),
]
# The record each event is granted for, once: the grant's second key.
CLUB_EVENT_MODELS = {
    "feedback": "aftersales.feedback",
    "photo_review": "aftersales.feedback",
    "referral": "res.partner",
    "extension": "sale.order.line",
    "birthday": "aftersales.occasion.log",
    "registration": "aftersales.warranty",
}
# Events that make their customer a member: a buyer who registers a unit bought from a dealer
# never bought from us, yet is the club's customer from then on.
CLUB_ENROLLING_EVENTS = ("registration",)


class AftersalesClubRule(models.Model):
    """Points a member earns for something done after the sale (purchases earn through the loyalty
    program's own rules)."""

    _name = "aftersales.club.rule"
    _description = "Customer Club Rule"
    _inherit = ["aftersales.guard.mixin"]
    _order = "company_id, event, id"
    _rec_name = "event"

    event = fields.Selection(CLUB_EVENTS, required=True, index=True)
    points = fields.Float(required=True, default=10.0)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)

    _points_positive = models.Constraint("CHECK (points > 0)", "The points of a rule must be positive.")

    @api.constrains("points")
    def _check_points(self):
        for rule in self:
            rule._check_rule_points(rule.points)

    def _check_rule_points(self, points):
        if points is not None and not points > 0:
            raise ValidationError(
                self.env._("The points of a club rule must be more than zero, not %(points)s.", points=points)
            )

    @api.model
    def _aftersales_prepare_create(self, vals_list):
        # Checked before the database sees them: the user reads a sentence, not a constraint.
        for vals in vals_list:
            self._check_rule_points(vals.get("points"))
        return super()._aftersales_prepare_create(vals_list)

    def _aftersales_prepare_write(self, vals):
        self._check_rule_points(vals.get("points"))
        return super()._aftersales_prepare_write(vals)

    @api.model
    def _points_by_company(self, event, companies):
        """{company: points} the active rules of ``event`` give in ``companies``."""
        points = {}
        for rule in self.sudo().search([("event", "=", event), ("company_id", "in", companies.ids)]):
            points[rule.company_id] = points.get(rule.company_id, 0.0) + rule.points
        return points
