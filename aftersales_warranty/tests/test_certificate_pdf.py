import re
import subprocess
import tempfile

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools import format_date

from .common import AftersalesWarrantyCommon


def render_pdf(records, report_ref):
    """The PDF bytes of report ``report_ref`` for ``records``, printed by wkhtmltopdf as in production."""
    pdf, report_type = (
        records.env["ir.actions.report"]
        .with_context(force_report_rendering=True)
        ._render_qweb_pdf(report_ref, records.ids)
    )
    assert report_type == "pdf" and pdf.startswith(b"%PDF"), report_type
    return pdf


def pdf_to_text(pdf):
    """The text of PDF bytes ``pdf``, laid out as on the page (poppler's pdftotext -layout)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf_file:
        pdf_file.write(pdf)
        pdf_file.flush()
        return subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", pdf_file.name, "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout


@tagged("post_install", "-at_install")
class TestCertificatePdf(AftersalesWarrantyCommon, HttpCase):
    """The certificate as wkhtmltopdf really prints it (an HttpCase: it loads the report's styles
    from the test server, as in production)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Pars Cooling Co.",
                "street": "12 Vali-Asr Avenue",
                "city": "Tehran",
                "zip": "1415",
                "country_id": cls.env.ref("base.ir").id,
                "phone": "+98 21 1234 5678",
                "email": "service@parscooling.example.com",
            }
        )
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.persian_customer = cls.env["res.partner"].create(
            {"name": "گلنار رضایی", "lang": "fa_IR", "city": "اصفهان", "email": "golnar.fa@example.com"}
        )
        cls._add_stock(cls.product_serial, lot_names=["CT-1", "CT-2", "FA-1"])
        with freeze_time("2026-06-01 09:00:00"):
            cls.order = cls._sell([(cls.product_serial, 2)])
            cls._deliver(cls.order)
            cls.persian_order = cls._sell([(cls.product_serial, 1)], partner=cls.persian_customer)
            cls._deliver(cls.persian_order)

    def _pdf_text(self, report_ref, records):
        return pdf_to_text(render_pdf(records, report_ref))

    def _assert_label_value(self, text, label, value):
        """``label`` and its own ``value`` on one line of the page, nothing between them."""
        self.assertRegex(text, rf"(?m)^[ \t]*{re.escape(label)}[ \t]+{re.escape(value)}[ \t]*$")

    def _assert_issuer(self, text):
        self.assertIn("Pars Cooling Co.", text)
        self.assertIn("12 Vali-Asr Avenue", text)
        self.assertIn("Tehran", text)
        self.assertIn("+98 21 1234 5678", text)
        self.assertIn("service@parscooling.example.com", text)

    def test_warranty_certificate_pdf(self):
        warranty = self.order.warranty_ids.sorted("id")[0]
        text = self._pdf_text("aftersales_warranty.action_report_warranty_certificate", warranty)
        # Real text (selectable, searchable), the issuer printed in the page's body.
        self._assert_issuer(text)
        self.assertIn(f"Warranty Certificate {warranty.name}", text)
        self.assertIn(warranty.lot_id.name, text)
        self.assertIn("Air Conditioner", text)
        self.assertIn(format_date(self.env, warranty.date_start), text)
        self.assertIn(format_date(self.env, warranty.date_end), text)
        self.assertIn("Golnar Customer", text)
        # Each label next to its own value, not "Order: Policy:" over values run together.
        self._assert_label_value(text, "Order", self.order.name)
        self._assert_label_value(text, "Policy", "12 months parts and labour")
        self.assertIn("Parts and labour are free for a year.", text)

    def test_sale_order_certificate_pdf(self):
        text = self._pdf_text("aftersales_warranty.action_report_sale_warranty_certificate", self.order)
        self._assert_issuer(text)
        self.assertIn(f"Warranty Certificate for {self.order.name}", text)
        self._assert_label_value(text, "Order", self.order.name)
        for warranty in self.order.warranty_ids:
            row = rf"(?m)^[ \t]*{re.escape(warranty.name)}[ \t]+Air Conditioner[ \t]+{warranty.lot_id.name}\b"
            self.assertRegex(text, row)
        self.assertIn(format_date(self.env, self.order.warranty_ids[0].date_end), text)

    def test_certificate_direction_follows_the_customer(self):
        Report = self.env["ir.actions.report"]
        html = Report._render_qweb_html(
            "aftersales_warranty.action_report_warranty_certificate", self.order.warranty_ids[:1].ids
        )[0].decode()
        self.assertRegex(html, r'<div class="article o_aftersales_certificate"[^>]*dir="ltr"')
        self.assertNotIn('dir="rtl"', html)
        warranty_fa = self.persian_order.warranty_ids
        html = Report._render_qweb_html(
            "aftersales_warranty.action_report_warranty_certificate", warranty_fa.ids
        )[0].decode()
        self.assertRegex(html, r'<div class="article o_aftersales_certificate"[^>]*data-oe-lang="fa_IR"')
        self.assertRegex(html, r'<div class="article o_aftersales_certificate"[^>]*dir="rtl"')
        # The right-to-left page prints, with its text.
        text = self._pdf_text("aftersales_warranty.action_report_warranty_certificate", warranty_fa)
        self.assertIn("FA-1", text)
        self.assertIn("Pars Cooling Co.", text)
        self.assertIn(warranty_fa.name, text)
