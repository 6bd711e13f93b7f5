from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .aftersales_guard_mixin import check_internal_read

DURATION_UNITS = [
    ("day", "Days"),
    ("week", "Weeks"),
    ("month", "Months"),
    ("year", "Years"),
]

# The longest coverage a policy may give, per unit: a century. Longer ones are typing mistakes, and
# past year 9999 the end date cannot even be computed (the delivery would fail).
MAX_DURATION = {"day": 36525, "week": 5218, "month": 1200, "year": 100}


def add_duration(date, duration, unit):
    """Return ``date`` moved forward by ``duration`` ``unit`` (a DURATION_UNITS key).

    relativedelta keeps the calendar day and clamps at the month end:
    2026-01-31 + 1 month = 2026-02-28, 2024-02-29 + 1 year = 2025-02-28.
    """
    return date + relativedelta(**{f"{unit}s": duration})


class AftersalesWarrantyPolicy(models.Model):
    _name = "aftersales.warranty.policy"
    _description = "Warranty Policy"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Empty: the policy is shared by all companies, like the products it is set on.",
    )
    duration = fields.Integer(required=True, default=12)
    duration_unit = fields.Selection(DURATION_UNITS, string="Unit", required=True, default="month")
    start_trigger = fields.Selection(
        [("delivery", "Delivery"), ("sale", "Order Confirmation")],
        string="Coverage Starts On",
        required=True,
        default="delivery",
        help="Delivery: the day the unit reaches the customer. "
        "Order Confirmation: the day the sale order was confirmed.",
    )
    coverage_parts = fields.Boolean("Parts Covered", default=True)
    coverage_labour = fields.Boolean("Labour Covered", default=True)
    coverage_replacement = fields.Boolean("Replacement Covered")
    terms = fields.Html(translate=True)
    extension_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain=[("is_warranty_extension", "=", True)],
        help="Service product offered to customers to extend this warranty.",
    )
    warranty_count = fields.Integer(compute="_compute_warranty_count")
    maintenance_interval_months = fields.Integer(
        "Maintenance Every (months)",
        default=0,
        help="A maintenance visit is planned every this many months while the warranty is active; 0: none.",
    )

    @api.constrains("maintenance_interval_months")
    def _check_maintenance_interval_months(self):
        for policy in self:
            if not 0 <= policy.maintenance_interval_months <= 120:
                raise ValidationError(
                    self.env._(
                        "Warranty policy %(name)s: the maintenance interval is between 0 (none) and "
                        "120 months.",
                        name=policy.name,
                    )
                )

    @api.constrains("duration", "duration_unit")
    def _check_duration(self):
        for policy in self:
            policy._check_duration_value(policy.name, policy.duration, policy.duration_unit)

    def _check_duration_value(self, name, duration, unit):
        """Refuse a duration that is not a whole number of ``unit`` from 1 up to a century."""
        maximum = MAX_DURATION.get(unit)
        if maximum and isinstance(duration, int) and 1 <= duration <= maximum:
            return
        labels = dict(self._fields["duration_unit"]._description_selection(self.env))
        if isinstance(duration, int) and duration <= 0:
            message = self.env._(
                "The duration of warranty policy %(name)s must be greater than zero.", name=name
            )
        else:
            message = self.env._(
                "The duration of warranty policy %(name)s must be between 1 and %(max)s %(unit)s, "
                "not %(duration)s.",
                name=name,
                max=maximum,
                unit=labels.get(unit, unit),
                duration=duration,
            )
        raise ValidationError(message)

    @api.model_create_multi
    def create(self, vals_list):
        default_unit = None
        for vals in vals_list:
            # Checked before the database sees it: a number past its column's range is no message.
            if "duration" in vals:
                if not vals.get("duration_unit") and default_unit is None:
                    default_unit = self.default_get(["duration_unit"]).get("duration_unit")
                unit = vals.get("duration_unit") or default_unit
                self._check_duration_value(vals.get("name", ""), vals["duration"], unit)
        return super().create(vals_list)

    def write(self, vals):
        if "duration" in vals or "duration_unit" in vals:
            for policy in self:
                policy._check_duration_value(
                    vals.get("name", policy.name),
                    vals.get("duration", policy.duration),
                    vals.get("duration_unit", policy.duration_unit),
                )
        return super().write(vals)

    @api.constrains("extension_product_id")
    def _check_extension_product_id(self):
        for policy in self:
            product = policy.extension_product_id
            if product and not product.is_warranty_extension:
                raise ValidationError(
                    self.env._(
                        "Product %(product)s is not a warranty extension: tick 'Warranty Extension' "
                        "on the product before offering it on policy %(policy)s.",
                        product=product.display_name,
                        policy=policy.name,
                    )
                )

    def _compute_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.warranty_count = counts.get(policy, 0)

    def _get_date_end(self, date_start):
        """End of coverage (inclusive) for a unit whose coverage starts on ``date_start``."""
        self.ensure_one()
        return add_duration(date_start, self.duration, self.duration_unit)

    def action_view_warranties(self):
        check_internal_read(self)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_warranty.aftersales_warranty_action"
        )
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"default_policy_id": self.id}
        return action
