import base64
import binascii
import csv
import io
import logging

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..models.aftersales_call import CDR_CSV_COLUMNS

_logger = logging.getLogger(__name__)

# cdr-csv writes 18 columns; without ``loguniqueid`` and ``loguserfield`` (cdr.conf) the last two are
# missing, and without the uniqueid a call cannot be stored once: such a file is refused.
MIN_COLUMNS = CDR_CSV_COLUMNS.index("uniqueid") + 1
MAX_REPORTED_ERRORS = 50


class AftersalesCallImport(models.TransientModel):
    _name = "aftersales.call.import"
    _inherit = ["aftersales.guard.mixin"]
    _description = "Import Calls from the Exchange"

    # The outcome of the import, written by it.
    def _aftersales_protected_fields(self):
        return super()._aftersales_protected_fields() | {
            "state",
            "line_count",
            "created_count",
            "duplicate_count",
            "error_count",
            "error_report",
            "unknown_extensions",
        }

    file = fields.Binary(
        "Master.csv", required=True, help="Asterisk's CDR file (cdr-csv), with or without a header line."
    )
    filename = fields.Char()
    state = fields.Selection([("draft", "To Import"), ("done", "Imported")], default="draft", required=True)
    line_count = fields.Integer("Lines Read", readonly=True)
    created_count = fields.Integer("Calls Added", readonly=True)
    duplicate_count = fields.Integer("Already Stored", readonly=True)
    error_count = fields.Integer("Lines Refused", readonly=True)
    error_report = fields.Text("Refused Lines", readonly=True)
    unknown_extensions = fields.Char(
        readonly=True,
        help="Extensions of the file that no user has: their calls were filed without an agent.",
    )

    def action_import(self):
        """Read the Master.csv and store its calls in the current company, 1,000 lines at a time (one
        customer lookup and one create per batch); lines already stored are skipped, lines that are
        not calls are listed. The counters of the wizard tell what happened."""
        self.ensure_one()
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_manager"):
            raise AccessError(self.env._("Only an After-Sales manager can import the exchange's calls."))
        if self.state != "draft":
            raise UserError(
                self.env._("This file is imported already: open the import again for another one.")
            )
        rows = self._read_rows()
        company = self.env.company
        total = len(rows)

        def progress(done, totals):
            _logger.info(
                "Call import into company %s: %s/%s lines, %s added, %s already stored, %s refused",
                company.id,
                done,
                total,
                totals["created"],
                totals["duplicates"],
                len(totals["errors"]),
            )

        calls = [row for row in rows if isinstance(row, dict)]
        result = self.env["aftersales.call"]._aftersales_intake_rows(
            company, calls, "cdr_import", on_batch=progress
        )
        errors = sorted(
            [error for error in rows if not isinstance(error, dict)]
            + [(calls[error["index"]]["_line"], error["error"]) for error in result["errors"]]
        )
        lines = [
            self.env._("Line %(line)s: %(error)s", line=index + 1, error=message) for index, message in errors
        ]
        self._system_write(
            {
                "state": "done",
                "line_count": total,
                "created_count": result["created"],
                "duplicate_count": result["duplicates"],
                "error_count": len(errors),
                "error_report": "\n".join(lines[:MAX_REPORTED_ERRORS]) or False,
                "unknown_extensions": ", ".join(
                    self.env["aftersales.call"]._aftersales_unknown_extensions(company, calls)
                )
                or False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "new",
        }

    def _read_rows(self):
        """The file's lines as CDR dicts, or (index, error) tuples for lines that are not."""
        try:
            content = base64.b64decode(self.file or b"", validate=True)
        except (binascii.Error, ValueError):
            raise UserError(self.env._("The file could not be read: choose the Master.csv again.")) from None
        if b"\x00" in content:
            raise UserError(self.env._("This is not a Master.csv: it is not a text file."))
        text = content.decode("utf-8-sig", errors="replace")
        rows = []
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            for line_index, line in enumerate(reader):
                if not line or not any(cell.strip() for cell in line):
                    continue
                if line_index == 0 and [cell.strip().lower() for cell in line[:3]] == [
                    "accountcode",
                    "src",
                    "dst",
                ]:
                    continue  # the header line some exports add
                if len(line) < MIN_COLUMNS:
                    rows.append(
                        (
                            line_index,
                            self.env._(
                                "%(count)s columns where Master.csv has 18 (uniqueid is the 17th).",
                                count=len(line),
                            ),
                        )
                    )
                    continue
                rows.append(dict(zip(CDR_CSV_COLUMNS, line, strict=False), _line=line_index))
        except csv.Error as error:
            raise UserError(self.env._("The file is not a CSV file: %(error)s", error=str(error))) from None
        if not rows:
            raise UserError(self.env._("The file has no call."))
        return rows
