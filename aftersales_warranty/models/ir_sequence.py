from odoo import api, models


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    @api.model
    def _aftersales_next_by_code(self, code, count):
        """``count`` references of the sequence ``code``, the one ``next_by_code`` would pick (the
        current company's, else a shared one), in one query whatever ``count``; None when there is
        no such sequence. The references of a batch of records created together (warranties of a
        delivery, visits of a plan)."""
        sequence = self.sudo().search(  # the reference is drawn by the system, whoever creates the record
            [("code", "=", code), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return None
        return sequence._aftersales_next_batch(count)

    def _aftersales_next_batch(self, count):
        """``count`` numbers of this sequence, formatted as ``next_by_id`` formats them.

        ``ir.sequence`` has no batch in its API: ``next_by_id`` draws one number per statement, so a
        delivery of 10,000 serials cost 10,000 queries. A standard sequence without date ranges is
        the PostgreSQL sequence ``ir_sequence_<id:03d>`` that ``ir.sequence._next_do`` reads; the
        numbers are drawn from it the same way, all in one statement, and formatted with the
        sequence's own prefix, padding and suffix. Every other kind (no-gap, date ranges) goes
        through ``next_by_id``, one number at a time. The one place the addons name Odoo's
        PostgreSQL sequences.
        """
        self.ensure_one()
        if count < 2 or self.implementation != "standard" or self.use_date_range:
            return [self.next_by_id() for _index in range(count)]
        # What get_next_char does per number, with the prefix and suffix interpolated once (before
        # the query: reading the sequence's fields may use the cursor).
        prefix, suffix = self._get_prefix_suffix()
        padding = self.padding
        self.env.cr.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)", [f"ir_sequence_{self.id:03d}", count]
        )
        return [f"{prefix}{number:0{padding}d}{suffix}" for (number,) in self.env.cr.fetchall()]
