from . import aftersales_kpi_report
