"""Warranties from sales and deliveries: pending with the confirmed order, started by the customer
delivery (one per serial), taken over from the pending ones, replaced units and resold serials."""

from collections import defaultdict

import pytz

from odoo import Command, api, models
from odoo.tools import float_compare, float_is_zero


class AftersalesWarranty(models.Model):
    _inherit = "aftersales.warranty"

    @api.model
    def _date_in_company_tz(self, company, value):
        """The calendar date of datetime ``value`` in the company's time zone."""
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        return pytz.utc.localize(value).astimezone(tz).date()

    @api.model
    def _create_from_moves(self, moves):
        """Create the warranties of done customer deliveries ``moves`` (any number, any order).

        One warranty per delivered serial for serial-tracked products, one per move with its
        quantity otherwise. A serial that still has a live warranty (returned, then sold again)
        gets its old warranty voided: the new sale governs. The pending warranty of each sale
        line shrinks by the delivered quantity. Query count does not depend on the number of
        serials.
        """
        moves = moves.filtered(
            lambda m: (
                m.state == "done"
                and (m.sale_line_id or m.aftersales_claim_id)
                and m.location_dest_id.usage == "customer"
                and m.location_id.usage != "customer"
            )
        )
        if not moves:
            return self.browse()
        # A claim's replacement is delivered on the unit's sale line (an exchange): it inherits
        # the replaced unit's coverage instead of starting a sale's.
        replacements = moves.filtered("aftersales_claim_id")
        moves -= replacements
        replaced = self._create_from_replacement_moves(replacements) if replacements else self.browse()
        policies = moves.product_id._get_warranty_policies()
        moves = moves.filtered(lambda m: policies.get(m.product_id))
        if not moves:
            return replaced
        # Deliveries are validated by warehouse users who may not manage warranties: the warranty
        # is a consequence of the delivery, written by the system.
        Warranty = self.sudo()
        vals_list = []
        for move in moves:
            common = self._prepare_sale_move_vals(move, policies[move.product_id])
            if move.product_id.tracking == "serial":
                for move_line in move.move_line_ids:
                    if move_line.lot_id and move_line.quantity > 0:
                        vals_list.append({**common, "lot_id": move_line.lot_id.id, "quantity": 1.0})
            else:
                quantity = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
                if not float_is_zero(quantity, precision_rounding=move.product_id.uom_id.rounding):
                    vals_list.append({**common, "quantity": quantity})
        if not vals_list:
            return replaced
        lot_ids = [vals["lot_id"] for vals in vals_list if vals.get("lot_id")]
        if lot_ids:
            previous = Warranty.search([("lot_id", "in", lot_ids), ("state", "!=", "void")])
            previous._void_for_resale()
        warranties = Warranty._take_pending(vals_list, moves)
        warranties._link_order_extensions()
        warranties._refresh_expiry_state()
        warranties.sale_order_id._schedule_warranty_certificates()
        return (warranties | replaced).sudo(False)

    @api.model
    def _prepare_sale_move_vals(self, move, policy):
        """Values shared by the warranties of sale delivery ``move`` under ``policy`` (no serial
        or quantity yet)."""
        order = move.sale_line_id.order_id
        date = order.date_order if policy.start_trigger == "sale" else move.date
        return {
            "product_id": move.product_id.id,
            "partner_id": order.partner_id.id,
            "sale_order_id": order.id,
            "sale_line_id": move.sale_line_id.id,
            "move_id": move.id,
            "policy_id": policy.id,
            "company_id": move.company_id.id,
            "date_start": self._date_in_company_tz(move.company_id, date),
            "state": "active",
        }

    @api.model
    def _create_from_replacement_moves(self, moves):
        """Warranties of replacement units delivered for claims: they inherit the remaining coverage.

        The new unit is covered until the replaced unit's warranty ended; that warranty is voided.
        """
        Warranty = self.sudo()  # a delivery made by the warehouse, see _create_from_moves
        vals_list, old_warranties = [], Warranty
        for move in moves:
            claim = move.sudo().aftersales_claim_id  # storekeepers cannot read claims
            old = claim.warranty_id
            policy = old.policy_id or move.product_id._get_warranty_policies().get(move.product_id)
            if not policy:
                continue
            date_start = self._date_in_company_tz(move.company_id, move.date)
            common = {
                "product_id": move.product_id.id,
                "partner_id": claim.partner_id.id or old.partner_id.id,
                "sale_order_id": old.sale_order_id.id or claim.sale_order_id.id,
                "sale_line_id": old.sale_line_id.id,
                "move_id": move.id,
                "policy_id": policy.id,
                "company_id": move.company_id.id,
                "date_start": date_start,
                "date_end_base": max(old.date_end, date_start) if old.date_end else False,
                "state": "active",
            }
            if move.product_id.tracking == "serial":
                vals_list += [
                    {**common, "lot_id": ml.lot_id.id, "quantity": 1.0}
                    for ml in move.move_line_ids
                    if ml.lot_id and ml.quantity > 0
                ]
            else:
                vals_list.append({**common, "quantity": move.quantity})
            old_warranties |= old
        if not vals_list:
            return self.browse()
        lot_ids = [vals["lot_id"] for vals in vals_list if vals.get("lot_id")]
        previous = (
            Warranty.search([("lot_id", "in", lot_ids), ("state", "!=", "void")]) if lot_ids else Warranty
        )
        (previous - old_warranties)._void_for_resale()
        old_live = old_warranties.filtered(lambda w: w.state != "void")
        if old_live:
            old_live._system_write({"state": "void"})
            old_live.flush_recordset(["state"])
            body = self.env._(
                "Voided: the unit was replaced under a claim; the replacement keeps its coverage."
            )
            old_live._message_log_batch(bodies=dict.fromkeys(old_live.ids, body))
        warranties = Warranty.with_context(mail_create_nolog=True, tracking_disable=True).create(vals_list)
        warranties._refresh_expiry_state()
        return warranties

    def _void_for_resale(self):
        """Void live warranties of serials delivered to a customer again, with a chatter note."""
        if not self:
            return
        body = self.env._("Voided: this serial number was delivered again and its new sale governs.")
        self._system_write({"state": "void"})
        # The partial unique index on live serials must see the void before the new warranty.
        self.flush_recordset(["state"])
        self._message_log_batch(bodies=dict.fromkeys(self.ids, body))

    def _link_order_extensions(self):
        """Link the confirmed, untargeted extension lines of each warranty's sale order."""
        orders = self.sale_order_id
        ext_lines = orders.order_line.filtered(
            lambda line: line.product_id.is_warranty_extension and not line.warranty_target_id
        )
        if not ext_lines:
            return
        lines_by_order = defaultdict(list)
        for line in ext_lines:
            lines_by_order[line.order_id].append(line.id)
        for order, line_ids in lines_by_order.items():
            warranties = self.filtered(lambda w, o=order: w.sale_order_id == o)
            warranties._system_write({"extension_line_ids": [Command.link(line_id) for line_id in line_ids]})

    @api.model
    def _take_pending(self, vals_list, moves):
        """Warranties for the delivered units ``vals_list``, taking over the lines' pending ones.

        A pending warranty whose line is now fully delivered becomes the warranty of the line's
        first delivered unit (it keeps its reference); otherwise its quantity shrinks by what was
        delivered. Writing instead of deleting keeps the delivery's own writes in one flush.
        """
        pending = self.search(
            [("sale_line_id", "in", moves.sale_line_id.ids), ("state", "=", "pending")], order="id"
        )
        delivered = defaultdict(float)
        for vals in vals_list:
            delivered[vals["sale_line_id"]] += vals["quantity"]
        taken, updates = set(), []
        for warranty in pending:
            line_id = warranty.sale_line_id.id
            remaining = warranty.quantity - delivered[line_id]
            delivered[line_id] = max(0.0, -remaining)
            if float_compare(remaining, 0.0, precision_rounding=warranty.product_id.uom_id.rounding) > 0:
                warranty.quantity = remaining
                continue
            index = next(
                (i for i, vals in enumerate(vals_list) if vals["sale_line_id"] == line_id and i not in taken),
                None,
            )
            if index is None:
                warranty._system_write({"state": "void"})
                continue
            taken.add(index)
            updates.append((warranty, vals_list[index]))
        Warranty = self.with_context(mail_create_nolog=True, tracking_disable=True)
        warranties = Warranty.create([vals for i, vals in enumerate(vals_list) if i not in taken])
        for warranty, vals in updates:  # one per sale line, whatever the number of serials
            warranty.with_context(tracking_disable=True)._system_write(vals)
            warranties |= warranty
        return warranties

    @api.model
    def _create_pending_for_lines(self, lines):
        """Pending warranties for the confirmed sale ``lines`` whose product carries a policy."""
        lines = lines.filtered(lambda line: line.product_id.is_storable and not line.display_type)
        policies = lines.product_id._get_warranty_policies()
        vals_list = []
        for line in lines:
            policy = policies.get(line.product_id)
            if not policy or line.warranty_ids:
                continue
            quantity = line.product_uom_id._compute_quantity(line.product_uom_qty, line.product_id.uom_id)
            if quantity <= 0:
                continue
            vals_list.append(
                {
                    "product_id": line.product_id.id,
                    "partner_id": line.order_id.partner_id.id,
                    "sale_order_id": line.order_id.id,
                    "sale_line_id": line.id,
                    "policy_id": policy.id,
                    "company_id": line.company_id.id,
                    "quantity": quantity,
                    "state": "pending",
                }
            )
        # Pending warranties follow order confirmation, done by salespeople with read access only.
        return self.sudo().with_context(mail_create_nolog=True, tracking_disable=True).create(vals_list)
