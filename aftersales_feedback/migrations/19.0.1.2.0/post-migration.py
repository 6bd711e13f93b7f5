"""Occasions now follow a calendar (``calendar``, filled with ``gregorian`` by the update).

The Iranian occasions this addon's demo data made on fixed Gregorian days (Nowruz on 20 March,
Yalda on 21 December, birthdays on the Gregorian anniversary) greeted a day early in most years:
as long as nobody changed them, they move to their Solar Hijri days (1 Farvardin, 30 Azar) and
the birthdays to the Solar Hijri anniversary. Occasions a company made itself are its own: they
stay as they are, and a manager switches them to the Solar Hijri calendar in their form.

The coupons of the after-sales programs (goodwill, review, referral) were emailed with Odoo's coupon
template, whose expiry date is Gregorian for everyone: the programs that still use it now email the
addon's own, which prints the expiry in the customer's calendar.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

# xml id: (the definition the previous release gave it, the Solar Hijri one)
DEMO_OCCASIONS = {
    "occasion_nowruz_demo": ({"kind": "fixed_date", "month": "3", "day": 20}, {"month": "1", "day": 1}),
    "occasion_yalda_demo": ({"kind": "fixed_date", "month": "12", "day": 21}, {"month": "9", "day": 30}),
    "occasion_birthday_demo": ({"kind": "birthday"}, {}),
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    moved = env["aftersales.occasion"]
    for xmlid, (previous, jalali) in DEMO_OCCASIONS.items():
        occasion = env.ref(f"aftersales_feedback.{xmlid}", raise_if_not_found=False)
        if not occasion or occasion.calendar != "gregorian":
            continue
        if any(occasion[field] != value for field, value in previous.items()):
            continue  # changed by the company: theirs now
        occasion.write({"calendar": "jalali", **jalali})
        moved |= occasion
    if moved:
        _logger.info("Occasions moved to the Solar Hijri calendar: %s", ", ".join(moved.mapped("name")))

    companies = env["res.company"].search([])
    programs = (
        companies.aftersales_goodwill_program_id
        | companies.aftersales_review_program_id
        | companies.aftersales_referral_program_id
    )
    odoo_template = env.ref("loyalty.mail_template_loyalty_card", raise_if_not_found=False)
    ours = env.ref("aftersales_feedback.mail_template_coupon")
    if odoo_template and programs:
        plans = env["loyalty.mail"].search(
            [("program_id", "in", programs.ids), ("mail_template_id", "=", odoo_template.id)]
        )
        plans.mail_template_id = ours

    # Translations of records whose English text changed in this release (templates, portal pages):
    # the update keeps a translation it already has, which here is the old text (old expressions,
    # Gregorian dates); this release's translations replace them.
    langs = [code for code, _name in env["res.lang"].get_installed() if code != "en_US"]
    if langs:
        env["ir.module.module"]._load_module_terms(["aftersales_feedback"], langs, overwrite=True)
