from odoo import api, fields, models

from .aftersales_guard_mixin import check_internal_read

WARRANTY_STATUS = [
    ("none", "No Warranty"),
    ("pending", "Pending Delivery"),
    ("unregistered", "Awaiting Registration"),
    ("active", "Under Warranty"),
    ("partial", "Partially Covered"),
    ("expired", "Expired"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    warranty_ids = fields.One2many("aftersales.warranty", "sale_order_id", string="Warranties")
    warranty_count = fields.Integer(compute="_compute_warranty_count")
    warranty_status = fields.Selection(
        WARRANTY_STATUS,
        compute="_compute_warranty_status",
        store=True,
        index=True,
        default="none",
        help="No Warranty: nothing sold with a warranty. Pending Delivery: sold, not delivered yet. "
        "Under Warranty: every delivered unit is covered. Expired: no unit is covered any more. "
        "Partially Covered: some units are covered and others are not (yet).",
    )
    claim_count = fields.Integer(compute="_compute_claim_count")
    warranty_certificate_pending = fields.Boolean(
        copy=False, help="Technical: the warranty certificate of this order is waiting to be emailed."
    )

    @api.depends("warranty_ids.state")
    def _compute_warranty_status(self):
        for order in self:
            states = set(order.warranty_ids.mapped("state")) - {"void"}
            if not states:
                order.warranty_status = "none"
            elif len(states) == 1:
                order.warranty_status = states.pop()
            else:
                order.warranty_status = "partial"

    def _compute_claim_count(self):
        counts = dict(
            self.env["aftersales.claim"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.claim_count = counts.get(order, 0)

    def action_view_claims(self):
        check_internal_read(self)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_warranty.aftersales_claim_action")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"default_sale_order_id": self.id, "default_partner_id": self.partner_id.id}
        return action

    def _compute_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("sale_order_id", "in", self.ids), ("state", "!=", "void")], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.warranty_count = counts.get(order, 0)

    def _action_confirm(self):
        res = super()._action_confirm()
        Warranty = self.env["aftersales.warranty"]
        Warranty._create_pending_for_lines(self.order_line)
        self.order_line._link_warranty_extensions()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self.env["aftersales.warranty"]._on_sale_cancelled(self)
        return res

    def action_view_warranties(self):
        check_internal_read(self)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_warranty.aftersales_warranty_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_print_warranty_certificate(self):
        check_internal_read(self)
        return self.env.ref("aftersales_warranty.action_report_sale_warranty_certificate").report_action(self)

    def _schedule_warranty_certificates(self):
        """Flag orders whose certificate must be emailed, and wake the cron that sends them.

        Rendering the PDF is left to the cron so that validating a delivery stays fast.
        """
        orders = self.filtered(lambda o: o.company_id.aftersales_send_certificate)
        if not orders:
            return
        orders.sudo().warranty_certificate_pending = True
        self.env.ref("aftersales_warranty.ir_cron_send_warranty_certificates").sudo()._trigger()

    @api.model
    def _cron_send_warranty_certificates(self, batch_size=50):
        """Email the certificate of each flagged order to its customer."""
        template = self.env.ref(
            "aftersales_warranty.mail_template_warranty_certificate", raise_if_not_found=False
        )
        in_cron = bool(self.env.context.get("cron_id"))
        domain = [("warranty_certificate_pending", "=", True)]
        while True:
            orders = self.search(domain, limit=batch_size)
            if not orders:
                break
            if template:
                covered = orders.filtered(lambda o: o.warranty_ids.filtered(lambda w: w.state == "active"))
                for order in covered.filtered("partner_id.email"):
                    order.with_context(lang=order.partner_id.lang).message_post_with_source(
                        template, subtype_xmlid="mail.mt_comment"
                    )
                (covered - covered.filtered("partner_id.email"))._warn_certificate_not_emailed()
            orders.warranty_certificate_pending = False
            if in_cron and self.env["ir.cron"]._commit_progress(len(orders)) <= 0:
                break

    def _warn_certificate_not_emailed(self):
        """Customers without an email get no certificate by email: instead of a message queued to
        nobody, the order says so and its salesperson is asked to hand the printed certificate."""
        for order in self:
            body = self.env._(
                "The warranty certificate was not emailed: %(customer)s has no email address. "
                "Print it from the order (Print > Warranty Certificate) and give it to the customer.",
                customer=order.partner_id.display_name,
            )
            order._message_log(body=body)
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Hand over the warranty certificate"),
                note=body,
                user_id=(order.user_id or self.env.user).id,
            )
