from odoo.tests import tagged

from .portal_common import AftersalesPortalCommon


@tagged("post_install", "-at_install")
class TestVisitPortal(AftersalesPortalCommon):
    """/my/visits: customer A confirms or moves its visit; customer B, a share link or a stranger
    can do neither."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id = False  # any time is working time here
        cls.technician = cls.env["res.users"].create(
            {
                "name": "Technician Reza",
                "login": "portal_tech",
                "group_ids": [(4, cls.env.ref("base.group_user").id)],
            }
        )
        Visit = cls.env["aftersales.visit"]
        cls.visit_a, cls.visit_b, cls.draft_a = Visit.create(
            [
                {
                    "kind": kind,
                    "partner_id": partner.id,
                    "lot_id": warranty.lot_id.id,
                    "warranty_id": warranty.id,
                    "technician_id": cls.technician.id,
                    "date_start": start,
                    "date_end": end,
                }
                for kind, partner, warranty, start, end in (
                    (
                        "install",
                        cls.portal_a.partner_id,
                        cls.warranty_a,
                        "2026-06-02 06:30:00",
                        "2026-06-02 08:30:00",
                    ),
                    (
                        "repair",
                        cls.portal_b.partner_id,
                        cls.warranty_b,
                        "2026-06-02 09:30:00",
                        "2026-06-02 11:30:00",
                    ),
                    ("training", cls.portal_a.partner_id, cls.warranty_a, False, False),
                )
            ]
        )
        (cls.visit_a | cls.visit_b).action_schedule()

    def test_list_shows_own_planned_visits(self):
        self.authenticate("portal_a", "portal_a")
        page = self.url_open("/my/visits")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.visit_a.name, page.text)
        self.assertNotIn(self.visit_b.name, page.text)
        self.assertNotIn(self.draft_a.name, page.text, "a draft is not planned yet")
        detail = self.url_open(f"/my/visits/{self.visit_a.id}")
        self.assertEqual(detail.status_code, 200)
        self.assertIn("Technician Reza", detail.text)

    def test_owner_confirms(self):
        self.authenticate("portal_a", "portal_a")
        response = self._post(f"/my/visits/{self.visit_a.id}/confirm")
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.visit_a.customer_confirmed)
        page = self.url_open(response.headers["Location"])
        self.assertIn("you confirmed the visit", page.text)

    def test_owner_asks_another_time(self):
        self.authenticate("portal_a", "portal_a")
        empty = self._post(f"/my/visits/{self.visit_a.id}/reschedule", note=" ")
        self.assertEqual(empty.status_code, 400)
        self.assertFalse(self.visit_a.reschedule_requested)
        response = self._post(f"/my/visits/{self.visit_a.id}/reschedule", note="Saturday morning, please.")
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.visit_a.reschedule_requested)
        self.assertIn(
            "Saturday morning, please.",
            "".join(self.visit_a.message_ids.mapped("body")),
        )

    def test_others_are_refused(self):
        self.authenticate("portal_b", "portal_b")
        with self.assertNoLogs("odoo", level="ERROR"):
            for url in (f"/my/visits/{self.visit_a.id}", f"/my/visits/{self.draft_a.id}"):
                self.assertEqual(self.url_open(url).status_code, 404)
            for action in ("confirm", "reschedule"):
                response = self._post(f"/my/visits/{self.visit_a.id}/{action}", note="Never")
                self.assertEqual(response.status_code, 404)
            self.assertEqual(self.url_open("/my/visits/999999").status_code, 404)
        self.assertFalse(self.visit_a.customer_confirmed)
        self.assertFalse(self.visit_a.reschedule_requested)
        # Not logged in: the login page, never the visit.
        self.authenticate(None, None)
        response = self.url_open(f"/my/visits/{self.visit_a.id}", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        # The share token opens nothing either.
        token = self.visit_a._portal_ensure_token()
        response = self.url_open(f"/my/visits/{self.visit_a.id}?access_token={token}", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
