"""*New Claim* on an expired warranty of a unit without serial (the new user's third walkthrough):
the claim keeps the unit's warranty and order, out of warranty."""

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import AftersalesWarrantyCommon


@tagged("post_install", "-at_install")
class TestClaimOnExpiredWarranty(AftersalesWarrantyCommon):
    def test_new_claim_from_an_expired_warranty_keeps_its_warranty_and_order(self):
        self._add_stock(self.product_plain, quantity=1)
        with freeze_time("2024-01-10 09:00:00"):
            order = self._sell([(self.product_plain, 1)])
            self._deliver(order)
        warranty = order.warranty_ids
        self.assertEqual(len(warranty), 1)
        self.assertFalse(warranty.lot_id)
        warranty._refresh_expiry_state()
        self.assertEqual(warranty.state, "expired")

        action = warranty.with_user(self.agent).action_new_claim()
        form = Form(self.env["aftersales.claim"].with_user(self.agent).with_context(**action["context"]))
        form.description = "<p>It stopped working.</p>"
        claim = form.save()
        self.assertEqual(claim.warranty_id, warranty, "the unit's history is kept")
        self.assertEqual(claim.sale_order_id, order)
        self.assertFalse(claim.under_warranty, "out of warranty")

        # Another customer's warranty in the context names nothing.
        other = (
            self.env["aftersales.claim"]
            .with_user(self.agent)
            .with_context(aftersales_warranty_id=warranty.id)
            .create({"partner_id": self.other_customer.id, "channel": "phone"})
        )
        self.assertFalse(other.warranty_id)
        self.assertFalse(other.sale_order_id)
