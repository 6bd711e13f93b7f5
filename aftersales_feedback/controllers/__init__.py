from . import club, main, pbx, sms_inbound
