"""Import the authentication codes printed on the units' labels, as the factory lists them."""

import base64
import binascii
import csv
import io
import logging
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, split_every

from ..models.aftersales_registration import MAX_SERIAL_LENGTH, clean_text
from ..models.registration_tools import normalize_code

_logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_REFUSED_SHOWN = 200


class AftersalesSerialCodeImport(models.TransientModel):
    _name = "aftersales.serial.code.import"
    _description = "Import Serial Authentication Codes"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    product_id = fields.Many2one(
        "product.product",
        required=True,
        domain="[('tracking', '=', 'serial')]",
        help="The product of the serials in the file: missing serials are created for it.",
    )
    data_file = fields.Binary(
        "CSV File", required=True, help="Lines 'serial,code', with or without a header."
    )
    filename = fields.Char()
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft", readonly=True)
    created_count = fields.Integer("Serials Created", readonly=True)
    updated_count = fields.Integer("Codes Recorded", readonly=True)
    refused_count = fields.Integer("Lines Refused", readonly=True)
    refused_lines = fields.Text(readonly=True)

    @api.model
    def _parse(self, data):
        """(rows, refused): rows [(line number, serial, code)], refused [(line number, sentence)]."""
        try:
            text = base64.b64decode(data or b"").decode("utf-8-sig")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise UserError(
                self.env._("The file is not a CSV text in UTF-8: export it again as CSV UTF-8.")
            ) from None
        rows, refused, seen = [], [], {}
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        for number, row in enumerate(csv.reader(io.StringIO(text.replace("\x00", "")), dialect), 1):
            if not row or not any(cell.strip() for cell in row):
                continue
            if number == 1 and row[0].strip().lower() in ("serial", "serial number", "lot"):
                continue
            serial = clean_text(row[0], MAX_SERIAL_LENGTH + 1)
            code = normalize_code(row[1]) if len(row) > 1 else ""
            if not serial or len(serial) > MAX_SERIAL_LENGTH:
                refused.append((number, self.env._("the serial is empty or longer than 64 characters")))
            elif not code or len(code) > 64:
                refused.append((number, self.env._("the code is empty or longer than 64 characters")))
            elif serial in seen:
                refused.append(
                    (
                        number,
                        self.env._(
                            "serial %(serial)s is already on line %(line)s", serial=serial, line=seen[serial]
                        ),
                    )
                )
            else:
                seen[serial] = number
                rows.append((number, serial, code))
        return rows, refused

    def action_import(self):
        """Record the codes of the file: create the missing serials of the product, hash each code,
        and list the refused lines. Batches of 1,000 lines, each with a fixed number of queries."""
        self.ensure_one()
        if not self.env.user.has_group("aftersales_warranty.group_aftersales_manager"):
            raise AccessError(self.env._("Only an After-Sales manager can import authentication codes."))
        if self.product_id.tracking != "serial":
            raise UserError(
                self.env._(
                    "Product %(product)s is not tracked by serial number.",
                    product=self.product_id.display_name,
                )
            )
        rows, refused = self._parse(self.data_file)
        # The manager imports; serials are created and their codes hashed by the system.
        Lot = self.env["stock.lot"].sudo().with_context(mail_create_nolog=True, tracking_disable=True)
        Lot = Lot.with_company(self.company_id)
        created = updated = 0
        started = time.monotonic()
        for batch_number, batch in enumerate(split_every(BATCH_SIZE, rows), 1):
            names = [serial for _number, serial, _code in batch]
            existing = {
                lot.name: lot
                for lot in Lot.search_fetch(
                    [("name", "in", names), ("company_id", "in", [self.company_id.id, False])],
                    ["name", "product_id"],
                )
            }
            todo = []
            for number, serial, code in batch:
                lot = existing.get(serial)
                if lot and lot.product_id != self.product_id:
                    refused.append(
                        (
                            number,
                            self.env._(
                                "serial %(serial)s belongs to %(product)s",
                                serial=serial,
                                product=lot.product_id.display_name,
                            ),
                        )
                    )
                    continue
                todo.append((serial, code))
            missing = [serial for serial, _code in todo if serial not in existing]
            if missing:
                new_lots = Lot.create(
                    [
                        {"name": serial, "product_id": self.product_id.id, "company_id": self.company_id.id}
                        for serial in missing
                    ]
                )
                existing.update((lot.name, lot) for lot in new_lots)
                created += len(new_lots)
            if todo:
                Lot.flush_model()
                values = [
                    (existing[serial].id, Lot._aftersales_code_hash(serial, code)) for serial, code in todo
                ]
                # One UPDATE for the batch: each serial gets its own hash, which a write would do
                # one query per serial.
                self.env.cr.execute(
                    SQL(
                        "UPDATE stock_lot SET aftersales_code_hash = v.hash, aftersales_has_code = TRUE"
                        " FROM (VALUES %s) AS v(id, hash) WHERE stock_lot.id = v.id",
                        SQL(", ").join(SQL("(%s, %s)", lot_id, code_hash) for lot_id, code_hash in values),
                    )
                )
                updated += len(values)
                Lot.invalidate_model(["aftersales_code_hash", "aftersales_has_code"])
            _logger.info(
                "Serial codes of %s: batch %s, %s of %s lines done (%.1f s)",
                self.product_id.display_name,
                batch_number,
                min(batch_number * BATCH_SIZE, len(rows)),
                len(rows),
                time.monotonic() - started,
            )
        refused.sort()
        lines = [
            self.env._("Line %(line)s: %(reason)s.", line=number, reason=reason) for number, reason in refused
        ]
        if len(lines) > MAX_REFUSED_SHOWN:
            lines = [
                *lines[:MAX_REFUSED_SHOWN],
                self.env._("... and %(count)s more.", count=len(lines) - MAX_REFUSED_SHOWN),
            ]
        self.write(
            {
                "state": "done",
                "created_count": created,
                "updated_count": updated,
                "refused_count": len(refused),
                "refused_lines": "\n".join(lines) or False,
                "data_file": False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "new",
        }
