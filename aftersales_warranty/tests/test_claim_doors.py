"""The claim's doors (issue 26): what a repair, a delivery or a visit tells the claim, which alone
decides how its state moves."""

from odoo.tests import tagged

from .claim_common import AftersalesClaimCommon


@tagged("post_install", "-at_install")
class TestClaimDoors(AftersalesClaimCommon):
    def _replaced_claim(self, product):
        """A claim on an untracked ``product``, diagnosed with its cause, replaced by the agent."""
        self._add_stock(product, 1.0)
        claim = self.Claim.with_user(self.agent).create(
            {"partner_id": self.customer.id, "product_id": product.id, "cause_id": self.cause.id}
        )
        claim.action_start_diagnosis()
        claim.action_replace()
        self.assertEqual((claim.state, claim.resolution), ("in_progress", "replace"))
        return claim

    def test_replacement_delivered_settles_the_claim_with_or_without_a_warranty(self):
        """The delivery of the replacement resolves the claim, whether or not the unit carries a
        warranty policy (the claim decides, not the warranty the delivery creates)."""
        for product in (self.product_plain, self.product_no_warranty):
            with self.subTest(product=product.name):
                claim = self._replaced_claim(product)
                receipt, delivery = self._pickings(claim)
                self._validate(receipt)
                self.assertEqual(claim.state, "in_progress", "the unit back is not the replacement gone")
                self._validate(delivery)
                self.assertEqual((claim.state, claim.resolution), ("resolved", "replace"))
                Warranty = self.env["aftersales.warranty"].sudo()
                created = Warranty.search([("move_id", "in", delivery.move_ids.ids)])
                self.assertEqual(len(created), 1 if product == self.product_plain else 0)

    def test_doors_act_on_their_own_event_only(self):
        """A door moves the claims of the event's records, as the system, through the claim's
        guard: another claim's repair or delivery leaves a claim as it is."""
        claim = self._replaced_claim(self.product_no_warranty)
        other = self._claim_in_state("diagnosis", cause_id=self.cause.id)
        other.action_start_repair()
        repair = other.repair_order_ids
        self.assertEqual(other.state, "in_progress")
        # Told of a repair that is not done, or of another claim's delivery: nothing moves.
        (claim | other).sudo()._on_repair_done(repair)
        _receipt, delivery = self._pickings(claim)
        other.sudo()._on_replacement_delivered(delivery)
        self.assertEqual((claim.state, other.state), ("in_progress", "in_progress"))
        # The replacement of ``claim`` gone: only ``claim`` is resolved.
        self._validate(delivery)
        self.assertEqual((claim.state, other.state), ("resolved", "in_progress"))
