"""A catalog of 32 metrics covering every kind and every field group of ``Metric``.

Kinds: custom (conversion, numeric average/sum, count_distinct, percentile), pageview and click
(every URL matcher kind), trace (conversion and numeric). Field groups: description, tags,
success criteria, analysis units, maintainer, event default, filters (context attribute, event
property, negated, nested groups), winsorization, measurement window, data source, value
column and ratio denominators. Two projects, so the project key takes part in every id.
"""

from __future__ import annotations

import copy
from typing import Any

PROJECT = "e2e"
OTHER_PROJECT = "e2e-other"
MAINTAINER = "5f0c1a2b3c4d5e6f7a8b9c0d"
WAREHOUSE = {"key": "snowflake-prod", "environment_key": "production"}

_REGION_FILTER: dict[str, Any] = {
    "type": "contextAttribute",
    "context_kind": "user",
    "attribute": "region",
    "op": "in",
    "values": ["eu-west", "eu-central"],
    "negate": False,
}
# Nested in groups below without `context_kind`: a nested `context_kind` is sent in snake_case
# and dropped by the server (provider bug, see test_metric_provider_bugs.py).
_PLAN_FILTER: dict[str, Any] = {
    "type": "contextAttribute",
    "attribute": "plan",
    "op": "in",
    "values": ["pro", "enterprise"],
    "negate": False,
}
_WEB_FILTER: dict[str, Any] = {
    "type": "eventProperty",
    "attribute": "app",
    "op": "in",
    "values": ["web"],
    "negate": False,
}


def _custom(key: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "project_key": PROJECT,
        "key": key,
        "name": key.replace("-", " ").capitalize(),
        "kind": "custom",
        "event_key": f"evt-{key}",
    }
    return {**base, **fields}


_METRICS: list[dict[str, Any]] = [
    # -- custom conversion ------------------------------------------------------------------
    _custom("signup-completed", description="Finished signup", tags=["growth", "signup"]),
    _custom("newsletter-joined", tags=["growth"], success_criteria="HigherThanBaseline"),
    _custom("churned", success_criteria="LowerThanBaseline", tags=["retention"]),
    _custom("trial-started", analysis_units=["user"], maintainer_id=MAINTAINER),
    _custom("org-upgraded", analysis_units=["organization", "account"]),
    _custom("cart-abandoned", event_default={"disabled": True, "value": 0}),
    _custom("invite-sent", event_default={"disabled": False, "value": 0}, tags=["viral"]),
    _custom("eu-web-signup", filters=_REGION_FILTER),
    _custom("web-only-signup", filters={**_WEB_FILTER, "negate": True}),
    _custom(
        "grouped-filter-signup",
        filters={
            "type": "group",
            "op": "or",
            "negate": False,
            "values": [
                _PLAN_FILTER,
                {"type": "group", "op": "and", "negate": False, "values": [_WEB_FILTER]},
            ],
        },
    ),
    _custom("windowed-activation", window_start_offset=0, window_end_offset=86_400_000),
    # -- custom numeric ---------------------------------------------------------------------
    _custom("checkout-latency", is_numeric=True, unit="ms", success_criteria="LowerThanBaseline"),
    _custom(
        "revenue-per-user",
        is_numeric=True,
        unit="EUR",
        unit_aggregation_type="sum",
        winsor_lower_percentile=1,
        winsor_upper_percentile=99,
        winsor_include_imputed=False,
    ),
    _custom("order-value", is_numeric=True, unit="USD", unit_aggregation_type="average"),
    _custom(
        "searching-sessions",
        unit_aggregation_type="count_distinct",
        unit_aggregation_field="session_id",
    ),
    _custom(
        "warehouse-revenue",
        is_numeric=True,
        unit="USD",
        data_source=WAREHOUSE,
        value_column="amount",
        unit_aggregation_type="sum",
        window_start_offset=3_600_000,
        window_end_offset=604_800_000,
    ),
    _custom(
        "conversion-ratio",
        data_source=WAREHOUSE,
        denominator={
            "event_name": "sessions",
            "is_numeric": False,
            "data_source": WAREHOUSE,
            "unit_aggregation_type": "count_distinct",
            "unit_aggregation_field": "session_id",
            "filters": _WEB_FILTER,
            "window_start_offset": 0,
            "window_end_offset": 86_400_000,
        },
    ),
    _custom(
        "revenue-per-visit",
        is_numeric=True,
        unit="USD",
        data_source=WAREHOUSE,
        value_column="revenue",
        denominator={
            "event_name": "visits",
            "is_numeric": True,
            "value_column": "visit_count",
            "unit_aggregation_type": "sum",
            "winsor_lower_percentile": 5,
            "winsor_upper_percentile": 95,
            "winsor_include_imputed": True,
        },
    ),
    # -- percentile -------------------------------------------------------------------------
    _custom(
        "page-load-p95",
        is_numeric=True,
        unit="ms",
        success_criteria="LowerThanBaseline",
        analysis_type="percentile",
        percentile_value=95,
        analysis_units=["device", "organization"],
        filters={
            "type": "group",
            "op": "and",
            "negate": False,
            "values": [_PLAN_FILTER, {**_WEB_FILTER, "negate": True}],
        },
        tags=["performance"],
    ),
    _custom(
        "cart-value-p50",
        is_numeric=True,
        unit="USD",
        analysis_type="percentile",
        percentile_value=50,
        event_default={"disabled": True, "value": 0},
    ),
    _custom(
        "api-latency-p99",
        is_numeric=True,
        unit="ms",
        success_criteria="LowerThanBaseline",
        analysis_type="percentile",
        percentile_value=99,
    ),
    # -- pageview ---------------------------------------------------------------------------
    {
        "project_key": PROJECT,
        "key": "pricing-viewed",
        "name": "Pricing viewed",
        "kind": "pageview",
        "urls": [
            {"kind": "substring", "substring": "/pricing"},
            {"kind": "regex", "pattern": r"^https://example\.com/plans/.*$"},
        ],
        "tags": ["marketing"],
    },
    {
        "project_key": PROJECT,
        "key": "home-viewed",
        "name": "Home viewed",
        "kind": "pageview",
        "urls": [{"kind": "canonical", "url": "https://example.com/"}],
    },
    {
        "project_key": PROJECT,
        "key": "docs-viewed",
        "name": "Docs viewed",
        "kind": "pageview",
        "urls": [{"kind": "exact", "url": "https://example.com/docs"}],
        "analysis_units": ["user"],
        "description": "Any docs page",
    },
    # -- click ------------------------------------------------------------------------------
    {
        "project_key": PROJECT,
        "key": "buy-clicked",
        "name": "Buy clicked",
        "kind": "click",
        "selector": "button.buy-now",
        "urls": [{"kind": "exact", "url": "https://example.com/checkout"}],
    },
    {
        "project_key": PROJECT,
        "key": "cta-clicked",
        "name": "CTA clicked",
        "kind": "click",
        "selector": "a.start-trial",
        "urls": [
            {"kind": "canonical", "url": "https://example.com/"},
            {"kind": "substring", "substring": "/landing"},
        ],
        "tags": ["marketing", "growth"],
        "maintainer_id": MAINTAINER,
    },
    # -- trace ------------------------------------------------------------------------------
    {
        "project_key": PROJECT,
        "key": "api-error-duration",
        "name": "API error duration",
        "kind": "trace",
        "trace_query": 'service.name = "api" and status = "error"',
        "trace_value_location": "duration",
        "is_numeric": True,
        "unit": "ms",
        "success_criteria": "LowerThanBaseline",
    },
    {
        "project_key": PROJECT,
        "key": "checkout-span-seen",
        "name": "Checkout span seen",
        "kind": "trace",
        "trace_query": 'span.name = "checkout"',
        "trace_value_location": "attributes.count",
    },
    # -- a second project -------------------------------------------------------------------
    {**_custom("signup-completed"), "project_key": OTHER_PROJECT, "resource_name": "other-signup"},
    {**_custom("login"), "project_key": OTHER_PROJECT},
    {
        "project_key": OTHER_PROJECT,
        "key": "settings-viewed",
        "name": "Settings viewed",
        "kind": "pageview",
        "urls": [{"kind": "regex", "pattern": "/settings(/.*)?$"}],
    },
    {**_custom("logout", is_numeric=True, unit="s"), "project_key": OTHER_PROJECT},
]


def catalog() -> list[dict[str, Any]]:
    """A fresh deep copy of the catalog entries (``Metric`` kwargs + optional resource_name)."""
    return copy.deepcopy(_METRICS)


def resource_name(entry: dict[str, Any]) -> str:
    """The Pulumi resource name the program gives an entry."""
    return str(entry.get("resource_name") or entry["key"])
