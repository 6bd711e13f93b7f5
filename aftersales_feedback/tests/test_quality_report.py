from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.aftersales_warranty.models.ir_qweb_fields import format_aftersales_date

from .common import AftersalesFeedbackCommon


class QualityCommon(AftersalesFeedbackCommon):
    """A known set of deliveries and claims (company in Tehran's time zone).

    Inverter AC (air conditioners, vendor Cool Parts first, Other Vendor second): 40 units delivered
    on 2026-01-15 with 5 counted claims (one per band of months in service), plus a cancelled,
    a rejected and an advice-only claim that do not count; 60 units on 2026-02-10 with 1 claim.
    Phone X (phones, vendor Phone Maker): 50 units on 2026-02-20 with 1 claim.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Tehran"
        Code = cls.env["aftersales.failure.code"]
        cls.phones = cls.env["product.category"].create({"name": "Phones"})
        cls.leak = Code.create({"code": "C-AC1", "name": "Refrigerant leak", "kind": "cause"})
        cls.board = Code.create({"code": "C-AC2", "name": "Control board", "kind": "cause"})
        cls.no_cooling = Code.create({"code": "S-AC1", "name": "Does not cool", "kind": "symptom"})
        cls.cool_parts, cls.other_vendor, cls.phone_maker = cls.env["res.partner"].create(
            [{"name": "Cool Parts"}, {"name": "Other Vendor"}, {"name": "Phone Maker"}]
        )
        cls.ac, cls.phone = cls.env["product.product"].create(
            [
                {"name": "Inverter AC", "type": "consu", "categ_id": cls.air_conditioners.id},
                {"name": "Phone X", "type": "consu", "categ_id": cls.phones.id},
            ]
        )
        cls.env["product.supplierinfo"].create(
            [
                {
                    "partner_id": cls.other_vendor.id,
                    "product_tmpl_id": cls.ac.product_tmpl_id.id,
                    "sequence": 20,
                },
                {
                    "partner_id": cls.cool_parts.id,
                    "product_tmpl_id": cls.ac.product_tmpl_id.id,
                    "sequence": 1,
                },
                {"partner_id": cls.phone_maker.id, "product_tmpl_id": cls.phone.product_tmpl_id.id},
            ]
        )
        cls.ac_jan = cls._warranty(cls.ac, "2026-01-15", 40)
        cls.ac_feb = cls._warranty(cls.ac, "2026-02-10", 60)
        cls.phone_feb = cls._warranty(cls.phone, "2026-02-20", 50)
        # 2026-04-14 20:45 UTC is 2026-04-15 00:15 in Tehran: three months in service, not two.
        cls._claims(
            cls.ac_jan,
            [
                ("2026-03-01 08:00:00", cls.leak, None),  # 1 month: 0-3
                ("2026-04-14 20:45:00", cls.leak, None),  # 3 months in Tehran: 3-6
                ("2026-08-01 08:00:00", cls.board, None),  # 6 months: 6-12
                ("2027-01-15 08:00:00", cls.leak, None),  # 12 months: 12-24
                ("2028-01-20 08:00:00", False, None),  # 24 months: 24+
                ("2026-03-02 08:00:00", cls.leak, "cancelled"),
                ("2026-03-03 08:00:00", cls.leak, "rejected"),
                ("2026-03-04 08:00:00", False, "advice"),
            ],
        )
        cls._claims(cls.ac_feb, [("2026-04-14 08:00:00", cls.board, None)])  # 2 months in Tehran: 0-3
        cls._claims(cls.phone_feb, [("2026-03-20 08:00:00", False, None)])
        cls.Report = cls.env["aftersales.quality.report"]
        cls.quality_manager = new_test_user(
            cls.env,
            login="as_quality",
            groups="aftersales_warranty.group_aftersales_manager",
            name="Quality Manager",
        )

    @classmethod
    def _warranty(cls, product, day, quantity, company=None, partner=None):
        return cls.env["aftersales.warranty"].create(
            {
                "product_id": product.id,
                "partner_id": (partner or cls.customer).id,
                "policy_id": cls.policy_12m.id,
                "company_id": (company or cls.company).id,
                "date_start": day,
                "quantity": quantity,
                "state": "active",
            }
        )

    @classmethod
    def _claims(cls, warranty, specs):
        claims = cls.env["aftersales.claim"].create(
            [
                {
                    "partner_id": warranty.partner_id.id,
                    "product_id": warranty.product_id.id,
                    "warranty_id": warranty.id,
                    "company_id": warranty.company_id.id,
                    "date_reported": reported,
                    "cause_id": cause.id if cause else False,
                }
                for reported, cause, _outcome in specs
            ]
        )
        for claim, (_reported, _cause, outcome) in zip(claims, specs, strict=True):
            if outcome == "advice":
                claim._system_write({"state": "resolved", "resolution": "advice"})
            elif outcome:
                claim._system_write({"state": outcome})
        return claims

    def _rows(self, groupby, domain=(), user=None):
        Report = self.Report.with_user(user) if user else self.Report
        return {
            (groups[0] if len(groups) == 1 else tuple(groups)): (units, claims, rate)
            for *groups, units, claims, rate in Report._read_group(
                [("product_id", "in", (self.ac | self.phone).ids), *domain],
                groupby,
                ["units_delivered:sum", "claim_count:sum", "failure_rate:failure_rate"],
            )
        }


@tagged("post_install", "-at_install")
class TestQualityReport(QualityCommon):
    def test_rates_per_product_month_category_vendor(self):
        self.assertEqual(self._rows(["product_id"]), {self.ac: (100.0, 6, 6.0), self.phone: (50.0, 1, 2.0)})
        months = self._rows(["product_id", "date_delivered:month"])
        self.assertEqual(
            {(product.name, month.month): values for (product, month), values in months.items()},
            {
                ("Inverter AC", 1): (40.0, 5, 12.5),
                ("Inverter AC", 2): (60.0, 1, 1.67),
                ("Phone X", 2): (50.0, 1, 2.0),
            },
        )
        self.assertEqual(
            self._rows(["categ_id"]), {self.air_conditioners: (100.0, 6, 6.0), self.phones: (50.0, 1, 2.0)}
        )
        self.assertEqual(
            self._rows(["vendor_id"]), {self.cool_parts: (100.0, 6, 6.0), self.phone_maker: (50.0, 1, 2.0)}
        )
        # The total is the claims over the units (7 / 150), not the average of the rates.
        (total,) = self.Report._read_group(
            [("product_id", "in", (self.ac | self.phone).ids)], [], ["failure_rate:failure_rate"]
        )
        self.assertEqual(total, (4.67,))

    def test_months_in_service_bands(self):
        bands = self._rows(["months_in_service"], [("product_id", "=", self.ac.id)])
        self.assertEqual(
            {band: claims for band, (_units, claims, _rate) in bands.items()},
            {False: 0, "0_3": 2, "3_6": 1, "6_12": 1, "12_24": 1, "24_plus": 1},
        )
        self.assertEqual(bands[False][0], 100.0, "the units are on rows of their own")

    def test_top_causes(self):
        causes = self._rows(["cause_id"], [("product_id", "=", self.ac.id), ("cause_id", "!=", False)])
        self.assertEqual(
            {cause: claims for cause, (_units, claims, _rate) in causes.items()},
            {self.leak: 3, self.board: 2},
        )
        figures = self.Report._quality_figures(
            self.company, "2026-01-01", "2026-03-31", products=self.ac | self.phone
        )
        self.assertEqual(
            [(f["product"], f["units"], f["claims"], f["rate"], f["causes"]) for f in figures],
            [
                (self.ac, 100.0, 6, 6.0, [(self.leak, 3), (self.board, 2)]),
                (self.phone, 50.0, 1, 2.0, []),
            ],
        )

    def test_web_client_reads_the_pivot(self):
        groups = self.Report.formatted_read_group(
            [("product_id", "in", (self.ac | self.phone).ids)],
            ["categ_id"],
            ["units_delivered:sum", "claim_count:sum", "failure_rate:failure_rate"],
        )
        self.assertEqual(
            {g["categ_id"][1]: (g["units_delivered:sum"], g["failure_rate:failure_rate"]) for g in groups},
            {"Appliances / Air Conditioners": (100.0, 6.0), "Phones": (50.0, 2.0)},
        )
        fields = self.Report.fields_get(["failure_rate"], ["aggregator"])
        self.assertEqual(fields["failure_rate"]["aggregator"], "failure_rate")
        for view_type in ("pivot", "graph", "list", "search"):
            self.assertTrue(self.Report.get_view(view_type=view_type)["arch"])

    def test_pending_warranties_are_no_delivery(self):
        self.env["aftersales.warranty"].create(
            {
                "product_id": self.ac.id,
                "partner_id": self.customer.id,
                "policy_id": self.policy_12m.id,
                "quantity": 30,
                "state": "pending",
            }
        )
        self.assertEqual(self._rows(["product_id"])[self.ac], (100.0, 6, 6.0))


@tagged("post_install", "-at_install")
class TestQualityAccess(QualityCommon):
    def test_agents_read_the_report(self):
        self.assertEqual(self._rows(["product_id"], user=self.agent)[self.ac], (100.0, 6, 6.0))
        self.assertEqual(self._rows(["product_id"], user=self.manager)[self.phone], (50.0, 1, 2.0))
        for user in (self.salesman, self.stock_user):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                self._rows(["product_id"], user=user)
        row = self.Report.with_user(self.agent).search([("product_id", "=", self.ac.id)], limit=1)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            row.write({"claim_count": 0})

    def test_managers_configure(self):
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.company.with_user(self.agent).write({"aftersales_quality_threshold": 1.0})
        admin = self.env.ref("base.user_admin")
        with Form(self.env["res.config.settings"].with_user(admin)) as settings:
            settings.aftersales_quality_threshold = 5.0
            settings.aftersales_quality_user_id = self.quality_manager
        self.assertEqual(self.company.aftersales_quality_threshold, 5.0)
        self.assertEqual(self.company.aftersales_quality_user_id, self.quality_manager)

    def test_multi_company(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        other_customer = self.env["res.partner"].create({"name": "Other customer", "company_id": other.id})
        self._warranty(self.ac, "2026-01-20", 10, company=other, partner=other_customer)
        self.assertEqual(self._rows(["product_id"])[self.ac], (110.0, 6, 5.45), "the superuser sees both")
        self.assertEqual(self._rows(["product_id"], user=self.agent)[self.ac], (100.0, 6, 6.0))
        both = self.env["res.users"].create(
            {
                "name": "Agent of both",
                "login": "as_agent_both",
                "company_id": other.id,
                "company_ids": [(6, 0, [self.company.id, other.id])],
                "group_ids": [(6, 0, [self.env.ref("aftersales_warranty.group_aftersales_user").id])],
            }
        )
        rows = dict(
            self.Report.with_user(both)
            .with_context(allowed_company_ids=[other.id])
            ._read_group([("product_id", "=", self.ac.id)], ["company_id"], ["units_delivered:sum"])
        )
        self.assertEqual(rows, {other: 10.0})


@tagged("post_install", "-at_install")
class TestQualityEarlyWarning(QualityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"aftersales_quality_threshold": 5.0, "aftersales_quality_user_id": cls.quality_manager.id}
        )
        cls.alert_type = cls.env.ref("aftersales_feedback.mail_activity_type_quality_alert")

    def _alerts(self, product=None, active=True):
        return (
            self.env["mail.activity"]
            .with_context(active_test=active)
            .search(
                [
                    ("res_model", "=", "product.product"),
                    ("res_id", "in", (product or (self.ac | self.phone)).ids),
                    ("activity_type_id", "=", self.alert_type.id),
                ]
            )
        )

    def _run(self):
        self.env["aftersales.quality.report"]._cron_quality_early_warning()

    @freeze_time("2026-03-31 06:00:00")
    def test_once_then_again_only_after_done(self):
        # The last 90 days in Tehran: 2026-01-01 to 2026-03-31. Inverter AC: 6 claims on 100 units.
        self._run()
        alert = self._alerts()
        self.assertEqual(len(alert), 1, "the phone (2 %) is under the threshold")
        self.assertEqual(alert.res_id, self.ac.id)
        self.assertEqual(alert.user_id, self.quality_manager)
        self.assertEqual(alert.summary, "Failure rate 6.0% (threshold 5.0%)")
        self.assertIn("6 claims on 100 units of Inverter AC", str(alert.note))
        self.assertIn("above the company's threshold of 5.0%", str(alert.note))
        self.assertIn("Top causes: [C-AC1] Refrigerant leak (3), [C-AC2] Control board (2).", str(alert.note))
        self._run()
        self.assertEqual(self._alerts(), alert, "not again while it is open")
        alert.with_user(self.quality_manager).action_feedback(feedback="Supplier informed.")
        self.assertFalse(self._alerts())
        self._run()
        again = self._alerts()
        self.assertEqual(len(again), 1, "again once it is done: the rate is still above")
        self.assertNotEqual(again, alert)
        self.assertEqual(len(self._alerts(active=False)), 2)

    @freeze_time("2026-03-31 06:00:00")
    def test_under_the_threshold_or_switched_off_warns_nobody(self):
        self.company.aftersales_quality_threshold = 6.0  # 6.0 % is not above 6.0 %
        self._run()
        self.assertFalse(self._alerts())
        self.company.aftersales_quality_threshold = 0.0
        self._run()
        self.assertFalse(self._alerts())

    @freeze_time("2026-06-30 06:00:00")
    def test_only_the_last_90_days_deliveries(self):
        # From 2026-04-02: nothing was delivered since, no rate to warn about.
        self._run()
        self.assertFalse(self._alerts())

    @freeze_time("2026-03-31 06:00:00")
    def test_each_company_its_threshold_and_manager(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        other_manager = new_test_user(
            self.env,
            login="as_quality_other",
            groups="aftersales_warranty.group_aftersales_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        other.write({"aftersales_quality_threshold": 50.0, "aftersales_quality_user_id": other_manager.id})
        other_customer = self.env["res.partner"].create({"name": "Other customer", "company_id": other.id})
        phone_other = self._warranty(self.phone, "2026-03-01", 2, company=other, partner=other_customer)
        self._claims(phone_other, [("2026-03-10 08:00:00", False, None)] * 2)  # 100 %
        self._run()
        alerts = self._alerts()
        self.assertEqual(
            {(a.res_id, a.user_id) for a in alerts},
            {(self.ac.id, self.quality_manager), (self.phone.id, other_manager)},
            "the phone fails in the other company only (2 of 2 units), over its 50 % threshold",
        )

    def test_monthly_summary_once_a_month(self):
        mails = self.env["mail.mail"]
        with freeze_time("2026-04-01 06:00:00"):
            self.env["aftersales.quality.report"]._cron_quality_monthly_summary()
            sent = self.env["mail.mail"].search([("model", "=", "res.company")]) - mails
            self.assertEqual(len(sent), 1)
            self.assertEqual(sent.recipient_ids, self.quality_manager.partner_id)
            self.assertIn("failure rates of the month", sent.subject)
            body = str(sent.body_html)
            self.assertIn("Inverter AC", body)
            self.assertIn("6.0", body)
            self.assertIn("[C-AC1] Refrigerant leak (3)", body)
            self.assertIn(
                f"From {format_aftersales_date(self.env, date(2026, 3, 1))}",
                body,
                "dates through the formatter",
            )
            self.assertIn(
                "<strong>2</strong> claims were reported", body, "advice and refusals are no failure"
            )
            self.assertEqual(self.company.aftersales_quality_summary_month.isoformat(), "2026-03-01")
            self.env["aftersales.quality.report"]._cron_quality_monthly_summary()
            self.assertEqual(self.env["mail.mail"].search([("model", "=", "res.company")]) - mails, sent)
        with freeze_time("2026-05-01 06:00:00"):
            self.env["aftersales.quality.report"]._cron_quality_monthly_summary()
            self.assertEqual(len(self.env["mail.mail"].search([("model", "=", "res.company")]) - mails), 2)
