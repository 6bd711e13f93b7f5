"""``has_photo`` is now computed from the photo itself (it was a plain field anyone could set).

The column keeps its values on update: reviews marked "with photo" without one (or the reverse) are
recomputed here, so that the filter, the list and any later review reward follow the real photos.
Coupons already issued for such reviews are left alone: customers may hold them.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    Feedback = env["aftersales.feedback"]
    with_photo = (
        env["ir.attachment"]
        .search_fetch([("res_model", "=", Feedback._name), ("res_field", "=", "photo")], ["res_id"])
        .mapped("res_id")
    )
    wrong = Feedback.search(
        [
            "|",
            "&",
            ("has_photo", "=", True),
            ("id", "not in", with_photo),
            "&",
            ("has_photo", "=", False),
            ("id", "in", with_photo),
        ]
    )
    if wrong:
        env.add_to_compute(Feedback._fields["has_photo"], wrong)
        env.flush_all()
        _logger.info("With Photo recomputed from the photo on %s feedback records.", len(wrong))
