import base64

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import consteq, plaintext2html
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.aftersales_claim import OPEN_STATES

MAX_PHOTOS = 5
MAX_PHOTO_SIZE = 10 * 1024 * 1024
PHOTO_THUMBNAIL_SIZE = 256


class AftersalesPortal(CustomerPortal):
    """/my/warranties and /my/claims: a customer sees its commercial entity's records only.

    Access goes through the record rules of the portal group and `_document_check_access`;
    records are rendered with sudo only after that check. What changes a record in the customer's
    name (report a problem, approve or decline a repair) is reserved to the customer itself: a
    share token shows a record to whoever holds the link, staff read every record, neither acts as
    the customer.
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

    @staticmethod
    def _aftersales_is_customer(record_sudo):
        """Whether the logged-in user is the customer of ``record_sudo`` (same commercial entity)."""
        user = request.env.user
        return bool(
            not user._is_public()
            and record_sudo.commercial_partner_id
            and user.partner_id.commercial_partner_id == record_sudo.commercial_partner_id
        )

    def _aftersales_customer_record(self, model, record_id):
        """``model``'s record ``record_id`` (sudo) when the current user is its customer, else 404.

        Record rules still apply (the portal shows a claim from an email only once an agent has
        confirmed its customer): the customer must be able to read the record, and be its customer.
        """
        try:
            record_sudo = self._document_check_access(model, record_id)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        if not self._aftersales_is_customer(record_sudo):
            raise NotFound()
        return record_sudo

    # ------------------------------------------------------------------
    # Warranties
    # ------------------------------------------------------------------

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
        # ``kw`` is not passed on: messages on the page come from the server, never from the URL.
        try:
            warranty_sudo = self._document_check_access("aftersales.warranty", warranty_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        if warranty_sudo.state not in ("active", "expired"):
            raise NotFound()
        if report_type in ("html", "pdf", "text"):
            # Printed from the portal, the certificate speaks the language the customer chose there.
            request.update_context(aftersales_reader_lang=request.lang.code)
            return self._show_report(
                model=warranty_sudo,
                report_type=report_type,
                report_ref="aftersales_warranty.action_report_warranty_certificate",
                download=download,
            )
        return self._render_warranty_page(warranty_sudo, access_token)

    def _render_warranty_page(self, warranty_sudo, access_token=None, status=200, **form_values):
        """The warranty's page; ``form_values`` (error, description, phone, photos_lost) refill a
        refused form."""
        values = self._get_page_view_values(
            warranty_sudo,
            access_token,
            {
                "warranty": warranty_sudo,
                "page_name": "warranty",
                "can_report": self._aftersales_is_customer(warranty_sudo),
                "error": False,
                "description": "",
                "phone": request.env.user.partner_id.phone or "",
                "photos_lost": False,
                "open_claim": self._aftersales_open_claim(warranty_sudo),
                "kept_photos": "",
                "kept_photo_names": "",
            },
            "my_warranties_history",
            False,
        )
        values.update(form_values)
        return request.render("aftersales_warranty.portal_my_warranty", values, status=status)

    def _aftersales_open_claim(self, warranty_sudo):
        """The customer's open claim on this unit: a new report goes to its conversation (one open
        claim per unit), not into a form the model would refuse."""
        if not self._aftersales_is_customer(warranty_sudo):
            return request.env["aftersales.claim"]
        unit = (
            [("lot_id", "=", warranty_sudo.lot_id.id)]
            if warranty_sudo.lot_id
            else [("warranty_id", "=", warranty_sudo.id)]
        )
        return (
            request.env["aftersales.claim"]
            .sudo()
            .search(
                [
                    *unit,
                    ("state", "in", OPEN_STATES),
                    ("partner_id", "child_of", request.env.user.partner_id.commercial_partner_id.id),
                ],
                order="id desc",
                limit=1,
            )
        )

    @http.route(
        ["/my/warranties/<int:warranty_id>/report"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_report_problem(self, warranty_id, **post):
        """'Report a problem' on a warranty: a claim with channel portal, photos attached.

        Only the warranty's customer files claims on it (see ``_aftersales_customer_record``); a
        warranty the portal does not show (pending, void) takes no claim either. A refused form
        comes back with its message and what the customer typed.
        """
        warranty_sudo = self._aftersales_customer_record("aftersales.warranty", warranty_id)
        if warranty_sudo.state not in ("active", "expired"):
            raise NotFound()
        description = (post.get("description") or "").strip()
        phone = (post.get("phone") or "").strip()
        photos = [f for f in request.httprequest.files.getlist("photos") if f and f.filename]
        kept = self._aftersales_kept_photos(post.get("kept_photos"))

        def refuse(error, pending=None):
            # Browsers do not refill file fields: photos already checked are kept on the server
            # (pending attachments the next try names); others must be chosen again.
            keep = kept | (pending or kept.browse())
            return self._render_warranty_page(
                warranty_sudo,
                status=400,
                error=error,
                description=description,
                phone=phone,
                photos_lost=bool(photos) and pending is None,
                kept_photos=",".join(f"{a.id}-{a.access_token}" for a in keep),
                kept_photo_names=", ".join(keep.mapped("name")),
            )

        if len(photos) + len(kept) > MAX_PHOTOS:
            return refuse(request.env._("Attach at most %(count)s photos.", count=MAX_PHOTOS))
        contents = []
        for photo in photos:
            # One byte past the limit is enough to refuse: an oversized file is not read whole.
            data = photo.read(MAX_PHOTO_SIZE + 1)
            # What the file holds decides, not the type the browser declares.
            if len(data) > MAX_PHOTO_SIZE or not guess_mimetype(data, default="").startswith("image/"):
                return refuse(request.env._("%(name)s is not an image under 10 MB.", name=photo.filename))
            contents.append((photo.filename, data))
        pending = self._aftersales_pending_attachments(contents)
        pending.generate_access_token()
        if not description:
            return refuse(request.env._("Describe the problem so that we can help."), pending)
        attachments = kept | pending
        partner = request.env.user.partner_id
        open_claim = self._aftersales_open_claim(warranty_sudo)
        if open_claim:
            # The unit's claim is open: the report and its photos go to that claim's conversation.
            open_claim.message_post(
                body=plaintext2html(description),
                author_id=partner.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=attachments.ids,
            )
            return request.redirect(f"/my/claims/{open_claim.id}?added=1")
        try:
            # The customer may not create claims directly: the controller checked above that the
            # warranty is theirs, and only writes the customer's own values.
            with request.env.cr.savepoint():
                claim_sudo = (
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
                            "phone": phone or partner.phone,
                            "email": partner.email,
                            "description": plaintext2html(description),
                        }
                    )
                )
                claim_sudo.message_subscribe(partner_ids=partner.ids)
                # The customer's report opens the conversation they follow on the portal: the
                # problem in their words, with the photos.
                claim_sudo.message_post(
                    body=plaintext2html(description),
                    author_id=partner.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    attachment_ids=attachments.ids,
                )
        except UserError as exc:  # ValidationError included: the model's sentence, e.g. a bad phone
            request.env.invalidate_all()
            return refuse(exc.args[0], pending)
        return request.redirect(f"/my/claims/{claim_sudo.id}?created=1")

    def _aftersales_kept_photos(self, value):
        """The photos a refused form kept (``value``: "id-token,id-token"), as pending attachments
        that this user uploaded here and nobody has used since; anything else is ignored."""
        pairs = {}
        for item in (value or "").split(",")[:MAX_PHOTOS]:
            attachment_id, __, token = item.strip().partition("-")
            if attachment_id.isdigit() and token:
                pairs[int(attachment_id)] = token
        attachments = request.env["ir.attachment"].sudo().browse(list(pairs)).exists()
        return attachments.filtered(
            lambda a: (
                a.res_model == "mail.compose.message"
                and not a.res_id
                and a.create_uid == request.env.user
                and a.access_token
                and consteq(a.access_token, pairs[a.id])
            )
        )

    def _aftersales_pending_attachments(self, contents):
        """Pending attachments of the customer's photos (``contents``: (name, bytes) pairs), as the
        portal chatter uploads them: message_post links them to the claim."""
        return (
            request.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "datas": base64.b64encode(data),
                        "res_model": "mail.compose.message",
                        "res_id": 0,
                    }
                    for name, data in contents
                ]
            )
        )

    # ------------------------------------------------------------------
    # Claims
    # ------------------------------------------------------------------

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
    def portal_my_claim(
        self, claim_id, access_token=None, created=None, decision=None, pid=None, hash=None, added=None, **kw
    ):
        try:
            claim_sudo = self._document_check_access("aftersales.claim", claim_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        return self._render_claim_page(
            claim_sudo,
            access_token,
            pid=pid,
            hash=hash,
            created=bool(created),
            added=bool(added),
            decision=decision if decision in ("approved", "declined") else False,
        )

    def _render_claim_page(self, claim_sudo, access_token=None, pid=None, hash=None, status=200, **extra):
        """The claim's page: its details, photos, the repair quotation to decide on, and the
        conversation (portal chatter) in which the customer can reply."""
        is_customer = self._aftersales_is_customer(claim_sudo)
        values = self._get_page_view_values(
            claim_sudo,
            access_token,
            {
                "claim": claim_sudo,
                "page_name": "claim",
                "is_customer": is_customer,
                "photos": self._claim_photos(claim_sudo),
                "photo_token": access_token or "",
                "quotation_repairs": claim_sudo.repair_order_ids.filtered(lambda r: r.state == "draft")
                if claim_sudo.state == "awaiting_approval"
                else claim_sudo.repair_order_ids.browse(),
                "error": False,
                "created": False,
                "added": False,
                "decision": False,
            },
            "my_claims_history",
            False,
            pid=pid,
            hash=hash,
        )
        # The portal chatter posts with the claim's token (portal customers cannot write claims);
        # the customer's own pid and hash sign their replies.
        values["token"] = claim_sudo._portal_ensure_token()
        if is_customer and not values.get("pid"):
            partner = request.env.user.partner_id
            values.update(pid=partner.id, hash=claim_sudo._sign_token(partner.id))
        values.update(extra)
        return request.render("aftersales_warranty.portal_my_claim", values, status=status)

    @staticmethod
    def _claim_photos(claim_sudo):
        """Images the customer sees on the claim: those of the conversation's public messages, and
        those a customer attached to the claim. Attachments of internal notes are not among them."""
        attachments = (
            request.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", claim_sudo._name),
                    ("res_id", "=", claim_sudo.id),
                    ("mimetype", "=like", "image/%"),
                ],
                order="id",
            )
        )
        if not attachments:
            return attachments
        Message = request.env["mail.message"].sudo()
        messages = Message.search(
            [
                ("model", "=", claim_sudo._name),
                ("res_id", "=", claim_sudo.id),
                ("attachment_ids", "in", attachments.ids),
            ]
        )
        public = messages.filtered_domain(Message._get_search_domain_share())
        return attachments.filtered(
            lambda a: a in public.attachment_ids or (a not in messages.attachment_ids and a.create_uid.share)
        )

    @http.route(
        ["/my/claims/<int:claim_id>/photo/<int:attachment_id>"], type="http", auth="public", website=True
    )
    def portal_claim_photo(self, claim_id, attachment_id, access_token=None, size=None, **kw):
        """A photo of the claim, to whoever may see the claim (its customer, staff, the claim's
        share token), full size or as a square thumbnail."""
        try:
            claim_sudo = self._document_check_access("aftersales.claim", claim_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        photo = self._claim_photos(claim_sudo).filtered(lambda a: a.id == attachment_id)
        if not photo:
            raise NotFound()
        side = PHOTO_THUMBNAIL_SIZE if size == "thumbnail" else 0
        stream = request.env["ir.binary"]._get_image_stream_from(photo, "raw", width=side, height=side)
        return stream.get_response()

    @http.route(
        ["/my/claims/<int:claim_id>/approve"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_claim_approve(self, claim_id, **post):
        """The customer approves the repair quotation of their claim."""
        return self._claim_decide(claim_id, "approved")

    @http.route(
        ["/my/claims/<int:claim_id>/decline"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_claim_decline(self, claim_id, **post):
        """The customer declines the repair quotation of their claim."""
        return self._claim_decide(claim_id, "declined")

    def _claim_decide(self, claim_id, decision):
        claim_sudo = self._aftersales_customer_record("aftersales.claim", claim_id)
        try:
            with request.env.cr.savepoint():
                if decision == "approved":
                    claim_sudo._check_priced_quotation()  # no approval before there is a price
                    claim_sudo._portal_approve_quotation()
                else:
                    claim_sudo._portal_decline_quotation()
        except UserError as exc:
            request.env.invalidate_all()
            return self._render_claim_page(claim_sudo, status=400, error=exc.args[0])
        return request.redirect(f"/my/claims/{claim_sudo.id}?decision={decision}")
