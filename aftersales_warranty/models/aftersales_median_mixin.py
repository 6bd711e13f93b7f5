from odoo import models
from odoo.tools import SQL


class AftersalesMedianMixin(models.AbstractModel):
    """A ``median`` aggregate for ``_read_group`` and the pivot views: a field declared with
    ``aggregator="median"`` (or a ``"field:median"`` aggregate) is PostgreSQL's
    ``percentile_cont(0.5)`` over each cell's rows. A median of medians is not the median, so the
    cell is never computed from sub-totals. The one implementation: every model with a median
    measure inherits it."""

    _name = "aftersales.median.mixin"
    _description = "After-Sales Median Aggregate"

    def _read_group_select(self, aggregate_spec, query):
        fname, __, func = aggregate_spec.partition(":")
        if func == "median":
            return SQL(
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)",
                self._field_to_sql(self._table, fname, query),
            )
        return super()._read_group_select(aggregate_spec, query)
