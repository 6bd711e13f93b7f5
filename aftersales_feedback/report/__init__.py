from . import aftersales_call_report, aftersales_club_report, aftersales_kpi_report
