from . import aftersales_followup_outcome
