def _post_init_hook(env):
    """Give every existing company its goodwill, review and referral coupon programs."""
    env["res.company"].search([])._aftersales_ensure_programs()
