from odoo import api, fields, models
from odoo.exceptions import ValidationError

FAILURE_CODE_KINDS = [("symptom", "Symptom"), ("cause", "Cause"), ("remedy", "Remedy")]


class AftersalesFailureCode(models.Model):
    """What the customer saw (symptom), what failed (cause) and what was done (remedy).

    Agents code claims with them; the quality report and the early warning count them.
    """

    _name = "aftersales.failure.code"
    _inherit = ["aftersales.guard.mixin"]
    _description = "Failure Code"
    _order = "kind, sequence, code, id"
    _check_company_auto = True
    _rec_names_search = ["code", "name"]

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, index=True)
    kind = fields.Selection(FAILURE_CODE_KINDS, required=True, default="symptom", index=True)
    sequence = fields.Integer(default=10)
    categ_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="The products this code applies to (sub-categories included). Empty: every product.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, default=lambda self: self.env.company, help="Empty: every company."
    )
    claim_count = fields.Integer(compute="_compute_claim_count")

    _code_kind_unique = models.UniqueIndex(
        "(code, kind, COALESCE(company_id, 0))",
        "A failure code must be unique per kind and company.",
    )

    @api.depends("code", "name")
    def _compute_display_name(self):
        for code in self:
            code.display_name = f"[{code.code}] {code.name}" if code.code else code.name

    def _compute_claim_count(self):
        Claim = self.env["aftersales.claim"]
        counts = dict.fromkeys(self.ids, 0)
        for fname in ("symptom_id", "cause_id", "remedy_id"):
            for code, count in Claim._read_group([(fname, "in", self.ids)], [fname], ["__count"]):
                counts[code.id] += count
        for code in self:
            code.claim_count = counts.get(code.id, 0)

    @api.constrains("code")
    def _check_code(self):
        for code in self:
            if not (code.code or "").strip():
                raise ValidationError(self.env._("A failure code needs a code, e.g. AC-C01."))

    @api.constrains("kind", "categ_ids")
    def _check_claims_still_fit(self):
        """A code's kind or categories cannot change under the claims already coded with it."""
        Claim = self.env["aftersales.claim"].sudo()
        claims = Claim.search(
            [
                "|",
                "|",
                ("symptom_id", "in", self.ids),
                ("cause_id", "in", self.ids),
                ("remedy_id", "in", self.ids),
            ]
        )
        claims._check_failure_codes()
