import json

from odoo.tests import HttpCase, tagged

from odoo.addons.spreadsheet.utils.validate_data import fields_in_spreadsheet

from .call_common import AftersalesCallCommon
from .test_kpi import OPEN_DASHBOARD


@tagged("post_install", "-at_install")
class TestCallDashboard(AftersalesCallCommon):
    def test_dashboard_reads_the_calls_report(self):
        dashboard = self.env.ref("aftersales_feedback.spreadsheet_dashboard_aftersales_calls")
        self.assertEqual(
            dashboard.dashboard_group_id, self.env.ref("aftersales_feedback.dashboard_group_aftersales")
        )
        self.assertEqual(dashboard.group_ids, self.env.ref("aftersales_warranty.group_aftersales_user"))
        self._intake(
            [
                self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", "NO ANSWER"),
                self._cdr("101", "09123456789", "2026-05-31 11:00:00", channel="SIP/101-2"),
                self._cdr("09351112233", "02188776655", "2026-05-31 12:00:00", dstchannel="SIP/101-3"),
            ]
        )
        data = json.loads(dashboard.spreadsheet_data)
        used = fields_in_spreadsheet(data)
        self.assertEqual(set(used), {"aftersales.call.report"})
        Report = self.env["aftersales.call.report"].with_user(self.agent)
        self.assertLessEqual(used["aftersales.call.report"], set(Report._fields))
        # Every pivot measure can be read with its default aggregator, as the spreadsheet reads it.
        for pivot in data["pivots"].values():
            aggregates = [
                f"{measure['fieldName']}:{Report._fields[measure['fieldName']].aggregator}"
                for measure in pivot["measures"]
            ]
            groupby = [row["fieldName"] for row in pivot["rows"]]
            self.assertTrue(Report.formatted_read_group(pivot["domain"], groupby, aggregates))
        totals = Report.formatted_read_group(
            [],
            [],
            [
                f"{m['fieldName']}:{Report._fields[m['fieldName']].aggregator}"
                for m in data["pivots"]["1"]["measures"]
            ],
        )[0]
        self.assertEqual(
            (totals["calls_in:sum"], totals["calls_out:sum"], totals["calls_missed:sum"]), (2, 1, 1)
        )
        self.assertEqual(totals["answer_rate:avg"], 50.0)
        self.assertEqual(totals["callback_hours:median"], 2.0)
        # Every scorecard shows a cell of the Data sheet that holds a formula.
        data_sheet = next(sheet for sheet in data["sheets"] if sheet["name"] == "Data")
        for figure in data["sheets"][0]["figures"]:
            if figure["data"]["type"] == "scorecard":
                cell = figure["data"]["keyValue"].removeprefix("Data!")
                self.assertTrue(data_sheet["cells"][cell].startswith("=PIVOT.VALUE"), cell)
        snapshot = json.loads(dashboard._get_serialized_readonly_dashboard())["snapshot"]
        self.assertEqual(snapshot["pivots"].keys(), data["pivots"].keys())


@tagged("post_install", "-at_install")
class TestCallDashboardInBrowser(AftersalesCallCommon, HttpCase):
    def test_dashboard_draws_every_figure(self):
        dashboard = self.env.ref("aftersales_feedback.spreadsheet_dashboard_aftersales_calls")
        figures = [
            figure
            for sheet in json.loads(dashboard.spreadsheet_data)["sheets"]
            for figure in sheet["figures"]
        ]
        self.assertEqual(len(figures), 9)
        for figure in figures:
            self.assertEqual(figure["data"].get("chartId"), figure["id"])
        self._intake([self._cdr("09123456789", "02188776655", "2026-05-31 09:00:00", "NO ANSWER")])
        self.browser_js(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            OPEN_DASHBOARD.replace('data-name="After-Sales"', 'data-name="After-Sales Calls"')
            % {"figures": 7},
            ready="!!document.querySelector('.o_search_panel')",
            login="as_agent",
        )
