from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from odoo.addons.aftersales_warranty.models.aftersales_claim_sla import CLAIM_PRIORITIES


class AftersalesClubTier(models.Model):
    """A level of the customer club, reached with the points earned over the last 365 days."""

    _name = "aftersales.club.tier"
    _description = "Customer Club Tier"
    _inherit = ["aftersales.guard.mixin"]
    _order = "company_id, min_points, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    min_points = fields.Float(
        "Minimum Points",
        required=True,
        default=0.0,
        help="Points earned in the last 365 days that reach this tier. Spending points never demotes.",
    )
    warranty_bonus_months = fields.Integer(
        "Warranty Bonus (months)",
        default=0,
        help="A warranty created from a delivery to a member of this tier ends this many months later "
        "than its policy says.",
    )
    claim_priority = fields.Selection(
        CLAIM_PRIORITIES, help="A member's claim gets at least this priority (empty: no change)."
    )
    benefits = fields.Html(
        translate=True, help="What the tier gives, as the customer reads it on the portal."
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    member_count = fields.Integer("Members", compute="_compute_member_count")

    _min_points_positive = models.Constraint(
        "CHECK (min_points >= 0)", "The minimum points of a tier cannot be negative."
    )
    _bonus_positive = models.Constraint(
        "CHECK (warranty_bonus_months >= 0)", "The warranty bonus cannot be negative."
    )

    @api.constrains("min_points", "warranty_bonus_months")
    def _check_values(self):
        for tier in self:
            tier._check_tier_vals(tier.name, tier.min_points, tier.warranty_bonus_months)

    def _check_tier_vals(self, name, min_points, bonus):
        if min_points is not None and min_points < 0:
            raise ValidationError(
                self.env._("Tier %(tier)s: the minimum points cannot be negative.", tier=name or "")
            )
        if bonus is not None and not 0 <= bonus <= 120:
            raise ValidationError(
                self.env._(
                    "Tier %(tier)s: the warranty bonus is a number of months between 0 and 120.",
                    tier=name or "",
                )
            )

    @api.model
    def _aftersales_prepare_create(self, vals_list):
        # Checked before the database sees them: the user reads a sentence, not a constraint.
        for vals in vals_list:
            self._check_tier_vals(vals.get("name"), vals.get("min_points"), vals.get("warranty_bonus_months"))
        return super()._aftersales_prepare_create(vals_list)

    def _aftersales_prepare_write(self, vals):
        self._check_tier_vals(
            vals.get("name") or ", ".join(self.mapped("name")),
            vals.get("min_points"),
            vals.get("warranty_bonus_months"),
        )
        return super()._aftersales_prepare_write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        tiers = super().create(vals_list)
        tiers._trigger_tier_update()
        return tiers

    def write(self, vals):
        result = super().write(vals)
        if {"min_points", "active", "company_id", "claim_priority"} & set(vals):
            self._trigger_tier_update()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_trigger_tier_update(self):
        self._trigger_tier_update()

    @api.model
    @tools.ormcache()
    def _companies_with_claim_priority(self):
        """Ids of the companies with an active tier that raises claim priorities: a claim of any
        other company reads no tier at all (the cache is cleared when tiers change)."""
        groups = self.sudo()._read_group([("claim_priority", "!=", False)], ["company_id"])
        return frozenset(company.id for (company,) in groups)

    def _trigger_tier_update(self):
        self.env.registry.clear_cache()  # _companies_with_claim_priority
        # Members move to their new tiers with the daily cron's batches, run now: a change of the
        # tiers touches every member, too many for the request that made it.
        cron = self.env.ref("aftersales_feedback.ir_cron_aftersales_club", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    def _compute_member_count(self):
        counts = {}
        for company in self.company_id:
            Partner = self.env["res.partner"].sudo().with_company(company)  # a count, not the customers
            tiers = self.filtered(lambda t, c=company: t.company_id == c and t.id)
            groups = Partner._read_group(
                [("aftersales_club_tier_id", "in", tiers.ids)], ["aftersales_club_tier_id"], ["__count"]
            )
            counts.update({tier.id: count for tier, count in groups})
        for tier in self:
            tier.member_count = counts.get(tier.id, 0)

    @api.model
    def _tier_for(self, tiers, points):
        """The highest of ``tiers`` (one company's, sorted by minimum points) that ``points`` reach."""
        reached = self.browse()
        for tier in tiers:
            if points >= tier.min_points:
                reached = tier
        return reached

    def _next_tier(self, tiers, points):
        """The tier after the one ``points`` reach among ``tiers``, or an empty recordset."""
        return next((tier for tier in tiers if tier.min_points > points), self.browse())
