from . import (
    aftersales_warranty,
    aftersales_warranty_policy,
    product_category,
    product_product,
    product_template,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
    sale_order_line,
    stock_lot,
    stock_move,
)
