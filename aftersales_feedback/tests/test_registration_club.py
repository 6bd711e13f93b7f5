from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.aftersales_warranty.tests.registration_common import RegistrationCommon


@tagged("post_install", "-at_install")
class TestRegistrationClub(RegistrationCommon):
    def test_registering_earns_the_rule_points_once(self):
        self.company._aftersales_ensure_club()
        self.env["aftersales.club.rule"].create(
            {"event": "registration", "points": 40, "company_id": self.company.id}
        )
        serial = self.serials[0]
        with freeze_time("2026-03-01 10:00:00"):
            log = self.env["aftersales.registration"]._aftersales_attempt(
                self.company, serial, "web", code=self.codes[serial], phone=self.buyer_phone, name="Buyer"
            )
        buyer = log.partner_id
        history = self.env["loyalty.history"].search([("aftersales_event", "=", "registration")])
        self.assertEqual(history.card_id.partner_id, buyer, "the buyer becomes a member by registering")
        self.assertEqual(history.issued, 40)
        self.assertEqual(history.aftersales_res_id, log.warranty_id.id)
        self.assertEqual(history.card_id.points, 40)
        # The dealer, who bought the units, earns nothing for its buyers' registrations.
        self.assertFalse(history.card_id.partner_id == self.dealer)
