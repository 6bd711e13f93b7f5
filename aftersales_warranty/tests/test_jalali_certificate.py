import re
import unicodedata

from freezegun import freeze_time
from lxml import html

from odoo.tests import HttpCase, tagged

from .common import AftersalesWarrantyCommon
from .test_certificate_pdf import pdf_to_text
from .test_jalali_format import PERSIAN_DIGIT, fa

# Bidi controls pdftotext puts around right-to-left runs (RLE ... PDF and the like).
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain_text(text):
    """pdftotext's text with Arabic presentation forms folded to letters (NFKC), bidi controls
    dropped, and runs of spaces made one."""
    text = BIDI_CONTROLS.sub(" ", unicodedata.normalize("NFKC", text))
    return re.sub(r"[ \t]+", " ", text)


@tagged("post_install", "-at_install")
class TestJalaliCertificate(AftersalesWarrantyCommon, HttpCase):
    """The certificate of a Persian customer, as wkhtmltopdf prints it: right to left, Solar Hijri
    dates in Persian digits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"]._load_module_terms(["aftersales_warranty"], ["fa_IR"], overwrite=True)
        cls.persian_customer = cls.env["res.partner"].create(
            {"name": "گلنار رضایی", "lang": "fa_IR", "city": "اصفهان", "email": "golnar.fa@example.com"}
        )
        cls._add_stock(cls.product_serial, lot_names=["JC-1", "JC-2"])
        # Delivered on 2027-03-05 (14 Esfand 1405): covered until 2028-03-05 (15 Esfand 1406).
        with freeze_time("2027-03-05 09:00:00"):
            cls.persian_order = cls._sell([(cls.product_serial, 1)], partner=cls.persian_customer)
            cls._deliver(cls.persian_order)
            cls.english_order = cls._sell([(cls.product_serial, 1)])
            cls._deliver(cls.english_order)
        cls.warranty = cls.persian_order.warranty_ids

    def _pdf_text(self, report_ref, records):
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report_ref, records.ids)
        )
        self.assertEqual(report_type, "pdf")
        return plain_text(pdf_to_text(pdf))

    def _assert_jalali_row(self, text):
        # A line mostly right to left (the labels and state in Persian): pdftotext lists it in
        # reading order, right to left.
        row = next((line for line in text.splitlines() if "JC-1" in line), "")
        self.assertIn(fa("15 اسفند 1406"), row, "covered until 15 Esfand 1406")
        self.assertIn(fa("14 اسفند 1405"), row, "from 14 Esfand 1405")
        self.assertNotIn("2028", text)
        self.assertNotIn("03/05", text)

    def test_warranty_dates(self):
        self.assertEqual(str(self.warranty.date_start), "2027-03-05")
        self.assertEqual(str(self.warranty.date_end), "2028-03-05")

    def test_warranty_certificate(self):
        report = "aftersales_warranty.action_report_warranty_certificate"
        content = self.env["ir.actions.report"]._render_qweb_html(report, self.warranty.ids)[0]
        page = html.fromstring(content).xpath("//div[hasclass('o_aftersales_certificate')]")[0]
        self.assertEqual(page.get("dir"), "rtl")
        cells = [cell.text_content().strip() for cell in page.xpath("//table[@name='warranty_table']//td")]
        self.assertIn(fa("14 اسفند 1405"), cells)
        self.assertIn(fa("15 اسفند 1406"), cells)
        text = self._pdf_text(report, self.warranty)
        self._assert_jalali_row(text)
        self.assertIn("گلنار رضایی", text)

    def test_sale_order_certificate(self):
        report = "aftersales_warranty.action_report_sale_warranty_certificate"
        text = self._pdf_text(report, self.persian_order)
        self._assert_jalali_row(text)
        self.assertIn("JC-1", text)

    def test_english_customer_keeps_gregorian_dates(self):
        report = "aftersales_warranty.action_report_warranty_certificate"
        text = self._pdf_text(report, self.english_order.warranty_ids)
        self.assertIn("03/05/2027", text)
        self.assertIn("03/05/2028", text)
        self.assertNotRegex(text, PERSIAN_DIGIT)
