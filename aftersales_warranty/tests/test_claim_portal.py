from odoo.tests import HttpCase, tagged

from .common import AftersalesWarrantyCommon
from .portal_common import PNG, AftersalesPortalCommon


@tagged("post_install", "-at_install")
class TestClaimPortal(AftersalesPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.claim_b = cls.env["aftersales.claim"].create(
            {"lot_id": cls.warranty_b.lot_id.id, "partner_id": cls.portal_b.partner_id.id, "channel": "phone"}
        )

    def test_customer_sees_only_its_own_records(self):
        self.authenticate("portal_a", "portal_a")
        listing = self.url_open("/my/warranties")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.warranty_a.name, listing.text)
        self.assertNotIn(self.warranty_b.name, listing.text)
        detail = self.url_open(f"/my/warranties/{self.warranty_a.id}")
        self.assertEqual(detail.status_code, 200)
        self.assertIn("PA-1", detail.text)
        for url in (
            f"/my/warranties/{self.warranty_b.id}",
            f"/my/claims/{self.claim_b.id}",
            "/my/claims/999999",
        ):
            response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), url)
            self.assertNotIn("PB-1", response.text, url)
        claims = self.url_open("/my/claims")
        self.assertNotIn(self.claim_b.name, claims.text)
        pdf = self.url_open(f"/my/warranties/{self.warranty_a.id}?report_type=html")
        self.assertEqual(pdf.status_code, 200)
        self.assertIn(self.warranty_a.name, pdf.text)
        foreign_pdf = self.url_open(f"/my/warranties/{self.warranty_b.id}?report_type=pdf")
        self.assertIn(foreign_pdf.status_code, (403, 404))

    def test_access_token(self):
        self.warranty_b._portal_ensure_token()
        self.authenticate(None, None)
        ok = self.url_open(f"/my/warranties/{self.warranty_b.id}?access_token={self.warranty_b.access_token}")
        self.assertEqual(ok.status_code, 200)
        self.assertIn("PB-1", ok.text)
        bad = self.url_open(f"/my/warranties/{self.warranty_b.id}?access_token=not-the-token")
        self.assertIn(bad.status_code, (403, 404))

    def test_report_a_problem_creates_a_portal_claim(self):
        self.authenticate("portal_a", "portal_a")
        response = self._post_report(
            self.warranty_a, "It does not cool any more.", files={"photos": ("unit.png", PNG, "image/png")}
        )
        self.assertEqual(response.status_code, 303)
        claim = self.env["aftersales.claim"].search([("partner_id", "=", self.portal_a.partner_id.id)])
        self.assertEqual(len(claim), 1)
        self.assertIn(f"/my/claims/{claim.id}", response.headers["Location"])
        self.assertEqual(claim.channel, "portal")
        self.assertEqual(claim.warranty_id, self.warranty_a)
        self.assertEqual(claim.lot_id.name, "PA-1")
        self.assertIn("does not cool", claim.description)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "aftersales.claim"), ("res_id", "=", claim.id)]
        )
        self.assertEqual(attachments.mapped("name"), ["unit.png"])
        page = self.url_open(f"/my/claims/{claim.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(claim.name, page.text)

    def test_report_bad_input_writes_nothing(self):
        self.authenticate("portal_a", "portal_a")
        Claim = self.env["aftersales.claim"]
        before = Claim.search_count([])
        for description, files, phone, message in (
            ("", None, "", "Describe the problem so that we can help."),
            ("Broken", {"photos": ("notes.txt", b"hello", "text/plain")}, "", "notes.txt is not an image"),
            ("Broken", None, "12", "The phone number 12 is not valid"),
        ):
            # A refused form comes back with its message (no redirection that would lose the input).
            response = self._post_report(self.warranty_a, description, files=files, phone=phone)
            self.assertEqual(response.status_code, 400)
            self.assertIn(message, response.text)
            self.assertEqual(Claim.search_count([]), before)
        foreign = self._post_report(self.warranty_b, "Not mine")
        self.assertEqual(foreign.status_code, 404)
        self.assertEqual(Claim.search_count([]), before)

    def test_portal_tour(self):
        self.warranty_a.lot_id.name = "TOUR-PORTAL-SN"
        self.start_tour("/my/warranties", "aftersales_claim_portal_tour", login="portal_a")
        claim = self.env["aftersales.claim"].search([("partner_id", "=", self.portal_a.partner_id.id)])
        self.assertEqual(claim.channel, "portal")


@tagged("post_install", "-at_install")
class TestClaimAgentTour(AftersalesWarrantyCommon, HttpCase):
    def test_agent_works_a_claim_to_resolved(self):
        lot = self._add_stock(self.product_serial, lot_names=["TOUR-CLAIM-SN"])
        order = self._sell([(self.product_serial, 1)])
        self._deliver(order)
        claim = self.env["aftersales.claim"].create({"lot_id": lot.id, "partner_id": self.customer.id})
        self.assertTrue(claim.under_warranty)
        cause = self.env["aftersales.failure.code"].create(
            {"code": "C-TOUR", "name": "Tour cause", "kind": "cause"}
        )
        self.start_tour(
            "/odoo/action-aftersales_warranty.aftersales_claim_action",
            "aftersales_claim_agent_tour",
            login="as_agent",
        )
        self.assertEqual(claim.state, "resolved")
        self.assertEqual(claim.cause_id, cause)
        self.assertEqual(claim.resolution, "repair")
        self.assertEqual(claim.repair_order_ids.under_warranty, True)
