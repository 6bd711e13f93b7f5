# The guard first: the models below inherit it (Odoo registers models in import order).
from . import aftersales_guard_mixin  # isort: skip
from . import (
    aftersales_claim,
    aftersales_claim_sla,
    aftersales_failure_code,
    aftersales_warranty,
    aftersales_warranty_policy,
    ir_qweb_fields,
    mail_render_mixin,
    product_category,
    product_product,
    product_template,
    repair_order,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
    sale_order_line,
    stock_lot,
    stock_move,
    stock_picking,
)
