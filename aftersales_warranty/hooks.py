def _post_init_hook(env):
    """Create the warranties of the deliveries made before install, and each company's *Faulty
    Units* location.

    Only products that already carry a policy (the demo categories, or a policy set by data)
    get them now; after setting policies, a manager runs *Create Warranties for Past Deliveries*
    (``stock.picking.action_create_past_warranties``), which does the same for the rest.
    """
    env["res.company"].search([])._aftersales_create_faulty_locations()
    env["stock.move"]._aftersales_create_past_warranties()
