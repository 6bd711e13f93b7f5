from . import (
    test_access_matrix,
    test_concurrency,
    test_coupon,
    test_feedback,
    test_feedback_survey,
    test_followup,
    test_fuzz,
    test_i18n,
    test_idempotency,
    test_kpi,
    test_occasion,
)
