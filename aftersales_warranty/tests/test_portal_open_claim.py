"""The portal's "Report a problem" when the unit already has an open claim, and a refused form
that keeps the photos already chosen (the new user's third walkthrough)."""

import re

from odoo import http
from odoo.tests import tagged

from .portal_common import AftersalesPortalCommon
from .test_portal_warranty import PNG


@tagged("post_install", "-at_install")
class TestPortalOpenClaim(AftersalesPortalCommon):
    def _post(self, warranty, description, files=None, **data):
        return self.url_open(
            f"/my/warranties/{warranty.id}/report",
            data={"csrf_token": http.Request.csrf_token(self), "description": description, **data},
            files=files,
            allow_redirects=False,
        )

    def test_a_unit_with_an_open_claim_adds_to_that_claim(self):
        claim = self.Claim.create(
            {
                "partner_id": self.portal_a.partner_id.id,
                "lot_id": self.warranty_a.lot_id.id,
                "channel": "phone",
            }
        )
        self.authenticate("portal_a", "portal_a")
        page = self.url_open(f"/my/warranties/{self.warranty_a.id}").content.decode()
        self.assertIn("o_aftersales_open_claim", page)
        self.assertIn(f'href="/my/claims/{claim.id}', page, "a link to the open claim")
        self.assertIn("Add to the Claim", page)

        response = self._post(
            self.warranty_a, "It stopped again tonight.", files={"photos": ("again.png", PNG, "image/png")}
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/claims/{claim.id}?added=1", response.headers["Location"])
        self.assertEqual(self.Claim.search_count([("lot_id", "=", self.warranty_a.lot_id.id)]), 1)
        message = claim.message_ids.filtered(lambda m: "It stopped again tonight." in (m.body or ""))
        self.assertEqual(message.author_id, self.portal_a.partner_id)
        self.assertEqual(message.attachment_ids.mapped("name"), ["again.png"])
        self.assertEqual(message.attachment_ids.res_model, "aftersales.claim")
        added = self.url_open(response.headers["Location"]).content.decode()
        self.assertIn("is added to your claim", added)

        # Another customer's page of his own unit shows no claim of portal_a.
        self.authenticate("portal_b", "portal_b")
        other = self.url_open(f"/my/warranties/{self.warranty_b.id}").content.decode()
        self.assertNotIn("o_aftersales_open_claim", other)
        self.assertNotIn(claim.name, other)

    def test_a_refused_form_keeps_its_photos(self):
        self.authenticate("portal_a", "portal_a")
        refused = self._post(
            self.warranty_a, "   ", files={"photos": ("leak.png", PNG, "image/png")}, phone="+32 470 12 34 56"
        )
        self.assertEqual(refused.status_code, 400)
        page = refused.content.decode()
        self.assertIn("Describe the problem so that we can help.", page)
        self.assertNotIn("Select your photos again before sending.", page)
        self.assertIn("leak.png", page)
        kept = re.search(r'name="kept_photos" value="([^"]+)"', page).group(1)
        self.assertFalse(self.Claim.search([("partner_id", "=", self.portal_a.partner_id.id)]))

        # A stranger who got hold of the value cannot attach the photo to his own claim.
        self.authenticate("portal_b", "portal_b")
        stolen = self._post(self.warranty_b, "Mine.", kept_photos=kept, phone="+32 470 12 34 57")
        self.assertEqual(stolen.status_code, 303)
        theirs = self.Claim.search([("partner_id", "=", self.portal_b.partner_id.id)])
        self.assertFalse(theirs.message_ids.attachment_ids, "a photo of somebody else is never used")

        self.authenticate("portal_a", "portal_a")
        accepted = self._post(
            self.warranty_a, "Water on the floor.", kept_photos=kept, phone="+32 470 12 34 56"
        )
        self.assertEqual(accepted.status_code, 303)
        claim = self.Claim.search([("partner_id", "=", self.portal_a.partner_id.id)])
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.message_ids.attachment_ids.mapped("name"), ["leak.png"])
        # Used once: the same value attaches nothing to a later message.
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "mail.compose.message"), ("res_id", "=", 0), ("name", "=", "leak.png")]
            )
        )
