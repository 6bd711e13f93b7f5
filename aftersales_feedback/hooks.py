from .models.res_company import PROGRAM_FIELDS


def _post_init_hook(env):
    """Give every existing company its goodwill, review and referral coupon programs."""
    env["res.company"].search([])._aftersales_ensure_programs()
    _aftersales_club_setup(env)


def _aftersales_club_setup(env):
    """Every company's customer club program (install and upgrade to 19.0.1.3.0). Points earned
    before count from the day they were earned (the new column was filled with the install's time)."""
    env.cr.execute("UPDATE loyalty_history SET aftersales_date = create_date WHERE aftersales_event IS NULL")
    env["res.company"].search([])._aftersales_ensure_club()


def _uninstall_hook(env):
    """Keep the coupon programs that issued coupons, archive the others.

    Uninstalling deletes what the addon's data created (the main company's programs), which
    coupons forbid (Odoo would log the failure): customers may still hold them, so programs with
    coupons lose their link to the addon and stay, active. Programs without coupons that Odoo
    would keep (those of the other companies) are archived; a reinstall creates new ones.
    """
    companies = env["res.company"].with_context(active_test=False).search([])
    programs = env["loyalty.program"].browse()
    for field_name in PROGRAM_FIELDS:
        programs |= companies[field_name]
    programs |= companies.aftersales_club_program_id  # the customer club: members' cards stay too
    used = programs.filtered("coupon_count")
    env["ir.model.data"].search(
        [
            ("module", "=", "aftersales_feedback"),
            ("model", "=", "loyalty.program"),
            ("res_id", "in", used.ids),
        ]
    ).unlink()
    (programs - used).write({"active": False})
