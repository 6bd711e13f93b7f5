from freezegun import freeze_time

from odoo.addons.aftersales_warranty.models.aftersales_claim import OPEN_STATES

from .common import AftersalesWarrantyCommon

# Labels of the claim states, as the error messages name them.
STATE_LABELS = {
    "new": "New",
    "diagnosis": "Diagnosis",
    "awaiting_approval": "Awaiting Approval",
    "in_progress": "In Progress",
    "resolved": "Resolved",
    "closed": "Closed",
    "rejected": "Rejected",
    "cancelled": "Cancelled",
}


class AftersalesClaimCommon(AftersalesWarrantyCommon):
    """Two air conditioners sold and delivered to the customer on 2026-01-10 (covered until
    2027-01-10), a third one still in stock; tests run on 2026-06-01 unless they say otherwise.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.belgium = cls.env.ref("base.be")
        cls.customer.country_id = cls.belgium
        cls.appliances = cls.env["product.category"].create({"name": "Appliances"})
        cls.air_conditioners = cls.env["product.category"].create(
            {"name": "Air Conditioners", "parent_id": cls.appliances.id}
        )
        cls.product_serial.categ_id = cls.air_conditioners
        lots = cls._add_stock(cls.product_serial, lot_names=["AC-1", "AC-2", "AC-STOCK"])
        cls.lot, cls.lot_2, cls.lot_in_stock = lots
        with freeze_time("2026-01-10 09:00:00"):
            cls.order = cls._sell([(cls.product_serial, 2)])
            cls._deliver(cls.order)
        cls.warranty = cls.lot.warranty_id
        cls.Claim = cls.env["aftersales.claim"]
        # A repair or a replacement is resolved with its cause (what failed).
        cls.cause = cls.env["aftersales.failure.code"].create(
            {"code": "C-TEST", "name": "Worn part", "kind": "cause"}
        )

    def setUp(self):
        super().setUp()
        freezer = freeze_time("2026-06-01 08:00:00")
        freezer.start()
        self.addCleanup(freezer.stop)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _claim(self, user=None, **vals):
        """A claim on serial AC-1 created by ``user`` (the agent by default), as that user.

        A unit has one open claim at a time: the open claims a test made before on the same serial
        are cancelled first (by the system), so that each test may start a claim of its own.
        """
        values = {"lot_id": self.lot.id, "channel": "phone", **vals}
        if values.get("lot_id"):
            self.Claim.sudo().search([("lot_id", "=", values["lot_id"]), ("state", "in", OPEN_STATES)]).write(
                {"state": "cancelled"}
            )
        return self.Claim.with_user(user or self.agent).create(values)

    def _claim_in_state(self, state, user=None, **vals):
        """A claim brought to ``state`` through the public actions, as ``user``.

        A claim awaiting approval is out of warranty (reported after the warranty's end) unless
        ``date_reported`` says otherwise: a covered repair needs no approval.
        """
        if state == "awaiting_approval":
            vals.setdefault("date_reported", "2027-03-01 08:00:00")
        if state in ("awaiting_approval", "in_progress"):
            vals.setdefault("cause_id", self.cause.id)  # diagnosed: what failed is known
        claim = self._claim(user=user, **vals)
        if state == "new":
            return claim
        if state == "cancelled":
            claim.action_cancel()
            return claim
        if state == "rejected":
            claim.reject_reason = "Damaged by the customer."
            claim.action_reject()
            return claim
        claim.action_start_diagnosis()
        if state == "awaiting_approval":
            claim.action_request_approval()
        elif state == "in_progress":
            claim.action_start_repair()
        elif state in ("resolved", "closed"):
            claim.action_resolve()
            if state == "closed":
                claim.action_close()
        self.assertEqual(claim.state, state)
        return claim

    def _pickings(self, claim):
        """(return receipt, replacement delivery) of ``claim``."""
        pickings = claim.sudo().picking_ids
        receipt = pickings.filtered(lambda p: p.location_id.usage == "customer")
        delivery = pickings.filtered(lambda p: p.location_dest_id.usage == "customer")
        return receipt, delivery

    def _validate(self, picking, lot=None):
        """Validate ``picking`` as the storekeeper, with serial ``lot`` when given."""
        self.env.invalidate_all()  # a new request: nothing read by the agent is cached for the storekeeper
        picking = picking.with_user(self.stock_user)
        if picking.state != "assigned":
            picking.action_assign()
        if lot:
            picking.move_line_ids.lot_id = lot
        picking.move_ids.picked = True
        result = picking.button_validate()
        self.assertIs(result, True, "no wizard: the whole unit moves")
        self.assertEqual(picking.state, "done")
        return picking

    def _stock_qty(self, lot, location=None):
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "=", (location or self.stock_location).id)]
        )
        return sum(quants.mapped("quantity"))
