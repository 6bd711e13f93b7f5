from odoo import api, fields, models
from odoo.exceptions import UserError

from .aftersales_followup import subscribe_responsibles

AFTERSALES_LEAD_KINDS = [
    ("followup", "After-Sales Follow-up"),
    ("renewal", "Warranty Renewal"),
    ("winback", "Win-back"),
]


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "aftersales.guard.mixin"]
    # Odoo's CRM checks its own values; the guard holds the fields the follow-up rules decide.
    _aftersales_check_values = False

    aftersales_kind = fields.Selection(
        AFTERSALES_LEAD_KINDS, "After-Sales", index="btree_not_null", readonly=True, copy=False
    )
    aftersales_warranty_id = fields.Many2one(
        "aftersales.warranty",
        "Warranty to Renew",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    aftersales_warranty_ids = fields.Many2many(
        "aftersales.warranty", string="Live Warranties", compute="_compute_aftersales_customer"
    )
    aftersales_claim_ids = fields.Many2many(
        "aftersales.claim", string="Open Claims", compute="_compute_aftersales_customer"
    )
    aftersales_coupon_ids = fields.Many2many(
        "loyalty.card", string="After-Sales Coupons", compute="_compute_aftersales_customer"
    )
    aftersales_last_score = fields.Integer(related="partner_id.aftersales_last_score", string="Last Score")
    aftersales_last_category = fields.Selection(
        related="partner_id.aftersales_last_category", string="Last Feedback"
    )

    def _aftersales_protected_fields(self):
        # The follow-up rules (as superuser) say what an opportunity is about; users cannot change it.
        return super()._aftersales_protected_fields() | {"aftersales_kind", "aftersales_warranty_id"}

    def _aftersales_protected_error(self, field):
        return UserError(
            self.env._(
                "%(field)s is set by the follow-up rules on opportunities: it cannot be changed.",
                field=field.get_description(self.env)["string"],
            )
        )

    @api.depends("partner_id")
    def _compute_aftersales_customer(self):
        commercial = self.partner_id.commercial_partner_id
        # sudo: a salesperson working the lead sees the customer's after-sales picture, read-only.
        warranties = (
            self.env["aftersales.warranty"]
            .sudo()
            .search([("commercial_partner_id", "in", commercial.ids), ("state", "=", "active")])
        )
        claims = (
            self.env["aftersales.claim"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "in", commercial.ids),
                    ("state", "not in", ("resolved", "closed", "rejected", "cancelled")),
                ]
            )
        )
        coupons = (
            self.env["loyalty.card"]
            .sudo()
            .search([("partner_id", "child_of", commercial.ids), ("aftersales_origin", "!=", False)])
        )
        for lead in self:
            partner = lead.partner_id.commercial_partner_id
            lead.aftersales_warranty_ids = warranties.filtered(
                lambda w, p=partner: w.commercial_partner_id == p
            )
            lead.aftersales_claim_ids = claims.filtered(lambda c, p=partner: c.commercial_partner_id == p)
            lead.aftersales_coupon_ids = coupons.filtered(
                lambda c, p=partner: c.partner_id.commercial_partner_id == p
            )

    def action_aftersales_create_extension(self):
        """Quote the warranty extension this renewal opportunity is about."""
        self.ensure_one()
        self.check_access("write")  # the quotation is linked to this opportunity
        if not self.aftersales_warranty_id:
            raise UserError(self.env._("This opportunity is not about a warranty renewal."))
        if self.won_status != "pending":
            raise UserError(
                self.env._(
                    "Opportunity %(name)s is already won or lost: reopen it to quote the extension.",
                    name=self.name,
                )
            )
        action = self.aftersales_warranty_id.action_extend()
        order = self.env["sale.order"].browse(action["res_id"])
        order.opportunity_id = self
        return action

    @api.model
    def _aftersales_leads_for(self, rule, vals_list):
        """The opportunity of each follow-up of ``vals_list`` (same order): a renewal per warranty,
        otherwise the customer's open after-sales or win-back opportunity, created when missing."""
        kind = {"warranty_expiring": "renewal", "detractor": "winback"}.get(rule.trigger, "followup")
        Lead = self.sudo()  # the cron opens opportunities for whoever is responsible
        partners = self.env["res.partner"].browse([vals["partner_id"] for vals in vals_list])
        existing = {}
        if kind != "renewal":
            open_leads = Lead.search(
                [
                    ("aftersales_kind", "=", kind),
                    ("partner_id", "in", partners.ids),
                    ("type", "=", "opportunity"),
                    ("won_status", "=", "pending"),
                ],
                order="id",
            )
            existing = {lead.partner_id.id: lead for lead in open_leads}
        to_create, keys = [], []
        for vals in vals_list:
            if vals["partner_id"] in existing:
                continue
            if kind != "renewal":
                existing[vals["partner_id"]] = None  # one new lead per customer in this batch
            to_create.append(self._aftersales_prepare_lead_vals(kind, vals))
            keys.append(vals["partner_id"] if kind != "renewal" else vals["res_id"])
        # The first open stage of each team, found once per team rather than once per new lead.
        stages = {}
        for vals in to_create:
            team = vals["team_id"]
            if team not in stages:
                stages[team] = Lead._stage_find(team_id=team, domain=[("fold", "=", False)]).id
            vals["stage_id"] = stages[team]
        created = Lead.with_context(tracking_disable=True).create(to_create) if to_create else Lead
        if created:
            subscribe_responsibles(created)
            body = self.env._("Opened by the follow-up rule %(rule)s.", rule=rule.name)
            created._message_log_batch(bodies=dict.fromkeys(created.ids, body))
        new_by_key = dict(zip(keys, created, strict=True))
        if kind == "renewal":
            return Lead.browse([new_by_key[vals["res_id"]].id for vals in vals_list])
        return Lead.browse(
            [(existing[vals["partner_id"]] or new_by_key[vals["partner_id"]]).id for vals in vals_list]
        )

    @api.model
    def _aftersales_prepare_lead_vals(self, kind, vals):
        record = vals["record"]
        partner = record.partner_id
        lead_vals = {
            "type": "opportunity",
            "aftersales_kind": kind,
            "partner_id": partner.id,
            "user_id": vals["user_id"],
            "team_id": vals["team_id"] or False,
            "company_id": vals["company_id"],
        }
        if kind == "renewal":
            product = record.policy_id.extension_product_id
            lead_vals.update(
                name=self.env._(
                    "Warranty renewal: %(warranty)s (%(product)s)",
                    warranty=record.name,
                    product=record.product_id.display_name,
                ),
                aftersales_warranty_id=record.id,
                expected_revenue=product.lst_price if product else 0.0,
                date_deadline=record.date_end,
            )
        elif kind == "winback":
            lead_vals.update(
                name=self.env._("Win back %(customer)s", customer=partner.display_name),
                priority="3",
                date_deadline=vals["date_deadline"],
            )
        else:
            lead_vals["name"] = self.env._(
                "After-sales follow-up: %(customer)s", customer=partner.display_name
            )
        return lead_vals

    # ------------------------------------------------------------------
    # Customer club
    # ------------------------------------------------------------------

    aftersales_club_tier_id = fields.Many2one(
        "aftersales.club.tier",
        "Club Tier",
        compute="_compute_aftersales_club_tier_id",
        compute_sudo=True,
        help="The customer's tier in the customer club of the lead's company.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_aftersales_club_tier_id(self):
        for lead in self:
            company = lead.company_id or self.env.company
            lead.aftersales_club_tier_id = lead.partner_id.with_company(company).aftersales_club_tier_id
