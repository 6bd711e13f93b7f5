from . import aftersales_call_import, aftersales_followup_outcome
