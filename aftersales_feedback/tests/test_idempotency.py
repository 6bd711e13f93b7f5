"""Every cron of both addons, run twice in a row: the second run changes nothing.

The test iterates over the ``ir.cron`` records of the two modules: a new cron without a scenario
here fails it, so that idempotency stays a tested fact for every scheduled job.
"""

from collections import Counter

from freezegun import freeze_time

from odoo.tests import tagged

from ..tools.sms_api import KAVENEGAR_URL_PARAM
from .common import AftersalesFeedbackCommon, make_buyers
from .kavenegar_common import API_KEY, SENDER, FakeKavenegar

MODULES = ("aftersales_warranty", "aftersales_feedback")
# Everything a cron of these addons may create or change, counted.
COUNTED_MODELS = (
    "mail.mail",
    "mail.message",
    "mail.notification",
    "mail.activity",
    "aftersales.followup",
    "aftersales.feedback.request",
    "aftersales.occasion.log",
    "aftersales.claim",
    "aftersales.sms.inbound",
    "loyalty.card",
    "sms.sms",
    "crm.lead",
    "aftersales.visit",
)


class FakeKavenegarResending(FakeKavenegar):
    """The local Kavenegar whose ``sms/receive`` serves the same unread texts on every read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inbox = []

    def _reply(self, verb, key, api_method, params):
        if api_method == "sms/receive":
            return 200, list(self.inbox)
        return super()._reply(verb, key, api_method, params)


@tagged("post_install", "-at_install")
class TestCronIdempotency(AftersalesFeedbackCommon):
    # cron xml id -> (method preparing data that gives the first run work, frozen time,
    #                 snapshot keys the first run must change)
    SCENARIOS = {
        "aftersales_warranty.ir_cron_expire_warranties": (
            "_prepare_expired_warranties",
            "2027-02-01 08:00:00",
            ("warranty_states", "lot_states"),
        ),
        "aftersales_warranty.ir_cron_send_warranty_certificates": (
            "_prepare_certificates",
            "2026-06-01 08:00:00",
            ("certificates_pending", "mail.message"),
        ),
        "aftersales_warranty.ir_cron_send_claim_acknowledgments": (
            "_prepare_claim_acknowledgments",
            "2026-06-01 08:00:00",
            ("claims_to_acknowledge", "mail.message", "mail.mail"),
        ),
        "aftersales_feedback.ir_cron_run_followups": (
            "_prepare_followup_rules",
            "2026-12-20 08:00:00",
            ("aftersales.followup", "mail.activity", "aftersales.feedback.request", "crm.lead"),
        ),
        "aftersales_feedback.ir_cron_send_occasion_greetings": (
            "_prepare_occasion",
            "2026-06-01 08:00:00",
            ("aftersales.occasion.log", "loyalty.card", "mail.mail", "sms.sms"),
        ),
        "aftersales_warranty.ir_cron_create_maintenance_visits": (
            "_prepare_maintenance_visits",
            "2026-06-01 08:00:00",
            ("aftersales.visit",),
        ),
        "aftersales_warranty.ir_cron_send_visit_reminders": (
            "_prepare_visit_reminders",
            "2026-06-01 08:00:00",
            ("visits_reminded", "mail.message", "sms.sms"),
        ),
        "aftersales_feedback.ir_cron_kavenegar_delivery_reports": (
            "_prepare_kavenegar_reports",
            "2026-06-01 08:00:00",
            ("sms_states",),
        ),
        "aftersales_feedback.ir_cron_aftersales_club": (
            "_prepare_club",
            "2026-06-01 08:00:00",
            ("loyalty.card", "club_tiers"),
        ),
        "aftersales_feedback.ir_cron_quality_early_warning": (
            "_prepare_quality_alert",
            "2026-03-31 08:00:00",
            ("mail.activity",),
        ),
        "aftersales_feedback.ir_cron_quality_monthly_summary": (
            "_prepare_quality_summary",
            "2026-04-01 08:00:00",
            ("mail.mail",),
        ),
        "aftersales_feedback.ir_cron_aftersales_receive_sms": (
            "_prepare_received_sms",
            "2026-06-01 08:00:00",
            ("aftersales.sms.inbound",),
        ),
    }

    # ------------------------------------------------------------------
    # Scenarios: data that makes the first run do something
    # ------------------------------------------------------------------

    def _prepare_expired_warranties(self):
        # The two units delivered on 2026-01-10 are covered until 2027-01-10.
        self.assertEqual(set(self.order.warranty_ids.mapped("state")), {"active"})

    def _prepare_certificates(self):
        self.company.aftersales_send_certificate = True
        self.order.warranty_certificate_pending = True

    def _prepare_claim_acknowledgments(self):
        self._claim(partner_id=self.customer.id)

    def _prepare_followup_rules(self):
        self._rule("order_delivered", delay_days=3, send_rating_request=True)
        self._rule("warranty_expiring", delay_days=30, create_opportunity=True)

    def _prepare_occasion(self):
        make_buyers(self.customer)
        self.env["aftersales.occasion"].search([]).active = False
        self.env["aftersales.occasion"].create(
            {
                "name": "Shop anniversary",
                "kind": "fixed_date",
                "month": "6",
                "day": 1,
                "channel": "both",
                "program_id": self.company.aftersales_goodwill_program_id.id,
            }
        )

    def _prepare_maintenance_visits(self):
        # Delivered on 2026-01-10: the first three-month period is over.
        self.policy_12m.maintenance_interval_months = 3

    def _prepare_visit_reminders(self):
        self.company.resource_calendar_id = False  # any time is working time
        visit = self.env["aftersales.visit"].create(
            {
                "partner_id": self.customer.id,
                "technician_id": self.agent.id,
                "date_start": "2026-06-02 06:30:00",
                "date_end": "2026-06-02 08:30:00",
            }
        )
        visit.action_schedule()

    def _prepare_kavenegar_reports(self):
        # Two SMS accepted by Kavenegar, delivered since: the reports come from a local Kavenegar.
        kavenegar = FakeKavenegar()
        self.addCleanup(kavenegar.close)
        self.env["ir.config_parameter"].sudo().set_param(KAVENEGAR_URL_PARAM, kavenegar.url)
        self.company.write({"aftersales_sms_provider": "kavenegar", "aftersales_kavenegar_api_key": API_KEY})
        self.env["sms.sms"].create(
            [
                {
                    "number": f"+98912000000{index}",
                    "body": "Salam",
                    "state": "pending",
                    "aftersales_kavenegar_message_id": str(100 + index),
                    "aftersales_kavenegar_status": "4",
                    "aftersales_delete_after_report": True,
                }
                for index in range(2)
            ]
        )
        kavenegar.statuses = {"100": 10, "101": 11}

    def _prepare_received_sms(self):
        # A text on the company's line, which the local Kavenegar serves again on the next read (as
        # a provider that did not mark it read would): handled once.
        kavenegar = FakeKavenegarResending()
        self.addCleanup(kavenegar.close)
        self.env["ir.config_parameter"].sudo().set_param(KAVENEGAR_URL_PARAM, kavenegar.url)
        self.company.write(
            {
                "aftersales_sms_provider": "kavenegar",
                "aftersales_kavenegar_api_key": API_KEY,
                "aftersales_kavenegar_sender": SENDER,
            }
        )
        kavenegar.inbox = [
            {"messageid": 7001, "message": "NOT-A-SERIAL-1", "sender": "09121234567", "receptor": SENDER}
        ]

    def _prepare_club(self):
        # A buyer who is not a member yet, and a first tier for every member.
        self.company._aftersales_ensure_club()
        self.env["aftersales.club.tier"].create(
            {"name": "Silver", "min_points": 0, "company_id": self.company.id}
        )
        make_buyers(self.other_customer)

    def _prepare_quality_alert(self):
        # One claim on the two units delivered on 2026-01-10: 50 % over the last 90 days.
        self.company.write(
            {"aftersales_quality_threshold": 10.0, "aftersales_quality_user_id": self.manager.id}
        )
        self._claim()

    def _prepare_quality_summary(self):
        self.company.aftersales_quality_user_id = self.manager

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _snapshot(self):
        self.env.flush_all()
        self.env.invalidate_all()
        env = self.env(su=True, context={"active_test": False})
        counts = {model: env[model].search_count([]) for model in COUNTED_MODELS}
        counts["warranty_states"] = sorted(
            (state, count)
            for state, count in env["aftersales.warranty"]._read_group([], ["state"], ["__count"])
        )
        # The lot's warranty status is computed, not stored: read it on every lot with a warranty.
        lots = env["stock.lot"].search([("warranty_ids", "!=", False)])
        counts["lot_states"] = sorted(Counter(lots.mapped("warranty_state")).items())
        counts["claims_to_acknowledge"] = env["aftersales.claim"].search_count([("ack_pending", "=", True)])
        counts["certificates_pending"] = env["sale.order"].search_count(
            [("warranty_certificate_pending", "=", True)]
        )
        counts["visits_reminded"] = env["aftersales.visit"].search_count([("reminder_sent", "=", True)])
        counts["sms_states"] = sorted(
            (state, to_delete, count)
            for state, to_delete, count in env["sms.sms"]._read_group([], ["state", "to_delete"], ["__count"])
        )
        counts["club_tiers"] = sorted(
            (partner.id, partner.aftersales_club_tier_id.id)
            for partner in env["res.partner"].search([("aftersales_club_tier_id", "!=", False)])
        )
        return counts

    def _run(self, cron):
        """The cron's own code, in this transaction, as the cron's user (no commit outside a cron)."""
        cron.ir_actions_server_id.with_user(cron.user_id).run()

    def _changed(self, before, after):
        return sorted(key for key in before if before[key] != after[key])

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_every_cron_twice_changes_nothing_the_second_time(self):
        xmlids = self.env["ir.model.data"].search([("model", "=", "ir.cron"), ("module", "in", MODULES)])
        self.assertGreaterEqual(len(xmlids), len(self.SCENARIOS), "the crons of the scenarios exist")
        for data in xmlids:
            xmlid = f"{data.module}.{data.name}"
            with self.subTest(cron=xmlid):
                self.assertIn(
                    xmlid,
                    self.SCENARIOS,
                    f"cron {xmlid} has no idempotency scenario: add one to {type(self).__name__}.SCENARIOS",
                )
                prepare, when, expected = self.SCENARIOS[xmlid]
                cron = self.env["ir.cron"].browse(data.res_id)
                savepoint = self.env.cr.savepoint()
                try:
                    with freeze_time(when):
                        getattr(self, prepare)()
                        before = self._snapshot()
                        self._run(cron)
                        first = self._snapshot()
                        changed = self._changed(before, first)
                        for key in expected:
                            self.assertIn(key, changed, f"{xmlid}: the first run must change {key}")
                        self._run(cron)
                        second = self._snapshot()
                        self.assertEqual(
                            self._changed(first, second), [], f"{xmlid}: the second run changed something"
                        )
                        self.assertEqual(first, second)
                finally:
                    self.env.flush_all()
                    savepoint.close(rollback=True)
                    self.env.invalidate_all()
