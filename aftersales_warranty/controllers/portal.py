import base64
from urllib.parse import quote

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

MAX_PHOTOS = 5
MAX_PHOTO_SIZE = 10 * 1024 * 1024


class AftersalesPortal(CustomerPortal):
    """/my/warranties and /my/claims: a customer sees its commercial entity's records only.

    Access goes through the record rules of the portal group and `_document_check_access`;
    records are rendered with sudo only after that check.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_warranty_count" in counters:
            Warranty = request.env["aftersales.warranty"]
            values["aftersales_warranty_count"] = (
                Warranty.search_count([("state", "in", ("active", "expired"))])
                if Warranty.has_access("read")
                else 0
            )
        if "aftersales_claim_count" in counters:
            Claim = request.env["aftersales.claim"]
            values["aftersales_claim_count"] = Claim.search_count([]) if Claim.has_access("read") else 0
        return values

    def _aftersales_list(self, model, domain, page, url, template, key, order):
        Model = request.env[model]
        values = self._prepare_portal_layout_values()
        total = Model.search_count(domain)
        pager = portal_pager(url=url, total=total, page=page, step=self._items_per_page)
        records = Model.search(domain, order=order, limit=self._items_per_page, offset=pager["offset"])
        values.update({key: records.sudo(), "pager": pager, "page_name": key, "default_url": url})
        return request.render(template, values)

    @http.route(["/my/warranties", "/my/warranties/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_warranties(self, page=1, **kw):
        return self._aftersales_list(
            "aftersales.warranty",
            [("state", "in", ("active", "expired"))],
            page,
            "/my/warranties",
            "aftersales_warranty.portal_my_warranties",
            "warranties",
            "date_end desc, id desc",
        )

    @http.route(["/my/warranties/<int:warranty_id>"], type="http", auth="public", website=True)
    def portal_my_warranty(self, warranty_id, access_token=None, report_type=None, download=False, **kw):
        try:
            warranty_sudo = self._document_check_access("aftersales.warranty", warranty_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        if warranty_sudo.state not in ("active", "expired"):
            raise NotFound()
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=warranty_sudo,
                report_type=report_type,
                report_ref="aftersales_warranty.action_report_warranty_certificate",
                download=download,
            )
        values = self._get_page_view_values(
            warranty_sudo,
            access_token,
            {"warranty": warranty_sudo, "page_name": "warranty"},
            "my_warranties_history",
            False,
        )
        values["error"] = kw.get("error")
        return request.render("aftersales_warranty.portal_my_warranty", values)

    @http.route(
        ["/my/warranties/<int:warranty_id>/report"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_report_problem(self, warranty_id, access_token=None, **post):
        """'Report a problem' on a warranty: a claim with channel portal, photos attached.

        Only the warranty's customer files claims on it: a share token shows the warranty to whoever
        holds the link, it does not let them claim in the customer's name, so ``access_token`` is
        ignored here. A warranty the portal does not show (pending, void) takes no claim either.
        """
        try:
            warranty_sudo = self._document_check_access("aftersales.warranty", warranty_id)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        if warranty_sudo.state not in ("active", "expired"):
            raise NotFound()
        description = (post.get("description") or "").strip()
        photos = [f for f in request.httprequest.files.getlist("photos") if f and f.filename]
        error = None
        if not description:
            error = request.env._("Describe the problem so that we can help.")
        elif len(photos) > MAX_PHOTOS:
            error = request.env._("Attach at most %(count)s photos.", count=MAX_PHOTOS)
        if error:
            return self._report_error(warranty_sudo, error)
        contents = []
        for photo in photos:
            data = photo.read()
            if len(data) > MAX_PHOTO_SIZE or not (photo.mimetype or "").startswith("image/"):
                return self._report_error(
                    warranty_sudo, request.env._("%(name)s is not an image under 10 MB.", name=photo.filename)
                )
            contents.append((photo.filename, data))
        partner = request.env.user.partner_id
        try:
            # The customer may not create claims directly: the controller checked its access to
            # the warranty above, and only writes the customer's own values.
            with request.env.cr.savepoint():
                claim = (
                    request.env["aftersales.claim"]
                    .sudo()
                    .create(
                        {
                            "partner_id": partner.id,
                            "channel": "portal",
                            "warranty_id": warranty_sudo.id,
                            "lot_id": warranty_sudo.lot_id.id,
                            "product_id": warranty_sudo.product_id.id,
                            "sale_order_id": warranty_sudo.sale_order_id.id,
                            "company_id": warranty_sudo.company_id.id,
                            "phone": (post.get("phone") or "").strip() or partner.phone,
                            "email": partner.email,
                            "description": description,
                        }
                    )
                )
                if contents:
                    request.env["ir.attachment"].sudo().create(
                        [
                            {
                                "name": name,
                                "datas": base64.b64encode(data),
                                "res_model": "aftersales.claim",
                                "res_id": claim.id,
                            }
                            for name, data in contents
                        ]
                    )
                claim.message_subscribe(partner_ids=partner.ids)
        except (UserError, ValidationError) as exc:
            return self._report_error(warranty_sudo, exc.args[0])
        return request.redirect(f"/my/claims/{claim.id}?created=1")

    def _report_error(self, warranty_sudo, error):
        return request.redirect(f"/my/warranties/{warranty_sudo.id}?error={quote(error)}#report")

    @http.route(["/my/claims", "/my/claims/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_claims(self, page=1, **kw):
        return self._aftersales_list(
            "aftersales.claim",
            [],
            page,
            "/my/claims",
            "aftersales_warranty.portal_my_claims",
            "claims",
            "date_reported desc, id desc",
        )

    @http.route(["/my/claims/<int:claim_id>"], type="http", auth="public", website=True)
    def portal_my_claim(self, claim_id, access_token=None, **kw):
        try:
            claim_sudo = self._document_check_access("aftersales.claim", claim_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        values = self._get_page_view_values(
            claim_sudo, access_token, {"claim": claim_sudo, "page_name": "claim"}, "my_claims_history", False
        )
        values["created"] = kw.get("created")
        return request.render("aftersales_warranty.portal_my_claim", values)
