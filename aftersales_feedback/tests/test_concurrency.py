"""Two agents acting on the same claim at the same moment: one wins, the other is told why.

The actors need committed data and their own transactions, so these tests work on real cursors of
the registry (as Odoo's own concurrency tests do) and delete everything they committed afterwards.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import SQL, mute_logger

BUSY = "is being changed by someone else"


@tagged("post_install", "-at_install")
class TestClaimConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.claim_ids = []
        cls.addClassCleanup(cls._delete_committed)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.agent_id = env.ref("base.user_admin").id
            agent = env["res.users"].browse(cls.agent_id)
            assert agent.has_group("aftersales_warranty.group_aftersales_user")
            env.company._aftersales_ensure_programs()
            # An email address, as a goodwill coupon needs one: what is queued for it belongs to the
            # messages of the test's claims and coupons, which the clean-up deletes.
            cls.partner_id = (
                env["res.partner"]
                .create({"name": "Concurrency Customer", "email": "concurrency@example.com"})
                .id
            )
            cls.product_id = env["product.product"].create({"name": "Concurrency Unit", "type": "consu"}).id

    @classmethod
    def _delete_committed(cls):
        with cls.registry.cursor() as cr:
            claims = tuple(cls.claim_ids) or (0,)
            cr.execute(SQL("SELECT id FROM repair_order WHERE aftersales_claim_id IN %s", claims))
            repairs = tuple(r for (r,) in cr.fetchall()) or (0,)
            cr.execute(SQL("SELECT id FROM loyalty_card WHERE aftersales_claim_id IN %s", claims))
            cards = tuple(c for (c,) in cr.fetchall()) or (0,)
            for model, ids in (
                ("aftersales.claim", claims),
                ("repair.order", repairs),
                ("loyalty.card", cards),
            ):
                # Messages take their mail.mail and tracking values with them (ON DELETE CASCADE).
                cr.execute(SQL("DELETE FROM mail_message WHERE model = %s AND res_id IN %s", model, ids))
                cr.execute(SQL("DELETE FROM mail_activity WHERE res_model = %s AND res_id IN %s", model, ids))
                cr.execute(
                    SQL("DELETE FROM mail_followers WHERE res_model = %s AND res_id IN %s", model, ids)
                )
            cr.execute(SQL("DELETE FROM loyalty_card WHERE id IN %s", cards))
            cr.execute(SQL("DELETE FROM repair_order WHERE id IN %s", repairs))
            cr.execute(SQL("DELETE FROM aftersales_claim WHERE id IN %s", claims))
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["product.product"].browse(cls.product_id).unlink()  # its messages and template too
            env["res.partner"].browse(cls.partner_id).unlink()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _committed_claim(self, state="diagnosis"):
        # Two transactions: the claim is committed (and deleted by the clean-up) even if the
        # transition fails.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.agent_id, {})
            claim = env["aftersales.claim"].create(
                {"partner_id": self.partner_id, "product_id": self.product_id, "channel": "phone"}
            )
            self.claim_ids.append(claim.id)
        if state == "diagnosis":
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.agent_id, {})
                env["aftersales.claim"].browse(claim.id).action_start_diagnosis()
        return claim.id

    def _count(self, query):
        with self.registry.cursor() as cr:
            cr.execute(query)
            return cr.fetchone()[0]

    def _repair_count(self, claim_id):
        return self._count(SQL("SELECT COUNT(*) FROM repair_order WHERE aftersales_claim_id = %s", claim_id))

    def _coupon_count(self, claim_id):
        return self._count(
            SQL(
                "SELECT COUNT(*) FROM loyalty_card"
                " WHERE aftersales_claim_id = %s AND aftersales_origin = 'goodwill'",
                claim_id,
            )
        )

    def _claim_state(self, claim_id):
        return self._count(SQL("SELECT state FROM aftersales_claim WHERE id = %s", claim_id))

    def _race(self, claim_id, method):
        """Two agents call ``method`` on the claim at once, each request retried on a serialization
        failure as Odoo's RPC layer does; returns what each got: True or the error message."""
        barrier = threading.Barrier(2)

        def agent():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.agent_id, {})
                # Both read the claim (and take their snapshot) before either acts.
                env["aftersales.claim"].browse(claim_id).state  # noqa: B018
                barrier.wait(timeout=10)

                def attempt():
                    # A safety net: a lock waited for longer than this fails the test, not the suite.
                    cr.execute("SET LOCAL lock_timeout = '5s'")
                    return getattr(env["aftersales.claim"].browse(claim_id), method)()

                try:
                    return retrying(attempt, env)
                except UserError as error:
                    cr.rollback()
                    return str(error)

        with ThreadPoolExecutor(max_workers=2) as executor:
            futures = [executor.submit(agent) for _i in range(2)]
            return [future.result(timeout=60) for future in futures]

    def _hold_and_try(self, claim_id, method):
        """Agent 1 is in the middle of ``method`` (row locked, not committed) when agent 2 calls it:
        agent 2 is refused at once. Returns agent 2's error message and its message once agent 1
        has committed."""
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, self.agent_id, {})
            env2 = api.Environment(cr2, self.agent_id, {})
            getattr(env1["aftersales.claim"].browse(claim_id), method)()
            env1.flush_all()
            cr2.execute("SET LOCAL lock_timeout = '2s'")
            with self.assertRaises(UserError) as busy:
                getattr(env2["aftersales.claim"].browse(claim_id), method)()
            cr2.rollback()
            cr1.commit()
            env2.invalidate_all()
            with self.assertRaises(UserError) as after:
                getattr(env2["aftersales.claim"].browse(claim_id), method)()
            cr2.rollback()
        return str(busy.exception), str(after.exception)

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_start_repair_while_another_agent_does(self):
        claim_id = self._committed_claim()
        busy, after = self._hold_and_try(claim_id, "action_start_repair")
        self.assertIn(BUSY, busy)
        self.assertIn("reload it", busy)
        self.assertIn("is Awaiting Approval: it cannot start a repair", after)
        self.assertEqual(self._repair_count(claim_id), 1)
        self.assertEqual(self._claim_state(claim_id), "awaiting_approval")

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_start_repair_race(self):
        claim_id = self._committed_claim()
        results = self._race(claim_id, "action_start_repair")
        self.assertEqual(results.count(True), 1, results)
        refused = next(result for result in results if result is not True)
        self.assertTrue(
            BUSY in refused or "it cannot start a repair" in refused, f"a clear message, not {refused!r}"
        )
        self.assertEqual(self._repair_count(claim_id), 1, "exactly one repair order")
        self.assertEqual(self._claim_state(claim_id), "awaiting_approval")

    def test_goodwill_coupon_while_another_agent_grants_it(self):
        claim_id = self._committed_claim()
        busy, after = self._hold_and_try(claim_id, "action_grant_goodwill_coupon")
        self.assertIn(BUSY, busy)
        self.assertIn("already has goodwill coupon", after)
        self.assertEqual(self._coupon_count(claim_id), 1)

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_goodwill_coupon_race(self):
        claim_id = self._committed_claim()
        results = self._race(claim_id, "action_grant_goodwill_coupon")
        self.assertEqual(results.count(True), 1, results)
        refused = next(result for result in results if result is not True)
        self.assertTrue(
            any(text in refused for text in (BUSY, "already has goodwill coupon", "already has a goodwill")),
            f"a clear message, not {refused!r}",
        )
        self.assertEqual(self._coupon_count(claim_id), 1, "exactly one coupon")


@tagged("post_install", "-at_install")
class TestClubConcurrency(BaseCase):
    """Two grants of club points on one card at the same moment: both count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.addClassCleanup(cls._delete_committed)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env.company._aftersales_ensure_club()
            partner = env["res.partner"].create({"name": "Club Concurrency Customer"})
            cls.partner_id = partner.id
            cls.card_id = (
                env["res.partner"]
                ._aftersales_club_enrol([(partner, env.company)])[(partner.id, env.company.id)]
                .id
            )

    @classmethod
    def _delete_committed(cls):
        with cls.registry.cursor() as cr:
            cr.execute(SQL("DELETE FROM loyalty_history WHERE card_id = %s", cls.card_id))
            cr.execute(
                SQL("DELETE FROM mail_message WHERE model = 'loyalty.card' AND res_id = %s", cls.card_id)
            )
            cr.execute(SQL("DELETE FROM loyalty_card WHERE id = %s", cls.card_id))
            api.Environment(cr, SUPERUSER_ID, {})["res.partner"].browse(cls.partner_id).unlink()

    def _grant(self, env, points):
        line = env["loyalty.history"].create(
            {"card_id": self.card_id, "description": "Race", "issued": points}
        )
        env["res.partner"]._aftersales_club_add_points(line)

    def test_two_grants_at_once_both_count(self):
        first_wrote, second_started = threading.Event(), threading.Event()

        def first():
            # Writes the card's points and holds the row, uncommitted, until the second grant runs.
            with self.registry.cursor() as cr1:
                env = api.Environment(cr1, SUPERUSER_ID, {})
                self._grant(env, 10)
                env.flush_all()
                first_wrote.set()
                second_started.wait(timeout=30)
                time.sleep(0.5)  # the second grant is waiting for the row
                cr1.commit()

        def second():
            with self.registry.cursor() as cr2:
                env = api.Environment(cr2, SUPERUSER_ID, {})
                # Its snapshot is taken now, before the first grant commits.
                self.assertEqual(env["loyalty.card"].browse(self.card_id).points, 0.0)
                first_wrote.wait(timeout=30)

                def attempt():
                    second_started.set()
                    self._grant(env, 20)

                with mute_logger("odoo.service.model"):
                    retrying(attempt, env)
                cr2.commit()

        with ThreadPoolExecutor(max_workers=2) as executor:
            futures = [executor.submit(first), executor.submit(second)]
            for future in futures:
                future.result(timeout=60)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            card = env["loyalty.card"].browse(self.card_id)
            self.assertEqual(card.points, 30.0, "both grants count")
            self.assertEqual(len(env["loyalty.history"].search([("card_id", "=", card.id)])), 2)
