"""Deterministic metric specs covering every kind and field group, for seeding the emulator.

Shared by the import tests, the e2e test and `benchmarks/import_bench.py`. Specs are snake_case
`Metric` inputs; `seed_project` POSTs them over HTTP with the real client, sending only what each
spec declares (`wire_document`, not normalized), so the server fills its own defaults in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.models import MetricSpec, wire_document

OTHER_MAINTAINER = "0123456789abcdef01234567"


def _custom(i: int) -> dict[str, Any]:
    return {"kind": "custom", "event_key": f"event-{i}"}


def _variants() -> list[Callable[[int], dict[str, Any]]]:
    """One function per field group; spec i uses variant i % len(variants)."""
    return [
        lambda i: _custom(i),
        lambda i: {  # numeric percentile; event_default left to its percentile default
            **_custom(i),
            "is_numeric": True,
            "unit": "ms",
            "success_criteria": "LowerThanBaseline",
            "analysis_type": "percentile",
            "percentile_value": 90 + i % 9,
        },
        lambda i: {  # count_distinct, non-default analysis units
            **_custom(i),
            "is_numeric": True,
            "unit": "users",
            "unit_aggregation_type": "count_distinct",
            "unit_aggregation_field": "user_id",
            "analysis_units": ["org"],
        },
        lambda i: {  # nested filters, tags (unsorted), description
            **_custom(i),
            "description": f"Checkout funnel step {i}, \"quoted\" and 'single'",
            "tags": ["zeta", "checkout", f"team-{i % 3}"],
            "filters": {
                "type": "group",
                "op": "and",
                "values": [
                    {
                        "type": "contextAttribute",
                        "attribute": "country",
                        "op": "in",
                        "values": ["de", "fr", "it"],
                        "contextKind": "user",
                        "negate": False,
                    },
                    {
                        "type": "eventProperty",
                        "attribute": "amount",
                        "op": "greaterThan",
                        "values": [10.5],
                        "negate": True,
                    },
                ],
                "negate": False,
            },
        },
        lambda i: {  # winsorization and measurement window
            **_custom(i),
            "is_numeric": True,
            "unit": "USD",
            "unit_aggregation_type": "sum",
            "winsor_lower_percentile": 1.5,
            "winsor_upper_percentile": 99.0,
            "winsor_include_imputed": i % 2 == 0,
            "window_start_offset": 0,
            "window_end_offset": 86_400_000,
        },
        lambda i: {  # pageview URL matchers
            "kind": "pageview",
            "urls": [
                {"kind": "exact", "url": f"https://shop.example.com/checkout/{i}"},
                {"kind": "substring", "substring": "/cart"},
            ],
        },
        lambda i: {  # click with selector and regex/canonical URLs
            "kind": "click",
            "selector": "button.buy-now",
            "urls": [
                {"kind": "regex", "pattern": r"^https://shop\.example\.com/p/\d+$"},
                {"kind": "canonical", "url": f"https://shop.example.com/product-{i}"},
            ],
        },
        lambda i: {  # trace metric
            "kind": "trace",
            "trace_query": f'service.name = "api-{i % 4}"',
            "trace_value_location": "duration",
            "is_numeric": True,
            "unit": "ms",
            "success_criteria": "LowerThanBaseline",
        },
        lambda i: {  # warehouse: data source, value column, denominator, explicit maintainer
            **_custom(i),
            "is_numeric": True,
            "unit": "USD",
            "data_source": {"key": "snowflake-prod", "environment_key": "production"},
            "value_column": "revenue",
            "maintainer_id": OTHER_MAINTAINER,
            "denominator": {
                "event_name": "sessions",
                "is_numeric": False,
                "unit_aggregation_type": "count_distinct",
                "unit_aggregation_field": "session_id",
            },
        },
        lambda i: {  # non-default event_default on mean, several analysis units
            **_custom(i),
            "event_default": {"disabled": True, "value": 0},
            "analysis_units": ["user", "device"],
        },
        lambda i: {  # everything spelled out at its default: must come back omitted
            **_custom(i),
            "is_numeric": False,
            "success_criteria": "HigherThanBaseline",
            "unit_aggregation_type": "average",
            "analysis_type": "mean",
            "event_default": {"disabled": False, "value": 0},
            "analysis_units": ["user"],
            "tags": [],
            "data_source": {"key": "launchdarkly-hosted"},
        },
    ]


def seed_specs(count: int, project_key: str = "seeded") -> list[dict[str, Any]]:
    """`count` valid specs, cycling through every variant; keys are zero-padded (`m-0007`)."""
    variants = _variants()
    specs = []
    for i in range(count):
        spec = {
            "project_key": project_key,
            "key": f"m-{i:04d}",
            "name": f"Metric {i}",
            **variants[i % len(variants)](i),
        }
        specs.append(MetricSpec.model_validate(spec).model_dump(exclude_none=True))
    return specs


def seed_project(client: LDMetricsClient, specs: list[dict[str, Any]]) -> None:
    """Create every spec over HTTP, sending only its declared fields."""
    for spec in specs:
        model = MetricSpec.model_validate(spec)
        client.create_metric(model.project_key, wire_document(model))
