import base64
import re

from freezegun import freeze_time

from odoo import Command, http
from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import format_amount

from .portal_common import PNG, AftersalesPortalCommon


class PortalClaimCommon(AftersalesPortalCommon):
    """The claim pages of the portal."""


@tagged("post_install", "-at_install")
class TestPortalClaimConversation(PortalClaimCommon):
    """/my/claims/<id>: the photos and the conversation of the claim, and the customer's reply."""

    def _report(self, description):
        response = self.url_open(
            f"/my/warranties/{self.warranty_a.id}/report",
            data={"csrf_token": http.Request.csrf_token(self), "description": description},
            files={"photos": ("unit.png", PNG, "image/png")},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        return self.Claim.search([("partner_id", "=", self.portal_a.partner_id.id)])

    def _fetch_messages(self, claim, **access):
        result = self.make_jsonrpc_request(
            "/mail/chatter_fetch",
            {"thread_model": claim._name, "thread_id": claim.id, "fetch_params": {"limit": 30}, **access},
        )
        return self.env["mail.message"].browse(result["messages"])

    def test_customer_sees_photos_and_conversation_and_replies(self):
        self.authenticate("portal_a", "portal_a")
        claim = self._report("The compressor clicks and stops.")
        self.assertEqual(len(claim), 1)
        photo = self.env["ir.attachment"].search([("res_model", "=", claim._name), ("res_id", "=", claim.id)])
        self.assertEqual(photo.name, "unit.png")

        page = self.url_open(f"/my/claims/{claim.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("The conversation is empty", page.text)
        # The photo, as a thumbnail served to the claim's customer.
        src = re.search(
            r'<img[^>]*class="img-thumbnail o_aftersales_claim_photo"[^>]*src="([^"]+)"', page.text
        )
        self.assertTrue(src, "the photo is shown")
        photo_url = src.group(1).replace("&amp;", "&")
        self.assertTrue(photo_url.startswith(f"/my/claims/{claim.id}/photo/{photo.id}"), photo_url)
        image = self.url_open(photo_url)
        self.assertEqual(image.status_code, 200)
        self.assertEqual(image.headers["Content-Type"], "image/png")
        self.assertTrue(image.content.startswith(b"\x89PNG"))
        # The portal chatter, with what the customer needs to read and to post.
        chatter = re.search(r'<div id="discussion"[^>]*>', page.text).group(0)
        self.assertIn(f'data-res_model="{claim._name}"', chatter)
        self.assertIn(f'data-token="{claim.access_token}"', chatter)
        self.assertIn(f'data-pid="{self.portal_a.partner_id.id}"', chatter)
        self.assertIn(f'data-hash="{claim._sign_token(self.portal_a.partner_id.id)}"', chatter)
        self.assertIn('data-allow_composer="1"', chatter)

        # The conversation: the customer's report with its photo, and our acknowledgment (sent by
        # the acknowledgment cron, which the claim's creation triggered).
        self.env["aftersales.claim"]._cron_send_claim_acknowledgments()
        messages = self._fetch_messages(claim, token=claim.access_token)
        report = messages.filtered(lambda m: "The compressor clicks and stops." in m.body)
        self.assertEqual(len(report), 1)
        self.assertEqual(report.author_id, self.portal_a.partner_id)
        self.assertEqual(report.attachment_ids, photo)
        acknowledgment = messages.filtered(lambda m: "we received your claim" in (m.subject or ""))
        self.assertEqual(len(acknowledgment), 1, "the acknowledgment shows on the portal")
        self.assertIn(claim.name, acknowledgment.body)
        self.assertNotEqual(acknowledgment.author_id, self.portal_a.partner_id)
        self.assertTrue(all(not m.is_internal and not m.subtype_id.internal for m in messages))

        # The customer replies from the page's chatter.
        result = self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": claim._name,
                "thread_id": claim.id,
                # As the portal chatter's composer posts.
                "post_data": {
                    "body": "It also leaks water.",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
                "token": claim.access_token,
                "pid": self.portal_a.partner_id.id,
                "hash": claim._sign_token(self.portal_a.partner_id.id),
            },
        )
        reply = self.env["mail.message"].browse(result["message_id"])
        self.assertEqual(reply.model, claim._name)
        self.assertEqual(reply.res_id, claim.id)
        self.assertEqual(reply.author_id, self.portal_a.partner_id)
        self.assertIn("It also leaks water.", reply.body)
        self.assertFalse(reply.is_internal)
        self.assertIn(reply, self._fetch_messages(claim, token=claim.access_token))

    def test_other_customer_gets_nothing_of_the_claim(self):
        self.authenticate("portal_a", "portal_a")
        claim = self._report("Noisy fan.")
        photo = self.env["ir.attachment"].search([("res_model", "=", claim._name), ("res_id", "=", claim.id)])
        # An internal note with an image: not a photo the customer is shown.
        note_image = self.env["ir.attachment"].create(
            {
                "name": "internal.png",
                "datas": base64.b64encode(PNG),
                "res_model": claim._name,
                "res_id": claim.id,
            }
        )
        claim.message_post(
            body="Looks like misuse.", attachment_ids=note_image.ids, subtype_xmlid="mail.mt_note"
        )
        page = self.url_open(f"/my/claims/{claim.id}")
        self.assertIn(f"/photo/{photo.id}", page.text)
        self.assertNotIn(f"/photo/{note_image.id}", page.text)
        self.assertEqual(self.url_open(f"/my/claims/{claim.id}/photo/{note_image.id}").status_code, 404)

        self.authenticate("portal_b", "portal_b")
        page = self.url_open(f"/my/claims/{claim.id}")
        self.assertEqual(page.status_code, 404)
        self.assertNotIn("Noisy fan.", page.text)
        for url in (
            f"/my/claims/{claim.id}/photo/{photo.id}",
            f"/my/claims/{claim.id}/photo/{photo.id}?size=thumbnail",
            f"/web/image/{photo.id}",
            f"/web/content/{photo.id}",
        ):
            response = self.url_open(url)
            if url.startswith("/web/image"):
                # Odoo's image route answers a placeholder image to whoever may not see one.
                self.assertNotEqual(response.content, PNG, url)
            else:
                self.assertIn(response.status_code, (403, 404), url)
                self.assertFalse(response.content.startswith(b"\x89PNG"), url)
        self.assertFalse(self._fetch_messages(claim), "no message without access")
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": claim._name,
                    "thread_id": claim.id,
                    "post_data": {"body": "Intruder", "message_type": "comment"},
                },
            )
        self.assertFalse(claim.message_ids.filtered(lambda m: "Intruder" in (m.body or "")))


@tagged("post_install", "-at_install")
class TestPortalClaimQuotation(PortalClaimCommon):
    """The customer approves or declines the repair quotation of their claim from the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A unit bought long ago: its warranty is over, so its repair is paid and waits for approval.
        cls.old_lot = cls._add_stock(cls.product_serial, lot_names=["PA-OLD"])
        with freeze_time("2024-01-10 09:00:00"):
            cls._deliver(cls._sell([(cls.product_serial, 1)], partner=cls.portal_a.partner_id))

    def setUp(self):
        super().setUp()
        self.labour = self.env["product.product"].create(
            {"name": "Repair labour", "type": "service", "list_price": 120.0}
        )
        self.claim = self.Claim.create(
            {
                "lot_id": self.old_lot.id,
                "partner_id": self.portal_a.partner_id.id,
                "channel": "phone",
            }
        )
        self.assertFalse(self.claim.under_warranty)
        self.claim.action_start_diagnosis()
        self.claim.action_request_approval()
        self.repair = self.claim.repair_order_ids
        self.assertEqual(self.repair.state, "draft")
        self.repair.action_create_sale_order()
        self.quotation = self.repair.sale_order_id
        self.quotation.order_line = [Command.create({"product_id": self.labour.id, "product_uom_qty": 1.0})]

    def _decide(self, decision, claim=None):
        return self._post(f"/my/claims/{(claim or self.claim).id}/{decision}")

    def test_page_shows_the_quotation_and_the_buttons(self):
        self.authenticate("portal_a", "portal_a")
        page = self.url_open(f"/my/claims/{self.claim.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("repair_quotation", page.text)
        amount = format_amount(self.env, self.quotation.amount_total, self.quotation.currency_id)
        amounts = re.search(r'id="repair_quotation_amounts".*?</table>', page.text, re.S).group(0)
        self.assertIn(self.quotation.name, amounts)
        text = re.sub(r"<[^>]+>", "", amounts).replace("\xa0", " ").replace("&nbsp;", " ")
        self.assertIn(amount.replace("\xa0", " "), text)
        self.assertIn(f'action="/my/claims/{self.claim.id}/approve"', page.text)
        self.assertIn(f'action="/my/claims/{self.claim.id}/decline"', page.text)

    def test_customer_approves(self):
        self.authenticate("portal_a", "portal_a")
        response = self._decide("approve")
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/claims/{self.claim.id}?decision=approved", response.headers["Location"])
        self.assertEqual(self.claim.state, "in_progress")
        self.assertEqual(self.repair.state, "confirmed")
        page = self.url_open(response.headers["Location"])
        self.assertIn("you approved the repair", page.text)
        self.assertNotIn('id="repair_quotation"', page.text)

    def test_no_approval_before_a_price(self):
        self.quotation.order_line.unlink()  # the workshop has not priced the repair yet
        self.authenticate("portal_a", "portal_a")
        page = self.url_open(f"/my/claims/{self.claim.id}")
        self.assertIn('id="repair_quotation"', page.text)
        self.assertNotIn("o_aftersales_approve_form", page.text)
        self.assertIn("o_aftersales_decline_form", page.text)
        response = self._decide("approve")
        self.assertEqual(response.status_code, 400)
        self.assertIn("has no price yet", response.text)
        self.assertEqual((self.claim.state, self.repair.state), ("awaiting_approval", "draft"))

    def test_customer_declines(self):
        self.authenticate("portal_a", "portal_a")
        response = self._decide("decline")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.claim.state, "diagnosis")
        self.assertEqual(self.repair.state, "cancel")
        page = self.url_open(response.headers["Location"])
        self.assertIn("You declined the repair quotation", page.text)

    def test_nobody_else_decides(self):
        staff = new_test_user(
            self.env,
            login="as_portal_staff",
            groups="aftersales_warranty.group_aftersales_user,sales_team.group_sale_salesman",
            name="Staff",
        )
        self.claim._portal_ensure_token()
        for login in ("portal_b", staff.login, "admin"):
            self.authenticate(login, login)
            for decision in ("approve", "decline"):
                response = self._post(
                    f"/my/claims/{self.claim.id}/{decision}", access_token=self.claim.access_token
                )
                self.assertEqual(response.status_code, 404, (login, decision))
        self.assertEqual(self.claim.state, "awaiting_approval")
        self.assertEqual(self.repair.state, "draft")
        # Staff and token holders see the quotation, without the customer's buttons.
        page = self.url_open(f"/my/claims/{self.claim.id}")
        self.assertIn('id="repair_quotation"', page.text)
        self.assertNotIn("o_aftersales_approve_form", page.text)

    def test_claim_not_awaiting_approval(self):
        self.claim.action_approve()  # a manager approved it meanwhile
        self.assertEqual(self.claim.state, "in_progress")
        self.authenticate("portal_a", "portal_a")
        for decision in ("approve", "decline"):
            response = self._decide(decision)
            self.assertEqual(response.status_code, 400, decision)
            self.assertIn(self.claim.name, response.text)
            self.assertIn("alert-danger", response.text)
            self.assertRegex(response.text, r"Claim [^<]* is In Progress: it cannot be")
        self.assertEqual(self.claim.state, "in_progress")
        self.assertEqual(self.repair.state, "confirmed")
