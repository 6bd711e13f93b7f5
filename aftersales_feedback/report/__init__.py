from . import aftersales_kpi_report, aftersales_quality_report
