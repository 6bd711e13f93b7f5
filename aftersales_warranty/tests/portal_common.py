import base64

from freezegun import freeze_time

from odoo import http
from odoo.tests import HttpCase, new_test_user

from .common import AftersalesWarrantyCommon

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class AftersalesPortalCommon(AftersalesWarrantyCommon, HttpCase):
    """Two portal customers, A and B, each with an air conditioner delivered on 2026-03-01, and
    helpers to post the portal's forms as the logged-in customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_a = new_test_user(
            cls.env,
            login="portal_a",
            groups="base.group_portal",
            name="Portal A",
            email="portal.a@example.com",
        )
        cls.portal_b = new_test_user(
            cls.env,
            login="portal_b",
            groups="base.group_portal",
            name="Portal B",
            email="portal.b@example.com",
        )
        cls.company.email = "service@example.com"  # the acknowledgment comes from the company
        cls._add_stock(cls.product_serial, lot_names=["PA-1", "PB-1"])
        with freeze_time("2026-03-01 09:00:00"):
            order_a = cls._sell([(cls.product_serial, 1)], partner=cls.portal_a.partner_id)
            cls._deliver(order_a)
            order_b = cls._sell([(cls.product_serial, 1)], partner=cls.portal_b.partner_id)
            cls._deliver(order_b)
        cls.warranty_a = order_a.warranty_ids
        cls.warranty_b = order_b.warranty_ids
        cls.Claim = cls.env["aftersales.claim"]

    def _post(self, url, **data):
        return self.url_open(
            url, data={"csrf_token": http.Request.csrf_token(self), **data}, allow_redirects=False
        )

    def _post_report(self, warranty, description, files=None, phone=""):
        """'Report a problem' on ``warranty``, as the logged-in user."""
        return self.url_open(
            f"/my/warranties/{warranty.id}/report",
            data={"csrf_token": http.Request.csrf_token(self), "description": description, "phone": phone},
            files=files,
            allow_redirects=False,
        )
