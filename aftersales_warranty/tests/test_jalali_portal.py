from freezegun import freeze_time

from odoo.tests import tagged

from .portal_common import AftersalesPortalCommon
from .test_jalali_format import PERSIAN_DIGIT, fa


@tagged("post_install", "-at_install")
class TestJalaliPortal(AftersalesPortalCommon):
    """The portal pages of a Persian customer show Solar Hijri dates, an English one's Gregorian
    dates; both in the customer's time zone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.portal_a.write({"lang": "fa_IR", "tz": "Asia/Tehran"})
        cls.portal_b.write({"lang": "en_US", "tz": "Asia/Tehran"})
        # Reported at 00:15 on 5 March 2027 in Tehran (14 Esfand 1405), still 4 March in UTC.
        with freeze_time("2027-03-04 20:45:00"):
            cls.claim_a, cls.claim_b = cls.env["aftersales.claim"].create(
                [
                    {"partner_id": warranty.partner_id.id, "lot_id": warranty.lot_id.id, "channel": "phone"}
                    for warranty in (cls.warranty_a, cls.warranty_b)
                ]
            )

    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return response.content.decode()

    def test_dates_of_the_records(self):
        # Delivered on 2026-03-01 (10 Esfand 1404), covered until 2027-03-01 (10 Esfand 1405).
        self.assertEqual(str(self.warranty_a.date_start), "2026-03-01")
        self.assertEqual(str(self.warranty_a.date_end), "2027-03-01")
        self.assertEqual(str(self.claim_a.date_reported), "2027-03-04 20:45:00")

    def test_persian_customer_reads_solar_hijri_dates(self):
        self.authenticate("portal_a", "portal_a")
        warranties = self._page("/my/warranties")
        self.assertRegex(warranties, r'<html[^>]*dir="rtl"')
        self.assertIn(fa("10 اسفند 1405"), warranties)
        self.assertNotIn("03/01/2027", warranties)
        warranty = self._page(f"/my/warranties/{self.warranty_a.id}")
        self.assertIn(fa("10 اسفند 1404"), warranty, "covered from")
        self.assertIn(fa("10 اسفند 1405"), warranty, "covered until")
        self.assertNotIn("03/01/2026", warranty)
        claims = self._page("/my/claims")
        self.assertIn(fa("14 اسفند 1405"), claims, "reported on, in Tehran")
        self.assertNotIn(fa("13 اسفند 1405"), claims, "not the day in UTC")
        claim = self._page(f"/my/claims/{self.claim_a.id}")
        self.assertIn(fa("14 اسفند 1405، 00:15"), claim)

    def test_english_customer_reads_gregorian_dates(self):
        self.authenticate("portal_b", "portal_b")
        warranties = self._page("/my/warranties")
        self.assertRegex(warranties, r'<html[^>]*dir="ltr"|<html(?![^>]*dir=)')
        self.assertIn("03/01/2027", warranties)
        warranty = self._page(f"/my/warranties/{self.warranty_b.id}")
        self.assertIn("03/01/2026", warranty)
        self.assertIn("03/01/2027", warranty)
        claims = self._page("/my/claims")
        self.assertIn("03/05/2027", claims, "reported on, in Tehran")
        claim = self._page(f"/my/claims/{self.claim_b.id}")
        self.assertIn("03/05/2027 12:15 AM", claim)
        for page in (warranties, warranty, claims, claim):
            self.assertNotRegex(page, PERSIAN_DIGIT)

    def test_the_certificate_follows_the_language_chosen_on_the_portal(self):
        # portal_b reads English; on the portal he chose Persian (the language's URL, as the
        # portal's language menu leads), and prints his certificate there.
        self.env["ir.module.module"]._load_module_terms(["aftersales_warranty"], ["fa_IR"], overwrite=True)
        self.authenticate("portal_b", "portal_b")
        url_code = self.env["res.lang"]._get_data(code="fa_IR").url_code
        persian = self._page(f"/{url_code}/my/warranties/{self.warranty_b.id}?report_type=html")
        self.assertIn(fa("10 اسفند 1405"), persian, "covered until, in Solar Hijri")
        self.assertIn("گواهی گارانتی", persian)
        self.assertIn('dir="rtl"', persian)
        # Back to English in the portal's language menu: the certificate follows.
        english_code = self.env["res.lang"]._get_data(code="en_US").url_code
        english = self._page(f"/{english_code}/my/warranties/{self.warranty_b.id}?report_type=html")
        self.assertIn("Warranty Certificate", english)
        self.assertNotIn("گواهی گارانتی", english)
