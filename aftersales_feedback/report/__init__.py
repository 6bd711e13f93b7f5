from . import (
    aftersales_call_report,
    aftersales_club_report,
    aftersales_kpi_report,
    aftersales_quality_report,
    aftersales_report_jalali,
)
