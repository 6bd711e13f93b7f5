{
    "name": "After-Sales Feedback",
    "summary": "Satisfaction feedback, follow-up calls, loyalty coupons and after-sales KPIs",
    "version": "19.0.1.0.0",
    "category": "Sales/After-Sales",
    "author": "Aftersales for Odoo",
    "license": "LGPL-3",
    "depends": ["aftersales_warranty"],
    "data": [],
    "installable": True,
}
