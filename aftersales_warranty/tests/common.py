from odoo import Command
from odoo.tests import Form, new_test_user

from odoo.addons.base.tests.common import BaseCommon


class AftersalesWarrantyCommon(BaseCommon):
    """Products with policies, a customer, restricted users, and helpers to sell and deliver.

    Nothing here relies on demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Asia/Tehran"  # UTC+03:30: dates follow the company's zone
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customer_location = cls.env.ref("stock.stock_location_customers")

        cls.policy_12m = cls.env["aftersales.warranty.policy"].create(
            {
                "name": "12 months parts and labour",
                "duration": 12,
                "duration_unit": "month",
                "terms": "<p>Parts and labour are free for a year.</p>",
            }
        )
        cls.policy_sale_6m = cls.env["aftersales.warranty.policy"].create(
            {
                "name": "6 months from the order",
                "duration": 6,
                "duration_unit": "month",
                "start_trigger": "sale",
                "coverage_parts": False,
                "coverage_labour": False,
                "coverage_replacement": True,
            }
        )
        cls.extension_product = cls.env["product.product"].create(
            {
                "name": "Extension +12 months",
                "type": "service",
                "list_price": 50.0,
                "is_warranty_extension": True,
                "warranty_extension_duration": 12,
                "warranty_extension_unit": "month",
            }
        )
        cls.policy_12m.extension_product_id = cls.extension_product
        cls.product_serial = cls.env["product.product"].create(
            {
                "name": "Air Conditioner",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 700.0,
                "warranty_policy_id": cls.policy_12m.id,
            }
        )
        cls.product_plain = cls.env["product.product"].create(
            {
                "name": "Power Bank",
                "type": "consu",
                "is_storable": True,
                "list_price": 30.0,
                "warranty_policy_id": cls.policy_sale_6m.id,
            }
        )
        cls.product_no_warranty = cls.env["product.product"].create(
            {"name": "Cable", "type": "consu", "is_storable": True, "list_price": 5.0}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Golnar Customer", "email": "golnar@example.com"}
        )
        cls.customer_shipping = cls.env["res.partner"].create(
            {"name": "Golnar's warehouse", "parent_id": cls.customer.id, "type": "delivery"}
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Customer"})

        cls.salesman = new_test_user(
            cls.env, login="as_salesman", groups="sales_team.group_sale_salesman", name="Salesman"
        )
        cls.stock_user = new_test_user(
            cls.env, login="as_stock", groups="stock.group_stock_user", name="Storekeeper"
        )
        cls.agent = new_test_user(
            cls.env,
            login="as_agent",
            groups="aftersales_warranty.group_aftersales_user,sales_team.group_sale_salesman",
            name="Agent",
        )
        cls.manager = new_test_user(
            cls.env,
            login="as_manager",
            groups="aftersales_warranty.group_aftersales_manager,sales_team.group_sale_manager",
            name="Manager",
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @classmethod
    def _add_stock(cls, product, quantity=0.0, lot_names=()):
        """Put ``quantity`` units (or one unit per serial of ``lot_names``) in stock; return the lots."""
        Quant = cls.env["stock.quant"]
        if not lot_names:
            Quant._update_available_quantity(product, cls.stock_location, quantity)
            return cls.env["stock.lot"]
        lots = cls.env["stock.lot"].create(
            [{"name": name, "product_id": product.id, "company_id": cls.company.id} for name in lot_names]
        )
        for lot in lots:
            Quant._update_available_quantity(product, cls.stock_location, 1.0, lot_id=lot)
        return lots

    @classmethod
    def _sell(cls, lines, partner=None, user=None, confirm=True):
        """Create (and confirm, as ``user``) a sale order of ``lines`` = [(product, qty), ...]."""
        partner = partner or cls.customer
        order = (
            cls.env["sale.order"]
            .with_user(user or cls.salesman)
            .create(
                {
                    "partner_id": partner.id,
                    "partner_shipping_id": (
                        cls.customer_shipping.id if partner == cls.customer else partner.id
                    ),
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": qty})
                        for product, qty in lines
                    ],
                }
            )
        )
        if confirm:
            order.action_confirm()
        return order.with_user(cls.env.user)

    @classmethod
    def _deliver(cls, order, quantities=None, user=None):
        """Validate the open delivery of ``order`` as a storekeeper.

        ``quantities`` maps a product to the quantity to deliver now (a backorder keeps the rest);
        without it everything reserved is delivered.
        """
        pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking = pickings.filtered(lambda p: p.location_dest_id.usage == "customer")[:1] or pickings[:1]
        picking = picking.with_user(user or cls.stock_user)
        picking.action_assign()
        if quantities:
            for move in picking.move_ids:
                wanted = quantities.get(move.product_id, move.product_uom_qty)
                if move.product_id.tracking == "serial":
                    keep = move.move_line_ids[: int(wanted)]
                    (move.move_line_ids - keep).unlink()
                else:
                    move.quantity = wanted
                move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict):  # backorder wizard
            Form.from_action(cls.env, result).save().with_user(user or cls.stock_user).process()
        return picking.with_user(cls.env.user)

    @classmethod
    def _return(cls, picking):
        """Return every unit of ``picking`` to stock and validate the return."""
        wizard = Form(
            cls.env["stock.return.picking"].with_context(
                active_ids=picking.ids, active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        for line in wizard.product_return_moves:
            line.quantity = line.move_id.quantity
        action = wizard.action_create_returns()
        return_picking = cls.env["stock.picking"].browse(action["res_id"])
        return_picking.action_assign()
        for move in return_picking.move_ids:
            if move.product_id.tracking == "serial":
                # Units come back from a customer location (no reservation): name the serials.
                lots = move.origin_returned_move_id.move_line_ids.lot_id
                move.move_line_ids.unlink()
                cls.env["stock.move.line"].create(
                    [
                        {
                            "move_id": move.id,
                            "picking_id": return_picking.id,
                            "product_id": move.product_id.id,
                            "product_uom_id": move.product_uom.id,
                            "lot_id": lot.id,
                            "quantity": 1.0,
                            "location_id": move.location_id.id,
                            "location_dest_id": move.location_dest_id.id,
                        }
                        for lot in lots
                    ]
                )
            move.picked = True
        return_picking.button_validate()
        return return_picking
