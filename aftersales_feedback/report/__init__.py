from . import aftersales_club_report, aftersales_kpi_report
