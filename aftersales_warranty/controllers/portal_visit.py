from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from .portal import AftersalesPortal

MAX_NOTE_LENGTH = 1000


class AftersalesVisitPortal(AftersalesPortal):
    """/my/visits: the customer sees its planned visits, confirms the time or asks for another one.

    Read access goes through the portal group's record rule; what changes a visit in the
    customer's name is reserved to the customer itself (not a share-token holder, not staff).
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_visit_count" in counters:
            Visit = request.env["aftersales.visit"]
            values["aftersales_visit_count"] = (
                Visit.search_count([("state", "!=", "draft")]) if Visit.has_access("read") else 0
            )
        return values

    def _visit_for_customer(self, visit_id):
        """The visit (sudo) when the logged-in user is its customer, else 404."""
        try:
            visit_sudo = self._document_check_access("aftersales.visit", visit_id)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        user = request.env.user
        if (
            user._is_public()
            or visit_sudo.state == "draft"
            or user.partner_id.commercial_partner_id != visit_sudo.commercial_partner_id
        ):
            raise NotFound()
        return visit_sudo

    @http.route(["/my/visits", "/my/visits/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_visits(self, page=1, **kw):
        return self._aftersales_list(
            "aftersales.visit",
            [("state", "!=", "draft")],
            page,
            "/my/visits",
            "aftersales_warranty.portal_my_visits",
            "visits",
            "date_start desc, id desc",
        )

    @http.route(["/my/visits/<int:visit_id>"], type="http", auth="user", website=True)
    def portal_my_visit(self, visit_id, done=None, **kw):
        visit_sudo = self._visit_for_customer(visit_id)
        return self._render_visit_page(visit_sudo, done=done if done in ("confirmed", "moved") else False)

    def _render_visit_page(self, visit_sudo, status=200, **extra):
        values = self._get_page_view_values(
            visit_sudo,
            None,
            {"visit": visit_sudo, "page_name": "visit", "error": False, "done": False, "note": ""},
            "my_visits_history",
            False,
        )
        values.update(extra)
        return request.render("aftersales_warranty.portal_my_visit", values, status=status)

    @http.route(
        ["/my/visits/<int:visit_id>/confirm"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_visit_confirm(self, visit_id, **post):
        """The customer confirms the planned day and time."""
        visit_sudo = self._visit_for_customer(visit_id)
        try:
            with request.env.cr.savepoint():
                visit_sudo._portal_confirm()
        except UserError as exc:
            request.env.invalidate_all()
            return self._render_visit_page(visit_sudo, status=400, error=exc.args[0])
        return request.redirect(f"/my/visits/{visit_sudo.id}?done=confirmed")

    @http.route(
        ["/my/visits/<int:visit_id>/reschedule"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_visit_reschedule(self, visit_id, **post):
        """The customer asks for another time, saying which suits them."""
        visit_sudo = self._visit_for_customer(visit_id)
        note = (post.get("note") or "").strip()
        if not note:
            return self._render_visit_page(
                visit_sudo, status=400, error=request.env._("Tell us which days and times suit you.")
            )
        if len(note) > MAX_NOTE_LENGTH:
            return self._render_visit_page(
                visit_sudo,
                status=400,
                note=note[:MAX_NOTE_LENGTH],
                error=request.env._("Write at most %(count)s characters.", count=MAX_NOTE_LENGTH),
            )
        try:
            with request.env.cr.savepoint():
                visit_sudo._portal_request_reschedule(note)
        except UserError as exc:
            request.env.invalidate_all()
            return self._render_visit_page(visit_sudo, status=400, error=exc.args[0], note=note)
        return request.redirect(f"/my/visits/{visit_sudo.id}?done=moved")
