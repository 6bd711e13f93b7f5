"""Issue 27, items 3, 9 and 11: quotas counted by several transactions at once. Each actor has its own
cursor on committed data (as in test_concurrency.py) and its request is retried on a serialization
failure as Odoo's RPC and HTTP layers do; everything committed is deleted afterwards."""

import threading
from concurrent.futures import ThreadPoolExecutor

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import new_test_user, tagged
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import SQL, mute_logger


@tagged("post_install", "-at_install")
class TestQuotaConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.claim_ids, cls.visit_ids, cls.call_ids = [], [], []
        cls.addClassCleanup(cls._delete_committed)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            company._aftersales_ensure_programs()
            cls.company_id = company.id
            cls.old_cap = company.aftersales_goodwill_monthly_cap
            cls.old_max = company.aftersales_visit_max_per_day
            company.write({"aftersales_goodwill_monthly_cap": 2, "aftersales_visit_max_per_day": 0})
            cls.agent_id = new_test_user(
                env,
                login="quota_agent",
                groups="aftersales_warranty.group_aftersales_user",
                name="Quota Agent",
            ).id
            cls.technician_id = new_test_user(
                env,
                login="quota_technician",
                groups="aftersales_warranty.group_aftersales_technician",
                name="Quota Technician",
                tz="UTC",
            ).id
            cls.partner_id = (
                env["res.partner"].create({"name": "Quota Customer", "email": "quota@example.com"}).id
            )
            cls.product_id = env["product.product"].create({"name": "Quota Unit", "type": "consu"}).id

    @classmethod
    def _delete_committed(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            claims = tuple(cls.claim_ids) or (0,)
            visits = tuple(cls.visit_ids) or (0,)
            cr.execute(SQL("SELECT id FROM loyalty_card WHERE aftersales_claim_id IN %s", claims))
            cards = tuple(c for (c,) in cr.fetchall()) or (0,)
            cr.execute(SQL("SELECT calendar_event_id FROM aftersales_visit WHERE id IN %s", visits))
            events = tuple(e for (e,) in cr.fetchall() if e) or (0,)
            cr.execute(SQL("SELECT id FROM aftersales_call WHERE external_id LIKE %s", "quota.%"))
            calls = tuple(c for (c,) in cr.fetchall()) or (0,)
            for model, ids in (
                ("aftersales.claim", claims),
                ("aftersales.visit", visits),
                ("loyalty.card", cards),
                ("calendar.event", events),
                ("aftersales.call", calls),
            ):
                cr.execute(SQL("DELETE FROM mail_message WHERE model = %s AND res_id IN %s", model, ids))
                cr.execute(SQL("DELETE FROM mail_activity WHERE res_model = %s AND res_id IN %s", model, ids))
                cr.execute(
                    SQL("DELETE FROM mail_followers WHERE res_model = %s AND res_id IN %s", model, ids)
                )
            cr.execute(SQL("DELETE FROM loyalty_card WHERE id IN %s", cards))
            cr.execute(SQL("DELETE FROM aftersales_visit WHERE id IN %s", visits))
            cr.execute(SQL("DELETE FROM calendar_event WHERE id IN %s", events))
            cr.execute(SQL("DELETE FROM aftersales_call WHERE id IN %s", calls))
            cr.execute(SQL("DELETE FROM aftersales_claim WHERE id IN %s", claims))
            env["res.company"].browse(cls.company_id).write(
                {"aftersales_goodwill_monthly_cap": cls.old_cap, "aftersales_visit_max_per_day": cls.old_max}
            )
            env["product.product"].browse(cls.product_id).unlink()
            users = env["res.users"].browse([cls.agent_id, cls.technician_id])
            try:
                with cr.savepoint():
                    partners = users.partner_id
                    users.unlink()
                    partners.unlink()
            except Exception:
                users.active = False
            env["res.partner"].browse(cls.partner_id).unlink()

    def _count(self, query):
        with self.registry.cursor() as cr:
            cr.execute(query)
            return cr.fetchone()[0]

    def _race(self, uid, actions):
        """Each of ``actions`` (a function of an environment) in its own transaction as ``uid``, all
        at once, each retried as Odoo's RPC layer retries a request; returns True or the error."""
        barrier = threading.Barrier(len(actions))

        def actor(action):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                env["res.users"].browse(uid).name  # noqa: B018 -- the snapshot is taken before the others act
                barrier.wait(timeout=20)

                def attempt():
                    cr.execute("SET LOCAL lock_timeout = '10s'")  # a safety net, not the mechanism
                    return action(env)

                try:
                    return retrying(attempt, env)
                except UserError as error:
                    cr.rollback()
                    return str(error)

        with ThreadPoolExecutor(max_workers=len(actions)) as executor:
            futures = [executor.submit(actor, action) for action in actions]
            return [future.result(timeout=120) for future in futures]

    def _granting(self, claim_id):
        return lambda env: env["aftersales.claim"].browse(claim_id).action_grant_goodwill_coupon()

    def _scheduling(self, visit_id):
        return lambda env: env["aftersales.visit"].browse(visit_id).action_schedule()

    # ------------------------------------------------------------------
    # 3. The goodwill cap, six grants at once by one agent
    # ------------------------------------------------------------------

    @mute_logger("odoo.service.model")
    def test_03_goodwill_cap_holds_under_a_race(self):
        claim_ids = []
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.agent_id, {})
            for _index in range(6):
                claim = env["aftersales.claim"].create(
                    {"partner_id": self.partner_id, "product_id": self.product_id, "channel": "phone"}
                )
                claim.action_start_diagnosis()
                claim_ids.append(claim.id)
        self.claim_ids.extend(claim_ids)
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            results = self._race(
                self.agent_id,
                [self._granting(claim_id) for claim_id in claim_ids],
            )
        self.assertEqual(results.count(True), 2, results)
        for refused in (result for result in results if result is not True):
            self.assertIn("You have already granted 2 goodwill coupons this month", refused)
        granted = self._count(
            SQL(
                "SELECT COUNT(*) FROM loyalty_card"
                " WHERE aftersales_origin = 'goodwill' AND aftersales_claim_id IN %s",
                tuple(claim_ids),
            )
        )
        self.assertEqual(granted, 2, "the cap of 2 a month holds")

    # ------------------------------------------------------------------
    # 9. Two planners booking one technician at the same time
    # ------------------------------------------------------------------

    @mute_logger("odoo.service.model")
    def test_09_double_booking_race(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.agent_id, {})
            visits = env["aftersales.visit"].create(
                [
                    {
                        "partner_id": self.partner_id,
                        "technician_id": self.technician_id,
                        "date_start": start,
                        "date_end": end,
                    }
                    for start, end in (
                        ("2027-01-06 09:00:00", "2027-01-06 11:00:00"),
                        ("2027-01-06 10:00:00", "2027-01-06 12:00:00"),
                    )
                ]
            )
        self.visit_ids.extend(visits.ids)
        with self.registry.cursor() as cr:
            # No working hours: any time is the technician's (the clash is what is tested).
            env = api.Environment(cr, SUPERUSER_ID, {})
            old_calendar = env["res.company"].browse(self.company_id).resource_calendar_id.id
            env["res.company"].browse(self.company_id).resource_calendar_id = False
        try:
            with self.assertNoLogs("odoo.sql_db", level="ERROR"):
                results = self._race(
                    self.agent_id,
                    [self._scheduling(visit_id) for visit_id in visits.ids],
                )
        finally:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["res.company"].browse(self.company_id).resource_calendar_id = old_calendar
        self.assertEqual(results.count(True), 1, results)
        refused = next(result for result in results if result is not True)
        self.assertIn("already has visit", refused)
        scheduled = self._count(
            SQL(
                "SELECT COUNT(*) FROM aftersales_visit WHERE id IN %s AND state = 'scheduled'",
                tuple(visits.ids),
            )
        )
        self.assertEqual(scheduled, 1, "one technician, one visit at a time")

    # ------------------------------------------------------------------
    # 11. Twenty posts of one call at once
    # ------------------------------------------------------------------

    @mute_logger("odoo.service.model")
    def test_11_parallel_posts_of_one_call(self):
        row = {
            "src": "02122223333",
            "dst": "1",
            "start": "2026-05-31 09:00:00",
            "disposition": "ANSWERED",
            "uniqueid": "quota.1",
        }

        def post(env):
            company = env["res.company"].browse(self.company_id)
            return env["aftersales.call"].sudo()._aftersales_intake_rows(company, [dict(row)], "webhook")

        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            results = self._race(SUPERUSER_ID, [post] * 8)
        self.assertEqual(sorted(result["created"] for result in results), [0] * 7 + [1], results)
        self.assertTrue(all(result["created"] + result["duplicates"] == 1 for result in results), results)
        stored = self._count(SQL("SELECT COUNT(*) FROM aftersales_call WHERE external_id = %s", "quota.1"))
        self.assertEqual(stored, 1)
