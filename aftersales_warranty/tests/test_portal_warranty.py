import base64
import random
import re
from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from .portal_common import AftersalesPortalCommon
from .test_certificate_pdf import pdf_to_text

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestPortalWarranty(AftersalesPortalCommon):
    """The warranty page of the portal: certificate download, 'Report a problem'."""

    def _claims_of(self, partner):
        return self.Claim.search([("partner_id", "=", partner.id)])

    # ------------------------------------------------------------------
    # Certificate download
    # ------------------------------------------------------------------

    def _real_pdf_rendering(self):
        """Real wkhtmltopdf rendering inside the test server (tests get HTML otherwise).

        The request that prints holds the test cursor: wkhtmltopdf could not fetch the report's
        styles from this same server without waiting on it, so it is pointed at a closed port and
        prints unstyled, which is all a download test needs.
        """
        Report = self.registry["ir.actions.report"]
        pre_render = Report._pre_render_qweb_pdf

        def _pre_render_qweb_pdf(report, report_ref, res_ids=None, data=None):
            report = report.with_context(force_report_rendering=True)
            return pre_render(report, report_ref, res_ids=res_ids, data=data)

        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        return patch.object(Report, "_pre_render_qweb_pdf", _pre_render_qweb_pdf)

    def test_download_certificate(self):
        url = "/my/warranties/%s?report_type=pdf&download=true"
        with self._real_pdf_rendering():
            for login in ("portal_a", "admin"):
                self.authenticate(login, login)
                response = self.url_open(url % self.warranty_a.id, timeout=60)
                self.assertEqual(response.status_code, 200, login)
                self.assertEqual(response.headers["Content-Type"], "application/pdf")
                self.assertTrue(response.content.startswith(b"%PDF"), login)
                disposition = response.headers["Content-Disposition"]
                self.assertTrue(disposition.startswith("attachment"), disposition)
                self.assertIn(re.sub(r"\W+", "_", self.warranty_a.name), disposition)
                text = pdf_to_text(response.content)
                self.assertIn(self.warranty_a.name, text)
                self.assertIn("PA-1", text)

            self.authenticate("portal_a", "portal_a")
            foreign = self.url_open(url % self.warranty_b.id, timeout=60)
        self.assertIn(foreign.status_code, (403, 404))
        self.assertFalse(foreign.content.startswith(b"%PDF"))
        self.assertNotIn("PB-1", foreign.text)
        self.assertNotIn(self.warranty_b.name, foreign.text)

    # ------------------------------------------------------------------
    # Report a problem
    # ------------------------------------------------------------------

    def test_refused_report_keeps_what_was_typed(self):
        self.authenticate("portal_a", "portal_a")
        description = "The fan rattles at night & smells <burnt>."
        cases = [
            ({"phone": "abc"}, "is not valid"),
            (
                {"files": [("photos", (f"unit{i}.png", PNG, "image/png")) for i in range(6)]},
                "Attach at most 5 photos.",
            ),
            (
                {
                    "files": {
                        "photos": (
                            "huge.png",
                            PNG + random.Random(0).randbytes(10 * 1024 * 1024),
                            "image/png",
                        )
                    }
                },
                "huge.png is not an image under 10 MB.",
            ),
            ({"files": {"photos": ("notes.txt", b"hello", "text/plain")}}, "notes.txt is not an image"),
            # A page of HTML sent as a PNG: what the file holds decides.
            (
                {"files": {"photos": ("fake.png", b"<html><script>alert(1)</script></html>", "image/png")}},
                "fake.png is not an image",
            ),
        ]
        for kwargs, message in cases:
            phone = kwargs.get("phone", "+32 470 12 34 56")
            response = self._post_report(self.warranty_a, description, files=kwargs.get("files"), phone=phone)
            self.assertEqual(response.status_code, 400, message)
            self.assertNotIn("Location", response.headers)
            page = response.text
            self.assertIn(message, page)
            # The form comes back filled: the description in its text area, the phone in its field.
            textarea = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', page, re.S)
            self.assertEqual(textarea.group(1), "The fan rattles at night &amp; smells &lt;burnt&gt;.")
            self.assertRegex(page, rf'<input[^>]*name="phone"[^>]*value="{re.escape(phone)}"')
            if kwargs.get("files"):
                self.assertIn("Select your photos again before sending.", page)
            self.assertFalse(self._claims_of(self.portal_a.partner_id), message)

        empty = self._post_report(self.warranty_a, "   ", phone="+32 470 12 34 56")
        self.assertEqual(empty.status_code, 400)
        self.assertIn("Describe the problem so that we can help.", empty.text)
        self.assertFalse(self._claims_of(self.portal_a.partner_id))

    def test_error_text_of_the_url_is_not_shown(self):
        self.authenticate("portal_a", "portal_a")
        page = self.url_open(f"/my/warranties/{self.warranty_a.id}?error=%3Cb%3EPay%20here%3C%2Fb%3E")
        self.assertEqual(page.status_code, 200)
        self.assertIn("PA-1", page.text)
        self.assertNotIn("Pay here", page.text)
        self.assertNotIn("alert-danger", page.text)

    def test_only_the_customer_reports_a_problem(self):
        staff = new_test_user(
            self.env,
            login="as_portal_staff",
            groups="aftersales_warranty.group_aftersales_user,sales_team.group_sale_salesman",
            name="Staff",
        )
        for login in (staff.login, "admin"):
            self.authenticate(login, login)
            page = self.url_open(f"/my/warranties/{self.warranty_a.id}")
            self.assertEqual(page.status_code, 200, login)
            self.assertIn("PA-1", page.text)
            self.assertNotIn("o_aftersales_report_form", page.text, "no form for somebody else")
            response = self._post_report(self.warranty_a, "Filed by staff", phone="+32 470 12 34 56")
            self.assertEqual(response.status_code, 404, login)
            self.assertFalse(self.Claim.search([("warranty_id", "=", self.warranty_a.id)]), login)

        self.authenticate("portal_b", "portal_b")
        self.assertEqual(self._post_report(self.warranty_a, "Not mine").status_code, 404)

        self.authenticate("portal_a", "portal_a")
        page = self.url_open(f"/my/warranties/{self.warranty_a.id}")
        self.assertIn("o_aftersales_report_form", page.text)
        response = self._post_report(
            self.warranty_a, "It does not cool.", files={"photos": ("unit.png", PNG, "image/png")}
        )
        self.assertEqual(response.status_code, 303)
        claim = self.Claim.search([("warranty_id", "=", self.warranty_a.id)])
        self.assertEqual(len(claim), 1)
        self.assertIn(f"/my/claims/{claim.id}", response.headers["Location"])
        self.assertEqual(claim.partner_id, self.portal_a.partner_id)
        self.assertEqual(claim.channel, "portal")
        self.assertIn("It does not cool.", claim.description)
