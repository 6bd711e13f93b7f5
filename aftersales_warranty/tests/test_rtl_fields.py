"""Right to left, phone numbers and serials keep their order: "(603)-996-3829" never shows as
"996-3829-(603)" to a Persian user. Every form and list of both addons shows them left to right
(Odoo's ``o_force_ltr``)."""

from lxml import etree

from odoo.tests import TransactionCase, tagged

LTR_FIELDS = {
    "phone",
    "mobile",
    "caller_number",
    "called_number",
    "sms_number",
    "lot_id",
    "serial",
    "registered_phone",
}


@tagged("post_install", "-at_install")
class TestLeftToRightFields(TransactionCase):
    def test_phones_and_serials_are_left_to_right_in_every_form_and_list(self):
        views = self.env["ir.ui.view"].search(
            [
                ("type", "in", ("form", "list")),
                ("model_data_id.module", "in", ("aftersales_warranty", "aftersales_feedback")),
            ]
        )
        self.assertTrue(views)
        checked, missing = 0, []
        for view in views:
            for node in etree.fromstring(view.arch_db).iter("field"):
                if node.get("name") not in LTR_FIELDS or "search" in [a.tag for a in node.iterancestors()]:
                    continue
                checked += 1
                if "o_force_ltr" not in (node.get("class") or ""):
                    missing.append(f"{view.xml_id}: {node.get('name')}")
        self.assertGreater(checked, 10)
        self.assertFalse(missing, "shown right to left in Persian")

    def test_the_persian_claim_form_renders_the_phone_left_to_right(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        form = self.env["aftersales.claim"].with_context(lang="fa_IR").get_views([(False, "form")])
        arch = etree.fromstring(form["views"]["form"]["arch"])
        phone = arch.xpath("//field[@name='phone']")[0]
        self.assertIn("o_force_ltr", phone.get("class"))
