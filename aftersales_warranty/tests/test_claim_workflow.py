from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .claim_common import STATE_LABELS, AftersalesClaimCommon

# Which actions each state allows, and where each of them leads (the contract).
ALLOWED = {
    "new": {"action_start_diagnosis", "action_reject", "action_cancel"},
    "diagnosis": {
        "action_request_approval",
        "action_start_repair",
        "action_replace",
        "action_refund",
        "action_resolve",
        "action_reject",
        "action_cancel",
    },
    "awaiting_approval": {
        "action_approve",
        "action_replace",
        "action_refund",
        "action_reject",
        "action_cancel",
    },
    "in_progress": {"action_resolve", "action_reject", "action_cancel"},
    "resolved": {"action_close", "action_reopen"},
    "closed": set(),
    "rejected": {"action_reopen"},
    "cancelled": set(),
}
TARGET = {
    "action_start_diagnosis": "diagnosis",
    "action_request_approval": "awaiting_approval",
    "action_approve": "in_progress",
    "action_start_repair": "in_progress",  # under warranty: no approval needed
    "action_replace": "in_progress",
    "action_refund": "in_progress",
    "action_resolve": "resolved",
    "action_close": "closed",
    "action_reject": "rejected",
    "action_cancel": "cancelled",
    "action_reopen": "diagnosis",
}
ACTIONS = sorted(TARGET)


@tagged("post_install", "-at_install")
class TestClaimTransitions(AftersalesClaimCommon):
    def test_every_legal_transition(self):
        for state, actions in ALLOWED.items():
            for action in sorted(actions):
                with self.subTest(state=state, action=action):
                    # A covered repair needs no approval: that one is asked for out of warranty.
                    out = (
                        {"date_reported": "2027-03-01 08:00:00"}
                        if action == "action_request_approval"
                        else {}
                    )
                    claim = self._claim_in_state(state, **out)
                    claim.reject_reason = claim.reject_reason or "Scratches from a fall, not a defect."
                    actor = claim.with_user(self.manager) if action == "action_approve" else claim
                    self.assertIs(getattr(actor, action)(), True)
                    self.assertEqual(claim.state, TARGET[action])

    def test_every_illegal_transition_names_the_current_state(self):
        for state, allowed in ALLOWED.items():
            claim = self._claim_in_state(state)
            claim.reject_reason = claim.reject_reason or "Scratches from a fall, not a defect."
            repairs, pickings = claim.repair_order_ids, claim.sudo().picking_ids
            for action in ACTIONS:
                if action in allowed:
                    continue
                with self.subTest(state=state, action=action):
                    with (
                        self.assertRaisesRegex(UserError, f"Claim {claim.name} is {STATE_LABELS[state]}:"),
                        self.env.cr.savepoint(),
                    ):
                        # Approving a paid repair is a manager's act (or the customer's, on the portal).
                        actor = claim.with_user(self.manager) if action == "action_approve" else claim
                        getattr(actor, action)()
                    claim.invalidate_recordset()
                    self.assertEqual(claim.state, state, "nothing was written")
                    self.assertEqual(claim.repair_order_ids, repairs)
                    self.assertEqual(claim.sudo().picking_ids, pickings)

    def test_main_path_with_approval(self):
        commit = self.env.cr.precommit.run  # tracking is written when each request commits
        with freeze_time("2027-03-01 08:00:00"):  # the warranty ended on 2027-01-10
            Claim = self.Claim.with_context(tracking_disable=False, mail_notrack=False)
            claim = Claim.with_user(self.agent).create({"lot_id": self.lot.id, "cause_id": self.cause.id})
            commit()
            self.assertFalse(claim.user_id)
            claim.action_start_diagnosis()
            commit()
            self.assertEqual(claim.user_id, self.agent, "the agent who diagnoses takes the claim")
            claim.action_request_approval()
            commit()
            self.assertEqual((claim.state, claim.resolution), ("awaiting_approval", "repair"))
            self.assertEqual(claim.repair_order_ids.state, "draft", "a quotation waits for the customer")
            with self.assertRaisesRegex(AccessError, "Only an After-Sales manager"), self.env.cr.savepoint():
                claim.action_approve()
            self.assertEqual(claim.state, "awaiting_approval")
            claim.with_user(self.manager).action_approve()
            commit()
            self.assertEqual(claim.state, "in_progress")
            self.assertEqual(claim.repair_order_ids.state, "confirmed")
        with freeze_time("2027-03-02 10:00:00"):
            claim.action_resolve()
            commit()
            self.assertEqual(claim.state, "resolved")
            self.assertEqual(claim.date_resolved, datetime(2027, 3, 2, 10, 0))
        with freeze_time("2027-03-05 10:00:00"):
            claim.action_close()
            commit()
        self.assertEqual((claim.state, claim.resolution), ("closed", "repair"))
        self.assertEqual(claim.date_closed, datetime(2027, 3, 5, 10, 0))
        tracked = claim.sudo().message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "state")
        self.assertEqual(
            sorted(tracked.mapped("new_value_char")),
            ["Awaiting Approval", "Closed", "Diagnosis", "In Progress", "Resolved"],
            "every transition is in the chatter",
        )

    def test_the_diagnosing_agent_does_not_steal_an_assigned_claim(self):
        claim = self._claim(user_id=self.manager.id)
        claim.action_start_diagnosis()
        self.assertEqual(claim.user_id, self.manager)

    def test_reopen_clears_the_decision(self):
        claim = self._claim_in_state("rejected")
        self.assertEqual(claim.resolution, "reject")
        self.assertTrue(claim.date_resolved)
        claim.action_reopen()
        self.assertEqual(claim.state, "diagnosis")
        self.assertFalse(claim.resolution, "the rejection no longer holds")
        self.assertFalse(claim.date_resolved)
        claim.action_resolve()
        self.assertEqual((claim.state, claim.resolution), ("resolved", "advice"))
        claim.action_reopen()
        claim.action_start_repair()
        self.assertEqual((claim.state, claim.resolution), ("in_progress", "repair"))

    def test_reject_needs_a_reason(self):
        claim = self._claim_in_state("diagnosis")
        for reason in (False, "   "):
            claim.reject_reason = reason
            with self.assertRaisesRegex(UserError, "Reject Reason"), self.env.cr.savepoint():
                claim.action_reject()
            self.assertEqual(claim.state, "diagnosis")
        claim.reject_reason = "Opened by a third party: the seal is broken."
        claim.action_reject()
        self.assertEqual((claim.state, claim.resolution), ("rejected", "reject"))

    def test_a_batch_is_checked_before_anything_moves(self):
        fresh = self._claim()
        started = self._claim_in_state("diagnosis", lot_id=self.lot_2.id)
        claims = fresh | started
        with self.assertRaisesRegex(UserError, f"Claim {started.name} is Diagnosis"), self.env.cr.savepoint():
            claims.action_start_diagnosis()
        self.assertEqual(fresh.state, "new", "no claim of the batch is skipped or half moved")
        both = fresh | self._claim(lot_id=self.lot_2.id)
        both.action_start_diagnosis()
        self.assertEqual(set(both.mapped("state")), {"diagnosis"})

    def test_cancel_and_reject_stop_the_open_operations(self):
        with freeze_time("2027-03-01 08:00:00"):
            waiting = self._claim_in_state("awaiting_approval")
            waiting.action_cancel()
            self.assertEqual(waiting.repair_order_ids.state, "cancel")
            refused = self._claim_in_state("awaiting_approval")
            refused.reject_reason = "The customer refused the quotation."
            refused.action_reject()
            self.assertEqual(refused.repair_order_ids.state, "cancel")
        self._add_stock(self.product_serial, lot_names=["AC-SPARE"])
        replaced = self._claim_in_state("diagnosis")
        replaced.action_replace()
        receipt, delivery = self._pickings(replaced)
        self.assertTrue(receipt and delivery)
        replaced.action_cancel()
        self.assertEqual(set((receipt | delivery).mapped("state")), {"cancel"})
        self.assertEqual(self.warranty.state, "active", "the customer keeps the unit and its warranty")

    def test_cancelled_claims_stay(self):
        claim = self._claim_in_state("cancelled")
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            claim.with_user(self.manager).unlink()
        self.assertTrue(claim.exists())
        self.assertEqual(self.Claim.search([("state", "=", "cancelled")]), claim)


@tagged("post_install", "-at_install")
class TestClaimIntake(AftersalesClaimCommon):
    def test_serial_fills_the_claim(self):
        claim = self._claim()
        self.assertEqual(claim.product_id, self.product_serial)
        self.assertEqual(claim.partner_id, self.customer)
        self.assertEqual(claim.sale_order_id, self.order)
        self.assertEqual(claim.warranty_id, self.warranty)
        self.assertEqual(claim.date_reported, datetime(2026, 6, 1, 8, 0))
        self.assertTrue(claim.under_warranty)
        self.assertEqual(
            (claim.coverage_parts, claim.coverage_labour, claim.coverage_replacement), (True, True, False)
        )
        self.assertTrue(claim.name.startswith("CLM/"))
        self.assertEqual(claim.state, "new")
        self.assertEqual(self.warranty.claim_count, 1)
        self.assertEqual(self.order.claim_count, 1)
        self.assertEqual(self.lot.claim_count, 1)
        self.assertEqual(self.customer.claim_count, 1)

    def test_changing_the_serial_refills_the_claim(self):
        claim = self._claim()
        claim.lot_id = self.lot_2
        self.assertEqual(claim.warranty_id, self.lot_2.warranty_id)
        self.assertNotEqual(claim.warranty_id, self.warranty)
        # A serial without any warranty (overridden by a manager) leaves nothing of the old one.
        claim.with_user(self.manager).write({"lot_id": self.lot_in_stock.id, "serial_override": True})
        self.assertEqual(claim.product_id, self.product_serial)
        self.assertFalse(claim.warranty_id)
        self.assertFalse(claim.sale_order_id)
        self.assertFalse(claim.under_warranty)
        self.assertEqual(claim.partner_id, self.customer)

    def test_serial_onchange_fills_the_form(self):
        draft = self.Claim.with_user(self.agent).new({"lot_id": self.lot.id})
        draft._onchange_lot_id()
        self.assertEqual(draft.product_id, self.product_serial)
        self.assertEqual(draft.partner_id, self.customer)
        self.assertEqual(draft.warranty_id, self.warranty)
        self.assertEqual(draft.sale_order_id, self.order)

    def test_serial_never_received_is_refused(self):
        count = self.Claim.search_count([])
        with (
            self.assertRaisesRegex(
                ValidationError, "Serial number AC-1 was never delivered to Other Customer"
            ),
            self.env.cr.savepoint(),
        ):
            self._claim(partner_id=self.other_customer.id)
        with (
            self.assertRaisesRegex(ValidationError, "Serial number AC-STOCK was never delivered to Golnar"),
            self.env.cr.savepoint(),
        ):
            self._claim(lot_id=self.lot_in_stock.id, partner_id=self.customer.id)
        with (
            self.assertRaisesRegex(ValidationError, "Only an After-Sales manager can accept serial AC-STOCK"),
            self.env.cr.savepoint(),
        ):
            self._claim(lot_id=self.lot_in_stock.id, partner_id=self.customer.id, serial_override=True)
        self.assertEqual(self.Claim.search_count([]), count, "nothing is written")
        # Moving an accepted claim to someone else is refused just the same.
        claim = self._claim()
        with self.assertRaisesRegex(ValidationError, "never delivered"), self.env.cr.savepoint():
            claim.partner_id = self.other_customer
        claim.invalidate_recordset()
        self.assertEqual(claim.partner_id, self.customer)

    def test_a_contact_of_the_customer_may_claim(self):
        contact = self.env["res.partner"].create({"name": "Golnar's son", "parent_id": self.customer.id})
        claim = self._claim(partner_id=contact.id)
        self.assertEqual(claim.partner_id, contact)
        self.assertEqual(claim.warranty_id, self.warranty)

    def test_manager_override_is_logged(self):
        Claim = self.Claim.with_context(tracking_disable=False, mail_notrack=False)
        claim = Claim.with_user(self.manager).create(
            {"lot_id": self.lot_in_stock.id, "partner_id": self.customer.id, "serial_override": True}
        )
        self.assertEqual(claim.lot_id, self.lot_in_stock)
        self.assertTrue(claim.serial_override)
        self.assertFalse(claim.warranty_id)
        self.assertFalse(claim.under_warranty)
        note = claim.message_ids.filtered(lambda m: "accepted by Manager (override)" in m.body)
        self.assertEqual(len(note), 1, "the override a claim is created with is in the chatter")
        self.assertEqual(note.author_id, self.manager.partner_id)
        # On an existing claim: switching to a serial the customer never had is tracked.
        claim.with_user(self.manager).action_cancel()  # one open claim per unit
        other = Claim.with_user(self.agent).create({"lot_id": self.lot.id})
        self.env.cr.precommit.run()  # Odoo tracks a record from the transaction after its creation
        other.with_user(self.manager).write({"lot_id": self.lot_in_stock.id, "serial_override": True})
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        tracked = other.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "serial_override"
        )
        self.assertEqual(len(tracked), 1)
        self.assertTrue(tracked.new_value_integer)
        self.assertEqual(tracked.mail_message_id.author_id, self.manager.partner_id)

    def test_under_warranty_follows_the_report_date(self):
        # The warranty ends on 2027-01-10 in Tehran (UTC+03:30), the company's zone.
        claim = self._claim(date_reported=datetime(2027, 1, 10, 20, 0))  # 23:30 in Tehran
        self.assertTrue(claim.under_warranty)
        claim.date_reported = datetime(2027, 1, 10, 21, 0)  # 00:30 on the 11th in Tehran
        self.assertFalse(claim.under_warranty)
        self.assertFalse(claim.coverage_parts or claim.coverage_labour)
        self.assertTrue(self.Claim._fields["under_warranty"].readonly, "never a manual tick")

    def test_under_warranty_follows_the_warranty_state(self):
        with freeze_time("2027-03-01 08:00:00"):
            self.env["aftersales.warranty"]._cron_expire_warranties()
            self.assertEqual(self.warranty.state, "expired")
            late_report = self._claim(date_reported=datetime(2026, 12, 20, 8, 0))
            self.assertTrue(late_report.under_warranty, "covered on the day the problem was reported")
        claim = self._claim()
        self.assertTrue(claim.under_warranty)
        self.warranty.with_user(self.manager).action_void()
        self.assertFalse(claim.under_warranty, "a void warranty covers nothing")


@tagged("post_install", "-at_install")
class TestClaimPhone(AftersalesClaimCommon):
    def test_local_number_takes_the_customer_country(self):
        claim = self._claim(phone="02 290 34 90")
        self.assertEqual(claim.phone, "+3222903490", "Belgium, the customer's country")
        claim.phone = "0470 12 34 56"
        self.assertEqual(claim.phone, "+32470123456")

    def test_local_number_takes_the_company_country_without_customer_country(self):
        self.company.country_id = self.env.ref("base.ir")
        self.assertFalse(self.other_customer.country_id)
        claim = self.Claim.with_user(self.agent).create(
            {"partner_id": self.other_customer.id, "phone": "0912 345 6789"}
        )
        self.assertEqual(claim.phone, "+989123456789")

    def test_foreign_number_keeps_its_country(self):
        claim = self._claim(phone="+98 912 345 6789")
        self.assertEqual(claim.phone, "+989123456789", "the +98 prefix wins over Belgium")
        claim.phone = "0049 30 901820"
        self.assertEqual(claim.phone, "+4930901820", "the international prefix 00 works too")

    def test_invalid_number_is_refused_and_nothing_written(self):
        count = self.Claim.search_count([])
        for wrong in ("12", "not a phone"):
            with self.subTest(phone=wrong):
                with self.assertRaisesRegex(ValidationError, "is not valid"), self.env.cr.savepoint():
                    self._claim(phone=wrong)
        self.assertEqual(self.Claim.search_count([]), count)
        claim = self._claim(phone="02 290 34 90")
        with (
            self.assertRaisesRegex(
                ValidationError,
                r"^The phone number 12 is not valid: write it with its country code, for example \+32 ",
            ),
            self.env.cr.savepoint(),
        ):
            claim.phone = "12"
        claim.invalidate_recordset()
        self.assertEqual(claim.phone, "+3222903490")
        claim.phone = False
        self.assertFalse(claim.phone, "no phone is fine")


@tagged("post_install", "-at_install")
class TestClaimKanban(AftersalesClaimCommon):
    def test_columns_follow_the_workflow(self):
        self._claim().action_start_diagnosis()
        # What the kanban asks: a grouped read with the group expansion on.
        Claim = self.env["aftersales.claim"].with_user(self.agent).with_context(read_group_expand=True)
        groups = Claim.web_read_group([], ["state"], ["__count"])["groups"]
        self.assertEqual(
            [group["state"] for group in groups],
            ["new", "diagnosis", "awaiting_approval", "in_progress", "resolved", "rejected"],
            "open columns always show, in workflow order; closed and cancelled only when used",
        )
