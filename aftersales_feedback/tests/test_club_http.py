import json

from freezegun import freeze_time
from lxml import html

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.aftersales_warranty.tests.test_certificate_pdf import pdf_to_text, render_pdf

from .club_common import AftersalesClubCommon


@tagged("post_install", "-at_install")
class TestClubHttp(AftersalesClubCommon, HttpCase):
    """The club as people meet it: the portal page, calls over JSON-RPC as each role, the certificate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "golnar@example.com"
        cls.portal_user = new_test_user(
            cls.env,
            login="club_owner",
            password="club_owner",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Other Member", "email": "other.member@example.com"}
        )
        cls._sell([(cls.product_no_warranty, 1)], partner=cls.other)
        cls.other_user = new_test_user(
            cls.env,
            login="club_other",
            password="club_other",
            groups="base.group_portal",
            partner_id=cls.other.id,
        )

    def _rpc(self, model, method, args, kwargs=None):
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        if "error" in payload:
            return payload["error"]["data"]["name"]
        return payload["result"]

    def test_portal_club_page_owner_and_other_customer(self):
        self._give_points(self.customer, 320)
        self._give_points(self.other, 1500)
        self.authenticate("club_owner", "club_owner")
        with self.assertNoLogs("odoo", level="ERROR"):
            page = self.url_open("/my/club")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Gold", page.text)
        self.assertIn("Three more months", page.text, "the tier's benefits")
        self.assertIn("Platinum", page.text, "the next tier")
        next_tier = html.fromstring(page.content).xpath("//p[hasclass('o_aftersales_club_next')]")[0]
        self.assertEqual(
            " ".join(next_tier.text_content().split()), "Points still to earn within 365 days: 670"
        )
        self.assertIn("Satisfaction Answer", page.text, "how to earn")
        self.assertNotIn("Other Member", page.text)
        self.assertIn(f'data-card-id="{self._card(self.customer).id}"', page.text)
        self.assertNotIn(f'data-card-id="{self._card(self.other).id}"', page.text)
        home = self.url_open("/my/home")
        self.assertIn("/my/club", home.text)
        self.authenticate("club_other", "club_other")
        page = self.url_open("/my/club")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'data-card-id="{self._card(self.other).id}"', page.text)
        self.assertNotIn(f'data-card-id="{self._card(self.customer).id}"', page.text)
        self.authenticate(None, None)
        anonymous = self.url_open("/my/club", allow_redirects=False)
        self.assertIn(anonymous.status_code, (302, 303))

    def test_portal_club_page_shows_the_way_to_the_next_tier(self):
        self._give_points(self.customer, 320)
        card = self._card(self.customer)
        earned = self.env["res.partner"]._aftersales_club_earned(card)[card.id]
        tier = self.customer.aftersales_club_tier_id
        tiers = self.env["aftersales.club.tier"].search([("company_id", "=", self.company.id)])
        platinum = tiers.filtered(lambda t: t.name == "Platinum")
        expected = int((earned - tier.min_points) * 100 // (platinum.min_points - tier.min_points))
        self.assertTrue(0 < expected < 100, expected)
        self.authenticate("club_owner", "club_owner")
        page = html.fromstring(self.url_open("/my/club").content)
        bar = page.xpath("//div[hasclass('o_aftersales_club_progress')]")[0]
        self.assertEqual(bar.get("aria-valuenow"), str(expected))
        self.assertIn(f"width: {expected}%", bar.xpath(".//div[hasclass('progress-bar')]")[0].get("style"))
        # At the top tier the way is done.
        self._give_points(self.customer, platinum.min_points)
        page = html.fromstring(self.url_open("/my/club").content)
        self.assertFalse(page.xpath("//div[hasclass('o_aftersales_club_progress')]"))
        self.assertIn("highest tier", page.text_content())

    def test_portal_club_page_in_persian_reads_persian_words_and_digits(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(["aftersales_feedback"], ["fa_IR"], overwrite=True)
        self.portal_user.lang = "fa_IR"
        self._give_points(self.customer, 320)
        self.authenticate("club_owner", "club_owner")
        url_code = self.env["res.lang"]._get_data(code="fa_IR").url_code
        page = html.fromstring(self.url_open(f"/{url_code}/my/club").content)
        next_tier = " ".join(page.xpath("//p[hasclass('o_aftersales_club_next')]")[0].text_content().split())
        self.assertIn("۶۷۰", next_tier, "Persian digits in a Persian sentence")
        self.assertNotIn("670", next_tier)
        self.assertIn("به ازای هر سفارش", page.text_content(), "the purchase rule's mode in Persian")
        self.assertNotIn("per order", page.text_content())

    def test_rpc_each_role(self):
        self._give_points(self.customer, 100)
        own, others = self._card(self.customer), self._card(self.other)
        # Portal: their own card and history only; no tier, rule or program to write.
        self.authenticate("club_owner", "club_owner")
        cards = self._rpc("loyalty.card", "search_read", [[]], {"fields": ["partner_id", "points"]})
        self.assertEqual({card["id"] for card in cards}, {own.id})
        self.assertEqual(
            self._rpc("loyalty.card", "read", [others.ids, ["points"]]), "odoo.exceptions.AccessError"
        )
        history = self._rpc("loyalty.history", "search_read", [[]], {"fields": ["card_id"]})
        self.assertTrue(history)
        self.assertEqual({line["card_id"][0] for line in history}, {own.id})
        self.assertEqual(
            self._rpc("aftersales.club.tier", "write", [self.gold.ids, {"min_points": 1}]),
            "odoo.exceptions.AccessError",
        )
        self.assertIn(
            self._rpc(
                "res.partner", "write", [self.customer.ids, {"aftersales_club_tier_id": self.platinum.id}]
            ),
            ("odoo.exceptions.AccessError", "odoo.exceptions.UserError"),
        )
        # Agent: reads tiers, rules and the points; configures nothing.
        self.authenticate("as_agent", "as_agent")
        self.assertEqual(len(self._rpc("aftersales.club.tier", "search_read", [[]], {"fields": ["name"]})), 3)
        self.assertEqual(
            len(self._rpc("aftersales.club.rule", "search_read", [[]], {"fields": ["event"]})), 5
        )
        self.assertEqual(
            self._rpc("aftersales.club.tier", "write", [self.gold.ids, {"min_points": 1}]),
            "odoo.exceptions.AccessError",
        )
        self.assertEqual(
            self._rpc("aftersales.club.rule", "create", [{"event": "feedback", "points": 1}]),
            "odoo.exceptions.AccessError",
        )
        self.assertEqual(
            self._rpc(
                "res.partner", "write", [self.customer.ids, {"aftersales_club_tier_id": self.platinum.id}]
            ),
            "odoo.exceptions.UserError",
        )
        # Manager: configures tiers, rules and the program's reward; still cannot set a tier by hand.
        self.authenticate("as_manager", "as_manager")
        self.assertTrue(self._rpc("aftersales.club.tier", "write", [self.gold.ids, {"min_points": 250}]))
        self.assertTrue(self._rpc("aftersales.club.rule", "create", [{"event": "birthday", "points": 5}]))
        self.assertTrue(
            self._rpc("loyalty.reward", "write", [self.club.reward_ids[:1].ids, {"required_points": 90}])
        )
        self.assertEqual(
            self._rpc("aftersales.club.tier", "create", [{"name": "Bad", "warranty_bonus_months": -2}]),
            "odoo.exceptions.ValidationError",
        )
        self.assertEqual(
            self._rpc(
                "res.partner", "write", [self.customer.ids, {"aftersales_club_tier_id": self.platinum.id}]
            ),
            "odoo.exceptions.UserError",
        )

    def test_certificate_prints_the_bonus_months(self):
        self._give_points(self.customer, 1100)  # Platinum: 6 months
        self._add_stock(self.product_serial, lot_names=["CLUB-PDF"])
        with freeze_time("2026-06-01 09:00:00"):
            order = self._sell([(self.product_serial, 1)])
            self._deliver(order)
        warranty = order.warranty_ids.filtered(lambda w: w.state == "active")
        self.assertEqual(warranty.club_bonus_months, 6)
        text = " ".join(
            pdf_to_text(
                render_pdf(warranty, "aftersales_warranty.action_report_warranty_certificate")
            ).split()
        )
        self.assertIn(f"Customer club bonus, included in the end date: {warranty.name}: 6 months", text)
