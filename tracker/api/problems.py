"""The API's error format, RFC 9457 problem details, built in ``tracker.core.problems``
(core's own error pages answer API requests too, and core imports no domain)."""

from tracker.core.problems import (
    API_PREFIX,
    DETAILS,
    HTML_PATHS,
    PROBLEM_TYPE,
    TITLES,
    from_http_exception,
    from_rule_error,
    is_api_request,
    problem,
    validation_errors,
)

__all__ = [
    "API_PREFIX",
    "DETAILS",
    "HTML_PATHS",
    "PROBLEM_TYPE",
    "TITLES",
    "from_http_exception",
    "from_rule_error",
    "is_api_request",
    "problem",
    "validation_errors",
]
