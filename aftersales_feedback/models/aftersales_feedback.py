from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

FEEDBACK_SOURCES = [("email", "Email"), ("portal", "Portal"), ("call", "Phone Call"), ("sms", "SMS")]
FEEDBACK_CATEGORIES = [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")]
# Where the customer answers by themselves (the survey): what they answered there is theirs.
CUSTOMER_SOURCES = ("email", "portal")
# What a customer answers.
CUSTOMER_ANSWER_FIELDS = (
    "score",
    "nps",
    "comment",
    "photo",
    "source",
    "partner_id",
    "sale_order_id",
    "claim_id",
)


class AftersalesFeedback(models.Model):
    _name = "aftersales.feedback"
    _description = "Customer Satisfaction Feedback"
    _inherit = ["aftersales.guard.mixin", "mail.thread"]
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    # Derived from what the customer gave: a photo earns the review coupon, so "with photo" is read
    # from the photo itself; the rest follows the scores and the documents.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "has_photo",
            "nps_given",
            "category",
            "user_id",
        }

    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, tracking=True)
    claim_id = fields.Many2one("aftersales.claim", index="btree_not_null", ondelete="set null")
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", ondelete="set null")
    product_id = fields.Many2one("product.product", index="btree_not_null")
    score = fields.Integer(required=True, tracking=True, aggregator="avg", help="Satisfaction from 1 to 5.")
    nps = fields.Integer(
        "Would Recommend",
        aggregator="avg",
        help="0-10: how likely the customer is to recommend us. Only meaningful when given.",
    )
    nps_given = fields.Boolean(
        "Recommendation Given", readonly=True, help="Set when the customer answered the 0-10 question."
    )
    comment = fields.Text()
    source = fields.Selection(FEEDBACK_SOURCES, required=True, default="call")
    category = fields.Selection(
        FEEDBACK_CATEGORIES, compute="_compute_category", store=True, index=True, tracking=True
    )
    photo = fields.Image(max_width=1920, max_height=1920, attachment=True)
    has_photo = fields.Boolean(
        "With Photo",
        compute="_compute_has_photo",
        store=True,
        help="A photo is attached to the review (set from the photo itself).",
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", "Responsible", compute="_compute_user_id", store=True, index="btree_not_null"
    )

    _score_range = models.Constraint("CHECK (score BETWEEN 1 AND 5)", "The score must be between 1 and 5.")
    _nps_range = models.Constraint(
        "CHECK (nps_given IS NOT TRUE OR nps BETWEEN 0 AND 10)",
        "The recommendation score must be between 0 and 10.",
    )

    @api.constrains("score", "nps", "nps_given")
    def _check_scores(self):
        # The SQL constraints guard the database; this message reaches the user in their language.
        for feedback in self:
            if not 1 <= feedback.score <= 5:
                raise ValidationError(
                    self.env._("The score must be between 1 and 5, not %(score)s.", score=feedback.score)
                )
            if feedback.nps_given and not 0 <= feedback.nps <= 10:
                raise ValidationError(
                    self.env._(
                        "The recommendation score must be between 0 and 10, not %(nps)s.", nps=feedback.nps
                    )
                )

    @api.depends("score", "nps", "nps_given")
    def _compute_category(self):
        for feedback in self:
            feedback.category = feedback._category_for(
                feedback.score, feedback.nps if feedback.nps_given else None
            )

    @api.depends("photo")
    def _compute_has_photo(self):
        for feedback in self:
            feedback.has_photo = bool(feedback.photo)

    @api.depends("sale_order_id.user_id", "claim_id.user_id")
    def _compute_user_id(self):
        for feedback in self:
            feedback.user_id = feedback.claim_id.user_id or feedback.sale_order_id.user_id

    @api.model
    def _category_for(self, score, nps=None):
        """Promoter, passive or detractor: from the 0-10 answer when given, else from the 1-5 score."""
        if nps is not None:
            return "promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor"
        if not score:
            return False
        return "promoter" if score >= 5 else "passive" if score == 4 else "detractor"

    @api.model
    def _normalize_vals(self, vals):
        # Checked before the database sees them, so that the user reads a sentence, not a constraint.
        if "score" in vals and not (isinstance(vals["score"], int) and 1 <= vals["score"] <= 5):
            raise ValidationError(
                self.env._("The score must be between 1 and 5, not %(score)s.", score=vals["score"])
            )
        if "nps" in vals:
            given = not (vals["nps"] is False or vals["nps"] is None or vals["nps"] == "")
            if given and not (isinstance(vals["nps"], int) and 0 <= vals["nps"] <= 10):
                raise ValidationError(
                    self.env._(
                        "The recommendation score must be between 0 and 10, not %(nps)s.", nps=vals["nps"]
                    )
                )
            vals["nps_given"] = given
            vals["nps"] = vals["nps"] if given else 0
        for related, field in (("claim_id", "aftersales.claim"), ("sale_order_id", "sale.order")):
            if vals.get(related) and not vals.get("partner_id"):
                vals["partner_id"] = self.env[field].browse(vals[related]).partner_id.id
        if vals.get("claim_id"):
            claim = self.env["aftersales.claim"].browse(vals["claim_id"])
            vals.setdefault("sale_order_id", claim.sale_order_id.id)
            vals.setdefault("product_id", claim.product_id.id)
            vals.setdefault("company_id", claim.company_id.id)
        elif vals.get("sale_order_id"):
            vals.setdefault("company_id", self.env["sale.order"].browse(vals["sale_order_id"]).company_id.id)
        return vals

    def _aftersales_value_error(self, field, value):
        # The scores' own sentences, whatever is wrong with the value (a text, True, a huge number).
        if field.name == "score":
            return ValidationError(
                self.env._("The score must be between 1 and 5, not %(score)s.", score=repr(value)[:60])
            )
        if field.name == "nps":
            return ValidationError(
                self.env._(
                    "The recommendation score must be between 0 and 10, not %(nps)s.", nps=repr(value)[:60]
                )
            )
        return super()._aftersales_value_error(field, value)

    @api.model
    def _aftersales_prepare_create(self, vals_list):
        # Completed once the guard checked the values as sent (the claim and order ids are then real).
        return [self._normalize_vals(dict(vals)) for vals in super()._aftersales_prepare_create(vals_list)]

    def _aftersales_prepare_write(self, vals):
        return self._normalize_vals(dict(super()._aftersales_prepare_write(vals)))

    def _aftersales_check_protected(self, vals, creating):
        """Feedback by email or portal is the customer's own answer to a survey, recorded by the
        system: a user records what a customer says by phone or SMS, and never rewrites an answer."""
        super()._aftersales_check_protected(vals, creating)
        if self._aftersales_may_write_protected(creating):
            return
        answered = self.filtered(lambda feedback: feedback.source in CUSTOMER_SOURCES)
        changed = [name for name in CUSTOMER_ANSWER_FIELDS if name in vals]
        if vals.get("source") in CUSTOMER_SOURCES or (answered and changed):
            raise UserError(
                self.env._(
                    "Feedback by email or in the portal is the customer's own answer to the survey: "
                    "it cannot be entered or changed by hand. Record what a customer tells you as a "
                    "phone call or an SMS."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        feedbacks = super().create(vals_list)
        feedbacks._grant_review_rewards()
        feedbacks._grant_club_points()
        return feedbacks

    def write(self, vals):
        result = super().write(vals)
        if {"photo", "score", "sale_order_id"} & set(vals):
            self._grant_review_rewards()
        if "photo" in vals:
            self._grant_club_points()
        return result

    def _grant_review_rewards(self):
        """A review with a photo and a score of 4 or 5 earns its order's review coupon, once per order."""
        eligible = self.filtered(lambda f: f.has_photo and f.score >= 4 and f.sale_order_id)
        if not eligible:
            return
        self.env["loyalty.card"]._aftersales_grant_review(eligible)

    def _grant_club_points(self):
        """Club points for each answer, and for each answer with a photo (once per answer and event)."""
        Partner = self.env["res.partner"]
        Partner._aftersales_club_grant("feedback", [(f.partner_id, f.company_id, f) for f in self])
        Partner._aftersales_club_grant(
            "photo_review", [(f.partner_id, f.company_id, f) for f in self.filtered("has_photo")]
        )
