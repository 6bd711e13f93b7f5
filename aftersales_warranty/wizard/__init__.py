from . import aftersales_warranty_lookup
