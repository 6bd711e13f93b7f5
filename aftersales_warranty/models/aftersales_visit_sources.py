"""Where visits come from besides a claim: installation and training visits of a delivery,
maintenance visits of a warranty's policy (daily cron)."""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"

    @api.model
    def _create_from_moves(self, moves):
        """Draft installation visits (one per delivered unit) and training visits (one per
        delivery) for the products that need them, from done customer deliveries ``moves``."""
        moves = moves.sudo().filtered(
            lambda m: (
                m.state == "done"
                and m.location_dest_id.usage == "customer"
                and m.location_id.usage != "customer"
                and m.picking_id
                and (
                    m.product_id.product_tmpl_id.aftersales_install_required
                    or m.product_id.product_tmpl_id.aftersales_training_required
                )
            )
        )
        if not moves:
            return self.browse()
        Visit = self.sudo()
        existing = Visit.search([("picking_id", "in", moves.picking_id.ids)])
        done_keys = {(v.picking_id.id, v.kind, v.lot_id.id, v.product_id.id) for v in existing}
        warranties = (
            self.env["aftersales.warranty"]
            .sudo()
            .search([("move_id", "in", moves.ids), ("state", "!=", "void")])
        )
        warranty_by_lot = {w.lot_id.id: w for w in warranties if w.lot_id}
        warranty_by_move = {w.move_id.id: w for w in warranties}
        vals_list = []
        training_pickings = set()
        for move in moves:
            template = move.product_id.product_tmpl_id
            picking = move.picking_id
            customer = move.sale_line_id.order_id.partner_id or picking.partner_id.commercial_partner_id
            if not customer:
                continue
            base = {
                "partner_id": customer.id,
                "address_id": picking.partner_id.id or customer.id,
                "company_id": move.company_id.id,
                "picking_id": picking.id,
                "product_id": move.product_id.id,
            }
            if template.aftersales_install_required:
                lines = move.move_line_ids.filtered(lambda ml: ml.quantity > 0)
                if move.product_id.tracking == "serial":
                    units = [
                        (line.lot_id, warranty_by_lot.get(line.lot_id.id)) for line in lines if line.lot_id
                    ]
                else:
                    units = [(self.env["stock.lot"], warranty_by_move.get(move.id))] * int(move.quantity)
                for index, (lot, warranty) in enumerate(units):
                    key = (picking.id, "install", lot.id, move.product_id.id)
                    if lot and key in done_keys:
                        continue
                    if not lot and index < sum(1 for k in done_keys if k == key):
                        continue
                    vals_list.append(
                        {
                            **base,
                            "kind": "install",
                            "lot_id": lot.id,
                            "warranty_id": warranty.id if warranty else False,
                        }
                    )
            if template.aftersales_training_required and picking.id not in training_pickings:
                training_pickings.add(picking.id)
                if any(k[0] == picking.id and k[1] == "training" for k in done_keys):
                    continue
                vals_list.append({**base, "kind": "training"})
        if not vals_list:
            return self.browse()
        visits = Visit.with_context(mail_create_nolog=True).create(vals_list)
        return visits.sudo(False)

    @api.model
    def _maintenance_due(self, warranty, today):
        """The start of the maintenance period of ``warranty`` that ``today`` falls in (False
        before the first period ends, or past the warranty's end)."""
        months = warranty.policy_id.maintenance_interval_months
        if months <= 0 or not warranty.date_start or today > warranty.date_end:
            return False
        elapsed = relativedelta(today, warranty.date_start)
        periods = (elapsed.years * 12 + elapsed.months) // months
        if periods < 1:
            return False
        due = warranty.date_start + relativedelta(months=periods * months)
        return due if due <= warranty.date_end else False

    @api.model
    def _cron_create_maintenance_visits(self, batch_size=500):
        """Draft maintenance visits for active warranties whose policy sets an interval: one per
        warranty and period, while the warranty is active (never after its end)."""
        Warranty = self.env["aftersales.warranty"].sudo()
        Visit = self.sudo()
        in_cron = bool(self.env.context.get("cron_id"))
        domain = [("state", "=", "active"), ("policy_id.maintenance_interval_months", ">", 0)]
        last_id = 0
        while True:
            warranties = Warranty.search([*domain, ("id", ">", last_id)], order="id", limit=batch_size)
            if not warranties:
                break
            last_id = warranties[-1].id
            todays = {}
            dues = {}
            for warranty in warranties:
                company = warranty.company_id
                if company not in todays:
                    todays[company] = Warranty._date_in_company_tz(company, fields.Datetime.now())
                due = self._maintenance_due(warranty, todays[company])
                if due:
                    dues[warranty] = due
            existing = Visit.search_fetch(
                [
                    ("warranty_id", "in", [w.id for w in dues]),
                    ("kind", "=", "maintenance"),
                    ("maintenance_due_date", "!=", False),
                ],
                ["warranty_id", "maintenance_due_date"],
            )
            have = {(v.warranty_id.id, v.maintenance_due_date) for v in existing}
            vals_list = [
                {
                    "kind": "maintenance",
                    "partner_id": warranty.partner_id.id,
                    # Where the unit was delivered (the customer itself for a unit without delivery).
                    "address_id": (warranty.move_id.picking_id.partner_id or warranty.partner_id).id,
                    "lot_id": warranty.lot_id.id,
                    "product_id": warranty.product_id.id,
                    "warranty_id": warranty.id,
                    "company_id": warranty.company_id.id,
                    "maintenance_due_date": due,
                }
                for warranty, due in dues.items()
                if (warranty.id, due) not in have
            ]
            if vals_list:
                Visit.with_context(mail_create_nolog=True).create(vals_list)
            if in_cron and self.env["ir.cron"]._commit_progress(len(warranties)) <= 0:
                break
