import re
import subprocess
import tempfile
import unicodedata

from freezegun import freeze_time
from lxml import html

from odoo.tests import HttpCase, tagged

from .common import AftersalesWarrantyCommon
from .test_certificate_pdf import pdf_to_text, render_pdf
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
        return plain_text(pdf_to_text(render_pdf(records, report_ref)))

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


def pdf_words(pdf):
    """(x_min, y_min, x_max, y_max, word) of each word of the first page of PDF bytes ``pdf``, and
    the page's width (poppler's pdftotext -bbox)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf_file:
        pdf_file.write(pdf)
        pdf_file.flush()
        layout = subprocess.run(
            ["pdftotext", "-bbox", "-f", "1", "-l", "1", pdf_file.name, "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', layout).group(1))
    words = [
        (float(x0), float(y0), float(x1), float(y1), word)
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', layout
        )
    ]
    return words, width


@tagged("post_install", "-at_install")
class TestPersianCertificateLayout(AftersalesWarrantyCommon):
    """wkhtmltopdf 0.12.6 draws a Persian text mixed with numbers or Latin words over its neighbours
    or past the page's edge unless it is printed as single-direction boxes: the words of the PDF a
    Persian customer receives neither overlap nor leave the page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        customer = cls.env["res.partner"].create(
            {"name": "Golnar 2", "lang": "fa_IR", "street": "خیابان 15 خرداد، پلاک 24", "city": "اصفهان"}
        )
        cls.product_serial.name = "کولر گازی اسپلیت BTU 12000"
        cls.policy_12m.write(
            {
                "name": "24 ماه پوشش کامل",
                "terms": "<p>قطعات و دستمزد تا 24 ماه از تاریخ تحویل تحت پوشش است؛ مدل X-200 (new) شامل "
                "تعویض است.</p>",
            }
        )
        cls._add_stock(cls.product_serial, lot_names=["MIX-1"])
        with freeze_time("2027-03-05 09:00:00"):
            order = cls._sell([(cls.product_serial, 1)], partner=customer)
            cls._deliver(order)
        cls.warranty = order.warranty_ids

    def test_mixed_persian_text_is_laid_out_in_its_place(self):
        pdf = render_pdf(self.warranty, "aftersales_warranty.action_report_warranty_certificate")
        words, width = pdf_words(pdf)
        text = plain_text(" ".join(word for *_box, word in words))
        for expected in ("BTU", "12000", "24", "X-200", "MIX-1"):
            self.assertIn(expected, text)
        self.assertIn("اصفهان", plain_text(pdf_to_text(pdf)))
        off_page = [word for x0, _y0, x1, _y1, word in words if x0 < 0 or x1 > width]
        self.assertFalse(off_page, "words printed past the page's edge")
        overlaps = [
            (plain_text(first[4]), plain_text(second[4]))
            for index, first in enumerate(words)
            for second in words[index + 1 :]
            if min(first[2], second[2]) - max(first[0], second[0]) > 1
            and min(first[3], second[3]) - max(first[1], second[1]) > 1
        ]
        self.assertFalse(overlaps, "words printed over each other")
