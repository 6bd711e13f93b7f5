"""Bad input, generated: claim intake (RPC and portal form), policy values, phone numbers, feedback
scores and survey tokens. Whatever comes in, the user gets a clear message, never a server error,
and nothing is half written.

Hypothesis runs derandomized (the same examples on every run) so that the suite stays repeatable.
"""

import base64
import re
from datetime import date
from urllib.parse import parse_qs, quote, urlsplit

import phonenumbers
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from odoo import http
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AftersalesFeedbackCommon


def fuzz_settings(max_examples=40):
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
E164 = re.compile(r"\+[1-9]\d{6,14}")
# Any text a browser or a script may send: every Unicode character but lone surrogates.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
phone_like = st.text(st.sampled_from("0123456789 +-().x#*/"), max_size=25)
huge_ints = st.sampled_from([0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**30])
# What a script may send where an id belongs: a float, a word, a boolean, a list.
not_an_id = st.sampled_from([1.5, "abc", "1", True, [], {}])
# Dates and what is sent instead of them.
any_datetime = st.one_of(
    st.datetimes().map(
        lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S") if moment.year >= 1000 else "0999-01-01"
    ),
    st.sampled_from(
        ["9999-12-31 23:59:59", "0001-01-01 00:00:00", "yesterday", "2026-02-30 10:00:00", 12, True]
    ),
)
# Any value of any type, for any field.
any_value = st.one_of(
    any_text,
    st.sampled_from(["\x00", "a\x00b", True, False, 0, -1, 1.5, 2**31, 10**30, "9999-12-31", [], {}]),
    not_an_id,
    huge_ints,
)
REGIONS = ["BE", "FR", "DE", "US", "GB", "IR", "IN", "BR", "JP", "NL", "ES", "IT", "CA", "AU", "ZA"]
# Names of the errors that tell the user what is wrong; anything else is a bug.
USER_ERRORS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.MissingError",
}


# Valid numbers of several countries, mobile and fixed line.
EXAMPLE_NUMBERS = [
    (region, number)
    for region in REGIONS
    for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    if (number := phonenumbers.example_number_for_type(region, kind)) is not None
]


@st.composite
def valid_phones(draw):
    """A valid number of some country, written the way people write it; and its E.164 form."""
    region, number = draw(st.sampled_from(EXAMPLE_NUMBERS))
    # National notation only means something in the customer's country (Belgium).
    formats = [phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164]
    if region == "BE":
        formats.append(phonenumbers.PhoneNumberFormat.NATIONAL)
    text = phonenumbers.format_number(number, draw(st.sampled_from(formats)))
    text = text.replace(" ", draw(st.sampled_from([" ", "", "-", ".", "  "])))
    if draw(st.booleans()) and text.startswith("+"):
        text = "00" + text[1:]
    padding = draw(st.sampled_from(["", " ", "\t"]))
    return padding + text + padding, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@tagged("post_install", "-at_install")
class TestFuzzRecords(AftersalesFeedbackCommon):
    """The models themselves, as the ORM (and so every form and RPC call) reaches them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A Belgian customer without email: no acknowledgement to render for each generated claim.
        cls.phone_customer = cls.env["res.partner"].create(
            {"name": "Phone Fuzz", "country_id": cls.env.ref("base.be").id}
        )

    def _claim_vals(self, **vals):
        return {
            "partner_id": self.phone_customer.id,
            "product_id": self.product_plain.id,
            "channel": "phone",
            **vals,
        }

    def _count(self, model):
        return self.env[model].sudo().with_context(active_test=False).search_count([])

    @fuzz_settings(60)
    @given(valid_phones())
    def test_valid_phone_numbers_are_stored_in_e164(self, phone):
        text, expected = phone
        with self.env.cr.savepoint() as savepoint:
            claim = self.Claim.with_user(self.agent).create(self._claim_vals(phone=text))
            self.assertEqual(claim.phone, expected, f"{text!r}")
            savepoint.rollback()

    @fuzz_settings(60)
    @given(st.one_of(phone_like, any_text.map(lambda text: text[:30])))
    @example("12")
    @example("+32 470 12 34 5")
    @example("00000000000000000000000")
    @example("+999 1234 5678")
    def test_any_phone_is_stored_in_e164_or_refused(self, text):
        before = self._count("aftersales.claim")
        with self.env.cr.savepoint() as savepoint:
            try:
                claim = self.Claim.with_user(self.agent).create(self._claim_vals(phone=text))
            except ValidationError as error:
                self.assertIn("is not valid", str(error))
                savepoint.rollback()
                self.assertEqual(self._count("aftersales.claim"), before, "nothing written")
                return
            if claim.phone:
                self.assertRegex(claim.phone, E164)
                self.assertTrue(phonenumbers.is_valid_number(phonenumbers.parse(claim.phone)))
            else:
                self.assertFalse(text.strip(), f"{text!r} was dropped, neither stored nor refused")
            savepoint.rollback()

    @fuzz_settings(60)
    @given(
        duration=st.one_of(st.integers(-50_000, 50_000), huge_ints),
        unit=st.sampled_from(["day", "week", "month", "year"]),
    )
    def test_policy_durations(self, duration, unit):
        Policy = self.env["aftersales.warranty.policy"].with_user(self.manager)
        before = self._count("aftersales.warranty.policy")
        original = (self.policy_12m.duration, self.policy_12m.duration_unit)
        with self.env.cr.savepoint() as savepoint:
            try:
                policy = Policy.create({"name": "Fuzz", "duration": duration, "duration_unit": unit})
            except ValidationError as error:
                self.assertIn("duration", str(error))
                savepoint.rollback()
                self.assertEqual(self._count("aftersales.warranty.policy"), before, "nothing written")
            else:
                self.assertGreater(duration, 0)
                # Whatever was accepted gives a coverage end the calendar can hold, today and later.
                end = policy._get_date_end(date(2026, 6, 1))
                self.assertGreater(end, date(2026, 6, 1))
                self.assertLessEqual(end.year, 2126, "a century at most")
                savepoint.rollback()
        with self.env.cr.savepoint() as savepoint:
            try:
                self.policy_12m.with_user(self.manager).write({"duration": duration, "duration_unit": unit})
                self.env.flush_all()
            except ValidationError:
                savepoint.rollback()
                self.policy_12m.invalidate_recordset()
                self.assertEqual(
                    (self.policy_12m.duration, self.policy_12m.duration_unit), original, "nothing written"
                )
            else:
                self.assertGreater(duration, 0)
                savepoint.rollback()
                self.policy_12m.invalidate_recordset()

    @fuzz_settings(60)
    @given(
        score=st.one_of(st.integers(-20, 20), huge_ints),
        nps=st.one_of(st.none(), st.just(False), st.integers(-20, 30), huge_ints),
    )
    def test_feedback_scores(self, score, nps):
        Feedback = self.Feedback.with_user(self.agent)
        valid = 1 <= score <= 5 and (nps in (None, False) or 0 <= nps <= 10)
        vals = {"partner_id": self.phone_customer.id, "score": score, "source": "call"}
        if nps is not None:
            vals["nps"] = nps
        before = self._count("aftersales.feedback")
        with self.env.cr.savepoint() as savepoint:
            if valid:
                feedback = Feedback.create(vals)
                self.assertEqual(feedback.score, score)
                self.assertEqual(feedback.nps_given, nps not in (None, False))
                savepoint.rollback()
            else:
                with self.assertRaises(ValidationError) as caught:
                    Feedback.create(vals)
                self.assertRegex(str(caught.exception), r"must be between (1 and 5|0 and 10)")
                savepoint.rollback()
                self.assertEqual(self._count("aftersales.feedback"), before, "nothing written")
        existing = self.Feedback.create({"partner_id": self.phone_customer.id, "score": 3, "nps": 7})
        self.env.flush_all()
        with self.env.cr.savepoint() as savepoint:
            try:
                existing.with_user(self.agent).write({k: v for k, v in vals.items() if k in ("score", "nps")})
                self.env.flush_all()
                self.assertTrue(valid)
            except ValidationError:
                self.assertFalse(valid)
                savepoint.rollback()
                existing.invalidate_recordset()
                self.assertEqual((existing.score, existing.nps), (3, 7), "nothing written")
            else:
                savepoint.rollback()
                existing.invalidate_recordset()


@tagged("post_install", "-at_install")
class TestFuzzHttp(AftersalesFeedbackCommon, HttpCase):
    """The HTTP doors: JSON-RPC intake, the portal form, the public survey pages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="fuzz_portal", groups="base.group_portal", name="Fuzz Portal"
        )
        cls.portal_user.partner_id.country_id = cls.env.ref("base.be")
        cls._add_stock(cls.product_serial, lot_names=["FZ-1"])
        order = cls._sell([(cls.product_serial, 1)], partner=cls.portal_user.partner_id)
        cls._deliver(order)
        cls.portal_warranty = order.warranty_ids
        cls.lot_ids = [cls.lot.id, cls.lot_2.id, cls.lot_in_stock.id, cls.portal_warranty.lot_id.id]
        cls.partner_ids = [cls.customer.id, cls.other_customer.id, cls.portal_user.partner_id.id]

    def _count(self, model, domain=()):
        return self.env[model].sudo().with_context(active_test=False).search_count(list(domain))

    def _login_once(self, login):
        """One session for all the examples of a test (hypothesis calls the test many times)."""
        if getattr(self, "_fuzz_login", False) != (login or "public"):
            self.authenticate(login, login)
            self._fuzz_login = login or "public"

    # ------------------------------------------------------------------
    # Claim intake through JSON-RPC, as an agent's script would send it
    # ------------------------------------------------------------------

    @fuzz_settings(40)
    @given(
        description=any_text,
        phone=st.one_of(st.none(), phone_like, any_text.map(lambda text: text[:20])),
        lot_id=st.one_of(st.none(), st.sampled_from(range(4)), st.integers(-5, 10**6), huge_ints, not_an_id),
        partner_id=st.one_of(
            st.none(), st.sampled_from(range(3)), st.integers(-5, 10**6), huge_ints, not_an_id
        ),
        channel=st.sampled_from(["phone", "email", "walk_in", "sms", "chat", "pigeon"]),
        date_reported=st.one_of(st.none(), any_datetime),
    )
    @example(
        description="<script>alert(1)</script>\x00",
        phone="\x00",
        lot_id=0,
        partner_id=0,
        channel="phone",
        date_reported=None,
    )
    @example(description="x", phone=None, lot_id=1.5, partner_id="abc", channel="phone", date_reported=None)
    @example(
        description="x",
        phone=None,
        lot_id=None,
        partner_id=None,
        channel="phone",
        date_reported="9999-12-31 23:59:59",
    )
    def test_rpc_claim_intake(self, description, phone, lot_id, partner_id, channel, date_reported):
        self._login_once("as_agent")
        vals = {"description": description, "channel": channel}
        if date_reported is not None:
            vals["date_reported"] = date_reported
        if phone is not None:
            vals["phone"] = phone
        if lot_id is not None:
            vals["lot_id"] = self.lot_ids[lot_id] if lot_id in range(4) else lot_id
        if partner_id is not None:
            vals["partner_id"] = self.partner_ids[partner_id] if partner_id in range(3) else partner_id
        before = self._count("aftersales.claim")
        try:
            with self.assertNoLogs("odoo", level="ERROR"):
                claim_id = self.make_jsonrpc_request(
                    "/web/dataset/call_kw/aftersales.claim/create",
                    {"model": "aftersales.claim", "method": "create", "args": [vals], "kwargs": {}},
                )
        except JsonRpcException as error:
            event(f"rpc: {error}")
            self.assertIn(str(error), USER_ERRORS, f"{vals!r}")
            self.assertEqual(self._count("aftersales.claim"), before, "nothing written")
            return
        event("rpc: claim created")
        claim = self.env["aftersales.claim"].browse(claim_id)
        self.assertEqual(self._count("aftersales.claim"), before + 1)
        self.assertTrue(claim.exists())
        self.assertNotIn("<script", claim.description or "", "the description is sanitized")
        if claim.phone:
            self.assertRegex(claim.phone, E164)

    # ------------------------------------------------------------------
    # Any value in any field of the records users write, over JSON-RPC
    # ------------------------------------------------------------------

    FIELDS = {
        "aftersales.claim": (
            "lot_id",
            "partner_id",
            "date_reported",
            "description",
            "priority",
            "user_id",
            "phone",
        ),
        "aftersales.warranty": ("name", "date_start", "quantity", "partner_id", "policy_id", "product_id"),
        "aftersales.feedback": ("comment", "score", "nps", "partner_id", "claim_id"),
        "aftersales.followup": ("res_model", "res_id", "note", "date_deadline", "user_id"),
    }

    def _base_vals(self, model):
        return {
            "aftersales.claim": {"partner_id": self.customer.id, "channel": "phone"},
            "aftersales.warranty": {
                "product_id": self.product_plain.id,
                "partner_id": self.customer.id,
                "policy_id": self.policy_12m.id,
            },
            "aftersales.feedback": {"partner_id": self.customer.id, "score": 4, "source": "call"},
        }[model]

    @fuzz_settings(80)
    @given(
        target=st.sampled_from([(model, name) for model, names in FIELDS.items() for name in names]),
        value=any_value,
    )
    @example(target=("aftersales.warranty", "name"), value="WAR\x00")
    @example(target=("aftersales.feedback", "comment"), value="Great\x00")
    @example(target=("aftersales.feedback", "score"), value=True)
    @example(target=("aftersales.followup", "res_model"), value="no.such.model")
    @example(target=("aftersales.claim", "date_reported"), value="9999-12-31 23:59:59")
    def test_rpc_any_value_in_any_field(self, target, value):
        """Created (or, for follow-ups, written) by a manager: stored as sent, or refused with a
        sentence, nothing written, and no ERROR in the log."""
        model, name = target
        self._login_once("as_manager")
        if model == "aftersales.followup":
            rule = self.env["aftersales.followup.rule"].search([], limit=1) or self._rule("promoter")
            record = self.env[model].search([], limit=1) or self.env[model].create(
                {
                    "rule_id": rule.id,
                    "res_model": "sale.order",
                    "res_id": self.order.id,
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                }
            )
            method, args = "write", [record.ids, {name: value}]
            before = record.sudo().read([name])
        else:
            method, args = "create", [{**self._base_vals(model), name: value}]
            before = self._count(model)
        try:
            with self.assertNoLogs("odoo", level="ERROR"):
                self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/{model}/{method}",
                    {"model": model, "method": method, "args": args, "kwargs": {}},
                )
        except JsonRpcException as error:
            event(f"{model}.{name}: {error}")
            self.assertIn(str(error), USER_ERRORS, f"{model}.{name} = {value!r}")
            if method == "write":
                record.invalidate_recordset()
                self.assertEqual(record.sudo().read([name]), before, "nothing written")
            else:
                self.assertEqual(self._count(model), before, "nothing written")
            return
        event(f"{model}.{name}: accepted")

    # ------------------------------------------------------------------
    # The portal form "Report a problem"
    # ------------------------------------------------------------------

    @fuzz_settings(40)
    @given(
        description=st.one_of(any_text, st.just(""), st.just("   "), st.just("It does not cool")),
        # About half the forms are valid, so that both doors (created, refused) are walked.
        phone=st.one_of(
            st.just(""), st.just(""), valid_phones().map(lambda phone: phone[0]), phone_like, any_text
        ),
        photos=st.one_of(
            st.just([]),
            st.lists(
                st.tuples(
                    st.one_of(any_text.map(lambda text: text[:80]), st.just("../../etc/passwd")),
                    st.one_of(st.just(PNG), st.binary(max_size=64)),
                    st.sampled_from(["image/png", "image/png", "image/jpeg", "text/plain"]),
                ),
                max_size=6,
            ),
        ),
    )
    @example(description="<script>alert(1)</script>\x00 broken", phone="", photos=[])
    @example(description="Broken", phone="", photos=[("a\x00.png", PNG, "image/png")])
    @mute_logger("odoo.http")
    def test_portal_report_form(self, description, phone, photos):
        self._login_once("fuzz_portal")
        claims = self._count("aftersales.claim")
        attachments = self._count("ir.attachment", [("res_model", "=", "aftersales.claim")])
        response = self.url_open(
            f"/my/warranties/{self.portal_warranty.id}/report",
            data={"csrf_token": http.Request.csrf_token(self), "description": description, "phone": phone},
            files=[("photos", photo) for photo in photos],
            allow_redirects=False,
        )
        location = response.headers.get("Location", "") if response.status_code == 303 else ""
        if "/my/claims/" in location and "added=1" in location:
            # The unit's claim is open (an earlier example filed it): the report joins its conversation.
            event("portal: added to the open claim")
            self.assertEqual(self._count("aftersales.claim"), claims, "no second claim on one unit")
            self.assertTrue(description.strip())
            claim = self.env["aftersales.claim"].browse(int(location.split("/my/claims/")[1].split("?")[0]))
            self.assertNotIn("<script", claim.message_ids[:1].body or "", "the message is sanitized")
            return
        if "/my/claims/" in location:
            event("portal: claim created")
            self.assertEqual(self._count("aftersales.claim"), claims + 1)
            self.assertTrue(description.strip())
            claim = self.env["aftersales.claim"].search([], order="id desc", limit=1)
            self.assertNotIn("<script", claim.description or "", "the description is sanitized")
            return
        event("portal: refused")
        self.assertEqual(self._count("aftersales.claim"), claims, "nothing written")
        self.assertEqual(self._count("ir.attachment", [("res_model", "=", "aftersales.claim")]), attachments)
        if location:
            # Refused by a redirect to the form, the message in the query.
            error = parse_qs(urlsplit(location).query).get("error")
            self.assertTrue(error, f"a refusal says why: {location}")
            page = self.url_open(location)
            self.assertEqual(page.status_code, 200)
        else:
            # Refused in place: the form again, with its message and what the customer typed.
            self.assertEqual(response.status_code, 400, response.text[:500])
            page = response
        self.assertIn("alert-danger", page.text, "the message is on the page")

    # ------------------------------------------------------------------
    # The public survey pages
    # ------------------------------------------------------------------

    def _open_survey(self):
        claim = self._claim_in_state("diagnosis")
        claim.action_resolve()
        return self.env["aftersales.feedback.request"].search([("claim_id", "=", claim.id)])

    @fuzz_settings(40)
    @given(token=st.one_of(any_text, st.text("0123456789abcdef-", min_size=8, max_size=64)))
    @example("0" * 36)
    @example("%00")
    @example("../../web")
    @mute_logger("odoo.http")
    def test_random_survey_tokens(self, token):
        self._login_once(None)
        feedbacks = self._count("aftersales.feedback")
        quoted = quote(token, safe="")
        for url in (f"/aftersales/feedback/{quoted}", f"/aftersales/feedback/{quoted}/3"):
            response = self.url_open(url)
            self.assertNotEqual(response.status_code, 500, url)
            self.assertLess(response.status_code, 500, url)
        response = self.url_open(
            f"/aftersales/feedback/{quoted}/submit",
            data={"csrf_token": http.Request.csrf_token(self), "score": "5"},
        )
        self.assertLess(response.status_code, 500)
        self.assertEqual(self._count("aftersales.feedback"), feedbacks, "nothing written")

    @fuzz_settings(30)
    @given(
        score=st.one_of(
            st.sampled_from("12345"), st.integers(-10, 10).map(str), any_text.map(lambda text: text[:10])
        ),
        nps=st.one_of(st.just(""), st.integers(-5, 15).map(str), any_text.map(lambda text: text[:10])),
        comment=any_text,
    )
    @mute_logger("odoo.http")
    def test_survey_answers(self, score, nps, comment):
        survey = getattr(self, "_fuzz_survey", None)
        if not survey:
            survey = self._fuzz_survey = self._open_survey()
        feedbacks = self._count("aftersales.feedback")
        page = self.url_open(f"/aftersales/feedback/{survey.access_token}")
        self.assertEqual(page.status_code, 200)
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = self.url_open(
            f"/aftersales/feedback/{survey.access_token}/submit",
            data={"csrf_token": csrf, "score": score, "nps": nps, "comment": comment},
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        survey.invalidate_recordset()
        if survey.state == "done":
            event("survey: answered")
            self.assertIn("Thank you for your feedback", response.text)
            self.assertIn(int(score.strip()), range(1, 6))
            # Answered: reopen it for the next example.
            survey.sudo().write({"state": "sent"})
            survey.feedback_id.sudo().unlink()
            return
        event("survey: refused")
        self.assertIn("o_aftersales_survey_error", response.text, "the page says what is wrong")
        self.assertEqual(self._count("aftersales.feedback"), feedbacks, "nothing written")
