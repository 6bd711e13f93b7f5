"""Failure codes of a claim: symptom, cause and remedy, and the rule that a repair or a
replacement is resolved with its cause."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class AftersalesClaim(models.Model):
    _inherit = "aftersales.claim"

    # Failure codes (see aftersales.failure.code): the customer says what is wrong in words (the
    # description), the agent codes the symptom, the cause and the remedy for the quality report.
    failure_categ_ids = fields.Many2many(
        "product.category",
        compute="_compute_failure_categ_ids",
        help="The product's category and its parents: the codes of these (or of none) apply.",
    )
    symptom_id = fields.Many2one(
        "aftersales.failure.code",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('kind', '=', 'symptom'), '|', ('categ_ids', '=', False), "
        "('categ_ids', 'in', failure_categ_ids)]",
        help="What the customer sees or hears.",
    )
    cause_id = fields.Many2one(
        "aftersales.failure.code",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('kind', '=', 'cause'), '|', ('categ_ids', '=', False), "
        "('categ_ids', 'in', failure_categ_ids)]",
        help="What failed. Required to resolve a repair or a replacement.",
    )
    remedy_id = fields.Many2one(
        "aftersales.failure.code",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('kind', '=', 'remedy'), '|', ('categ_ids', '=', False), "
        "('categ_ids', 'in', failure_categ_ids)]",
        help="What was done about it.",
    )

    @api.depends("product_id.categ_id")
    def _compute_failure_categ_ids(self):
        for claim in self:
            path = claim.product_id.categ_id.parent_path or ""
            claim.failure_categ_ids = [int(part) for part in path.split("/") if part]

    @api.constrains("symptom_id", "cause_id", "remedy_id", "product_id")
    def _check_failure_codes(self):
        """A code is of its field's kind and applies to the claim's product (its category or a
        parent of it, or every product); a resolved repair or replacement keeps its cause."""
        kinds = {"symptom_id": "symptom", "cause_id": "cause", "remedy_id": "remedy"}
        for claim in self:
            for fname, kind in kinds.items():
                code = claim[fname]
                if not code:
                    continue
                if code.kind != kind:
                    raise ValidationError(
                        self.env._(
                            "%(code)s is not a %(kind)s code: pick one for the field %(field)s.",
                            code=code.display_name,
                            kind=dict(code._fields["kind"]._description_selection(self.env))[kind],
                            field=self._fields[fname].get_description(self.env)["string"],
                        )
                    )
                if code.categ_ids and not code.categ_ids & claim.failure_categ_ids:
                    raise ValidationError(
                        self.env._(
                            "%(code)s does not apply to %(product)s: pick a code of its category.",
                            code=code.display_name,
                            product=claim.product_id.display_name or self.env._("a claim without product"),
                        )
                    )
            if (
                not claim.cause_id
                and claim.state in ("resolved", "closed")
                and claim.resolution in ("repair", "replace")
            ):
                raise ValidationError(
                    self.env._(
                        "Claim %(name)s was resolved by a repair or a replacement: its cause cannot be "
                        "removed.",
                        name=claim.name,
                    )
                )

    def _check_resolution_cause(self):
        """A repair or a replacement is resolved with its cause: what failed is what the quality
        report and the early warning count."""
        self.check_access("write")  # who may not resolve at all is told so first
        for claim in self:
            if claim.resolution in ("repair", "replace") and not claim.cause_id:
                raise UserError(
                    self.env._(
                        "Set the cause of claim %(name)s (what failed) before resolving it: a repair "
                        "or a replacement is resolved with its cause.",
                        name=claim.name,
                    )
                )

    def _resolve_done_work(self):
        """The repair or the replacement delivery of these claims is done: resolve those with a
        cause; the others wait for their agent, who is asked for the cause."""
        uncoded = self.filtered(lambda c: c.resolution in ("repair", "replace") and not c.cause_id)
        (self - uncoded).action_resolve()
        for claim in uncoded:
            claim.message_post(
                body=self.env._("The work is done: set the cause of the failure, then resolve the claim.")
            )
            if claim.user_id:
                claim.activity_schedule(
                    "aftersales_warranty.mail_activity_type_set_cause",
                    summary=self.env._("Set the cause, then resolve"),
                    user_id=claim.user_id.id,
                )

    def action_resolve(self):
        res = super().action_resolve()
        # The agent's "set the cause" to-do is done once the claim is resolved with its cause,
        # whoever resolves it (another agent, a manager): the system closes it, hence sudo.
        self.sudo().activity_feedback(["aftersales_warranty.mail_activity_type_set_cause"])
        return res
