from odoo import api, fields, models
from odoo.exceptions import ValidationError

CLAIM_PRIORITIES = [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")]
MONTHS = [
    (str(month), name)
    for month, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
]


class AftersalesClaimSla(models.Model):
    _name = "aftersales.claim.sla"
    _description = "Claim Service Level"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    product_categ_ids = fields.Many2many(
        "product.category", string="Product Categories", help="Empty: any product (sub-categories match too)."
    )
    month_from = fields.Selection(MONTHS, string="Season From", help="First month of the season (inclusive).")
    month_to = fields.Selection(
        MONTHS,
        string="Season To",
        help="Last month of the season (inclusive); November to February wraps the year.",
    )
    claim_priority = fields.Selection(CLAIM_PRIORITIES, help="Empty: any priority.")
    resolve_hours = fields.Float("Resolve Within (hours)", required=True, default=72.0)
    raise_priority = fields.Selection(
        CLAIM_PRIORITIES,
        string="Raise Priority To",
        help="A matching claim's priority is raised to at least this.",
    )

    @api.constrains("resolve_hours")
    def _check_resolve_hours(self):
        for sla in self:
            if sla.resolve_hours <= 0:
                raise ValidationError(
                    self.env._(
                        "Service level %(name)s must give more than 0 hours to resolve.", name=sla.name
                    )
                )

    @api.constrains("month_from", "month_to")
    def _check_season(self):
        for sla in self:
            if bool(sla.month_from) != bool(sla.month_to):
                raise ValidationError(
                    self.env._(
                        "Service level %(name)s: a season needs both its first and its last month.",
                        name=sla.name,
                    )
                )

    def _criteria_count(self):
        self.ensure_one()
        return bool(self.product_categ_ids) + bool(self.month_from) + bool(self.claim_priority)

    def _matches(self, categ, month, priority):
        """Whether this rule applies to a claim of product category ``categ``, reported in ``month``."""
        self.ensure_one()
        if self.product_categ_ids and not (
            categ
            and categ.parent_path
            and any(categ.parent_path.startswith(c.parent_path) for c in self.product_categ_ids)
        ):
            return False
        if self.month_from:
            start, end = int(self.month_from), int(self.month_to)
            in_season = start <= month <= end if start <= end else (month >= start or month <= end)
            if not in_season:
                return False
        return not (self.claim_priority and self.claim_priority != priority)

    @api.model
    def _find_for(self, company, categ, month, priority, rules=None):
        """The most specific active rule for these claim values (most criteria, then fewest hours)."""
        rules = rules if rules is not None else self.search([("company_id", "in", [company.id, False])])
        matching = rules.filtered(lambda r: r._matches(categ, month, priority))
        if not matching:
            return self.browse()
        return min(matching, key=lambda r: (-r._criteria_count(), r.resolve_hours, r.sequence, r.id))
