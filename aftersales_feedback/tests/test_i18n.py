"""Both addons speak Persian: the committed .pot files match the code, fa.po covers them in full,
and Persian users get right-to-left pages (checked in headless Chromium) and dates as their
language formats them."""

import io
import re
from pathlib import Path

import polib
from lxml import html

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools.translate import trans_export

from .common import AftersalesFeedbackCommon

ADDONS = ("aftersales_warranty", "aftersales_feedback")
ROOT = Path(__file__).resolve().parents[2]
# Placeholders and QWeb expressions a translation must carry over unchanged.
PLACEHOLDER_RE = re.compile(
    r"%\([a-z_]+\)[sd]|%[sd%]|\{\{.*?\}\}|t-(?:out|esc|att-\w+|if|foreach)=\"[^\"]*\""
)
# Text quoted inside an expression ({{ ... ' Your gift code: ' ... }}) is for the reader: it may change.
QUOTED_RE = re.compile(r"'[^']*'")
TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
PERSIAN_RE = re.compile(r"[\u0600-\u06FF]")


def _placeholders(text):
    return sorted(QUOTED_RE.sub("''", found) for found in PLACEHOLDER_RE.findall(text))


def _committed(addon, name):
    return polib.pofile(str(ROOT / addon / "i18n" / name))


def _demo_xmlids(addon):
    """The xml ids the addon's demo files define: their terms are in the .pot but not in a test database."""
    manifest = (ROOT / addon / "__manifest__.py").read_text()
    demo_files = re.findall(r'"(demo/[^"]+\.xml)"', manifest)
    ids = set()
    for path in demo_files:
        ids.update(re.findall(r'\bid="([\w.]+)"', (ROOT / addon / path).read_text()))
    return {xmlid if "." in xmlid else f"{addon}.{xmlid}" for xmlid in ids}


def _xmlid(reference):
    """``model:product.template,name:module.product_x_product_template`` -> ``module.product_x``
    (a product's template gets the xml id of the product plus a suffix)."""
    return reference.split(":")[-1].removesuffix("_product_template")


@tagged("post_install", "-at_install")
class TestTranslationFiles(TransactionCase):
    def _exported(self, addon):
        buffer = io.BytesIO()
        trans_export(None, [addon], buffer, "po", self.env)
        return polib.pofile(buffer.getvalue().decode())

    def test_committed_pot_matches_the_code(self):
        for addon in ADDONS:
            exported = {entry.msgid for entry in self._exported(addon)}
            committed_pot = _committed(addon, f"{addon}.pot")
            committed = {entry.msgid for entry in committed_pot}
            demo = _demo_xmlids(addon)
            demo_only = {
                entry.msgid
                for entry in committed_pot
                if entry.occurrences and all(_xmlid(ref) in demo for ref, _line in entry.occurrences)
            }
            missing = sorted(exported - committed)
            self.assertFalse(
                missing,
                f"{addon}: strings missing from i18n/{addon}.pot (export it again, see README "
                f"'Translations'): {missing[:10]}",
            )
            stale = sorted(committed - exported - demo_only)
            self.assertFalse(
                stale, f"{addon}: i18n/{addon}.pot holds strings the code no longer has: {stale[:10]}"
            )

    def test_persian_covers_the_whole_pot(self):
        for addon in ADDONS:
            pot = {entry.msgid: entry for entry in _committed(addon, f"{addon}.pot")}
            fa = {entry.msgid: entry for entry in _committed(addon, "fa.po") if not entry.obsolete}
            self.assertEqual(set(fa), set(pot), f"{addon}: fa.po and the .pot hold different strings")
            for msgid, entry in fa.items():
                with self.subTest(addon=addon, msgid=msgid[:60]):
                    self.assertTrue(entry.msgstr.strip(), "empty translation")
                    self.assertNotIn("fuzzy", entry.flags)
                    self.assertEqual(_placeholders(entry.msgstr), _placeholders(msgid))
                    self.assertEqual(TAG_RE.findall(entry.msgstr), TAG_RE.findall(msgid), "HTML tags differ")
                    if PERSIAN_RE.search(msgid) is None and re.search(r"[A-Za-z]{3}", msgid):
                        # Words are translated; codes, names and formats may stay as they are.
                        self.assertTrue(
                            PERSIAN_RE.search(entry.msgstr) or entry.msgstr == msgid,
                            "neither Persian nor kept as is",
                        )
                    if any("print_report_name" in ref for ref, _line in entry.occurrences):
                        compile(entry.msgstr, "print_report_name", "eval")


class PersianMixin:
    @classmethod
    def _setup_persian(cls):
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"]._load_module_terms(list(ADDONS), ["fa_IR"], overwrite=True)
        cls.fa = {addon: {e.msgid: e.msgstr for e in _committed(addon, "fa.po")} for addon in ADDONS}


@tagged("post_install", "-at_install")
class TestPersianUser(PersianMixin, AftersalesFeedbackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_persian()
        cls.customer.lang = "fa_IR"

    def test_errors_speak_persian(self):
        message = self.fa["aftersales_feedback"]["The score must be between 1 and 5, not %(score)s."]
        with self.assertRaises(ValidationError) as caught:
            self.Feedback.with_context(lang="fa_IR").create(
                {"partner_id": self.customer.id, "score": 6, "source": "call"}
            )
        self.assertEqual(str(caught.exception), message % {"score": 6})
        self.assertFalse(self.Feedback.search([("partner_id", "=", self.customer.id)]))

    def test_selection_and_field_labels_in_persian(self):
        Claim = self.env["aftersales.claim"].with_context(lang="fa_IR")
        labels = dict(Claim._fields["state"]._description_selection(Claim.env))
        fa = self.fa["aftersales_warranty"]
        self.assertEqual(labels["diagnosis"], fa["Diagnosis"])
        self.assertEqual(Claim.fields_get(["lot_id"])["lot_id"]["string"], fa["Serial Number"])

    def test_certificate_is_right_to_left_with_persian_dates(self):
        content, _type = self.env["ir.actions.report"]._render_qweb_html(
            "aftersales_warranty.action_report_warranty_certificate", self.warranty.ids
        )
        page = html.fromstring(content).xpath("//div[hasclass('o_aftersales_certificate')]")[0]
        self.assertEqual(page.get("dir"), "rtl")
        text = page.text_content()
        self.assertIn(self.fa["aftersales_warranty"]["Warranty Certificate"], text)
        # A Persian customer reads Solar Hijri dates in Persian digits: 10 January 2026 and 2027.
        self.assertEqual(
            (self.warranty.date_start.isoformat(), self.warranty.date_end.isoformat()),
            ("2026-01-10", "2027-01-10"),
        )
        self.assertIn("۲۰ دی ۱۴۰۴", text)
        self.assertIn("۲۰ دی ۱۴۰۵", text)
        self.assertNotIn("2026", text.replace(self.warranty.name, ""))


# Runs in the page: the element must be laid out right to left, show Persian words, and neither the
# page nor the listed containers may scroll sideways (a sign of text or blocks pushed off screen).
RTL_CHECK = """
(() => {
    const problems = [];
    const main = document.querySelector(%(selector)r);
    if (!main) {
        problems.push("missing " + %(selector)r);
    } else {
        const direction = getComputedStyle(main).direction;
        if (direction !== "rtl") problems.push("direction is " + direction);
        if (!/[\\u0600-\\u06FF]/.test(main.innerText)) problems.push("no Persian text");
        // Odoo's right-to-left stylesheet (built with rtlcss) is in use: "start" is on the right.
        const probe = document.createElement("div");
        probe.className = "text-start";
        main.appendChild(probe);
        if (getComputedStyle(probe).textAlign !== "right") problems.push("left-to-right stylesheet");
        probe.remove();
        const boxes = [document.scrollingElement, ...document.querySelectorAll(%(boxes)r)];
        for (const box of boxes) {
            if (box && box.scrollWidth > box.clientWidth + 1) {
                const edge = box.getBoundingClientRect();
                const culprits = [...box.querySelectorAll("*")]
                    .filter((el) => {
                        const rect = el.getBoundingClientRect();
                        return rect.width && (rect.left < edge.left - 1 || rect.right > edge.right + 1);
                    })
                    .slice(0, 3)
                    .map((el) => `${el.tagName}.${el.className}`);
                problems.push(
                    `sideways overflow in ${box.className || box.tagName}: ` +
                    `${box.scrollWidth} > ${box.clientWidth} (${culprits.join(", ")})`
                );
            }
        }
        %(extra)s
    }
    if (problems.length) {
        console.error("RTL check failed: " + problems.join("; "));
    } else {
        console.log("test successful");
    }
})()
"""
# The first kanban column stands at the right, the next one to its left.
KANBAN_ORDER = """
        const groups = [...document.querySelectorAll(".o_kanban_group")];
        if (groups.length < 2) problems.push("fewer than two columns");
        else if (groups[0].getBoundingClientRect().left < groups[1].getBoundingClientRect().left) {
            problems.push("columns run left to right");
        }
"""


@tagged("post_install", "-at_install")
class TestPersianRightToLeft(PersianMixin, AftersalesFeedbackCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_persian()
        cls.agent.lang = "fa_IR"
        cls.customer.lang = "fa_IR"
        new_test_user(
            cls.env,
            login="as_portal_fa",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            lang="fa_IR",
        )

    def _check(self, url, selector, login, boxes="", extra=""):
        code = RTL_CHECK % {"selector": selector, "boxes": boxes or "none-such", "extra": extra}
        self.browser_js(url, code, ready=f"!!document.querySelector({selector!r})", login=login)

    def test_claim_kanban_and_form(self):
        claim = self._claim_in_state("diagnosis")
        self._claim_in_state("new", lot_id=self.lot_2.id)
        action = "/odoo/action-aftersales_warranty.aftersales_claim_action"
        kanban = ".o_kanban_renderer .o_kanban_record"
        self._check(action, kanban, "as_agent", ".o_kanban_record", KANBAN_ORDER)
        self._check(
            f"{action}/{claim.id}",
            ".o_form_view .o_form_sheet",
            "as_agent",
            ".o_form_sheet_bg, .o_form_sheet, .o_form_statusbar",
        )

    def test_certificate_page(self):
        self._check(
            f"/report/html/aftersales_warranty.report_warranty_certificate/{self.warranty.id}",
            ".page",
            "as_agent",
            ".page",
        )

    def test_portal_pages(self):
        claim = self._claim_in_state("diagnosis")
        urls = (
            "/my/warranties",
            f"/my/warranties/{self.warranty.id}",
            "/my/claims",
            f"/my/claims/{claim.id}",
        )
        for url in urls:
            with self.subTest(url=url):
                self._check(url, "#wrap", "as_portal_fa", "#wrap")

    def test_survey_page(self):
        claim = self._claim_in_state("diagnosis")
        claim.action_resolve()
        survey = self.env["aftersales.feedback.request"].search([("claim_id", "=", claim.id)])
        self._check(f"/aftersales/feedback/{survey.access_token}", ".o_aftersales_survey", None, "body")
