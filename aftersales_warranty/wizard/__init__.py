from . import (
    aftersales_serial_code_import,
    aftersales_warranty_lookup,
    aftersales_warranty_lookup_registration,
)
