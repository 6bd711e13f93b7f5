from odoo import api, fields, models
from odoo.exceptions import UserError

from .aftersales_claim import OPEN_STATES
from .aftersales_guard_mixin import check_internal_read

# A claim this urgent is offered the earliest free slot of any technician.
URGENT_PRIORITIES = ("3",)


class AftersalesClaim(models.Model):
    _inherit = "aftersales.claim"

    visit_ids = fields.One2many("aftersales.visit", "claim_id", string="Visits")
    visit_count = fields.Integer(compute="_compute_visit_count")

    @api.depends("visit_ids")
    def _compute_visit_count(self):
        counts = dict(
            self.env["aftersales.visit"]._read_group(
                [("claim_id", "in", self.ids)], ["claim_id"], ["__count"]
            )
        )
        for claim in self:
            claim.visit_count = counts.get(claim, 0)

    def action_plan_visit(self):
        """Plan a repair visit at the customer's for this claim: the planning calendar opens with a
        new visit's values; an urgent claim is offered the earliest free slot of a technician."""
        check_internal_read(self, "write")
        self.ensure_one()
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_user"):
            raise UserError(self.env._("Only after-sales agents plan visits."))
        if self.state not in OPEN_STATES:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Claim %(name)s is %(state)s: no visit can be planned for it.",
                    name=self.name,
                    state=labels[self.state],
                )
            )
        if not self.partner_id:
            raise UserError(self.env._("Claim %(name)s has no customer to visit.", name=self.name))
        context = {
            "default_kind": "repair",
            "default_claim_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_lot_id": self.lot_id.id,
            "default_product_id": self.product_id.id,
            "default_warranty_id": self.warranty_id.id,
            "default_company_id": self.company_id.id,
        }
        planned = self.visit_ids.filtered(lambda v: v.state == "scheduled" and v.date_start)[:1]
        if planned:
            # The claim's own visit: the calendar opens on its week.
            context["initial_date"] = fields.Datetime.to_string(planned.date_start)
        else:
            technician, start, end = self.env["aftersales.visit"]._earliest_free_slot(self.company_id)
            if technician:
                # Not an empty week: the calendar opens where a technician is free.
                context["initial_date"] = fields.Datetime.to_string(start)
                if self.priority in URGENT_PRIORITIES:
                    # An urgent claim is offered that slot outright.
                    context.update(
                        default_technician_id=technician.id,
                        default_date_start=fields.Datetime.to_string(start),
                        default_date_end=fields.Datetime.to_string(end),
                    )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_warranty.aftersales_visit_action_plan"
        )
        action["context"] = context
        action["domain"] = [("state", "in", ("draft", "scheduled"))]
        return action

    def _on_visit_done(self, visits):
        """Repair visits ``visits`` fixed the unit of these claims: the claims go through diagnosis
        and repair, and resolve as the workshop's finished repair does (without a cause they wait
        for their agent, a to-do: the technician is never blocked). Called as the system: a
        technician does not work claims."""
        fixed = visits.filtered(lambda v: v.state == "done" and v.kind == "repair" and v.unit_fixed)
        # The claims a fixed unit moves on; the others (awaiting approval, closed...) stay as they are.
        claims = (self & fixed.claim_id).filtered(lambda c: c.state in ("new", "diagnosis", "in_progress"))
        claims._lock_for_change()
        for claim in claims:
            if claim.state == "new":
                claim._system_write({"state": "diagnosis"})
            if claim.state == "diagnosis":
                claim._system_write({"state": "in_progress", "resolution": claim.resolution or "repair"})
            if claim.state == "in_progress":
                claim._resolve_done_work()
                if claim.state == "resolved":
                    visit = fixed.filtered(lambda v, c=claim: v.claim_id == c)[:1]
                    claim.message_post(
                        body=self.env._("Resolved by visit %(visit)s.", visit=visit._get_html_link())
                    )
        return True

    def action_view_visits(self):
        check_internal_read(self)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_warranty.aftersales_visit_action")
        action["domain"] = [("claim_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
