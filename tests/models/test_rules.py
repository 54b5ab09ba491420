"""Every validation rule, with a valid and an invalid case, reported as (field path, message)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_ldmetrics.models import validate_spec
from pulumi_ldmetrics.models.rules import assess

BASE: dict[str, dict[str, Any]] = {
    "custom": {
        "project_key": "web",
        "key": "signup",
        "name": "Signup",
        "kind": "custom",
        "event_key": "signup",
    },
    "pageview": {
        "project_key": "web",
        "key": "pv",
        "name": "Pageview",
        "kind": "pageview",
        "urls": [{"kind": "substring", "substring": "/checkout"}],
    },
    "click": {
        "project_key": "web",
        "key": "clk",
        "name": "Click",
        "kind": "click",
        "selector": ".buy",
        "urls": [{"kind": "exact", "url": "https://example.com/"}],
    },
    "trace": {
        "project_key": "web",
        "key": "tr",
        "name": "Trace",
        "kind": "trace",
        "trace_query": 'service.name = "checkout"',
        "trace_value_location": "duration",
        "is_numeric": True,
        "unit": "ms",
    },
}


def spec(base: str, **changes: Any) -> dict[str, Any]:
    data = {**BASE[base], **changes}
    return {k: v for k, v in data.items() if v is not None}


VALID = [
    pytest.param(spec("custom"), id="custom-conversion"),
    pytest.param(
        spec("custom", is_numeric=True, unit="ms", success_criteria="LowerThanBaseline"),
        id="custom-numeric",
    ),
    pytest.param(spec("pageview"), id="pageview"),
    pytest.param(spec("click"), id="click"),
    pytest.param(spec("trace"), id="trace"),
    pytest.param(
        spec("custom", analysis_type="percentile", percentile_value=95, is_numeric=True, unit="ms"),
        id="percentile",
    ),
    pytest.param(
        spec(
            "custom",
            analysis_type="percentile",
            percentile_value=1,
            is_numeric=True,
            unit="ms",
            event_default={"disabled": True},
        ),
        id="percentile-1-disabled",
    ),
    pytest.param(
        spec("custom", unit_aggregation_type="count_distinct", unit_aggregation_field="user_id"),
        id="count-distinct",
    ),
    pytest.param(
        spec("custom", winsor_lower_percentile=1, winsor_upper_percentile=99.5), id="winsor"
    ),
    pytest.param(spec("custom", maintainer_id="569fdeadbeef1644facecafe"), id="maintainer"),
    pytest.param(spec("custom", key="A1._-z", project_key="Proj-1"), id="key-charset"),
    pytest.param(spec("custom", randomization_units=["user"]), id="deprecated-randomization-units"),
    pytest.param(
        spec(
            "pageview",
            urls=[
                {"kind": "regex", "pattern": "^/a+$"},
                {"kind": "canonical", "url": "https://x/"},
            ],
        ),
        id="urls",
    ),
    pytest.param(
        spec(
            "custom",
            filters={
                "type": "group",
                "op": "and",
                "negate": False,
                "values": [
                    {
                        "type": "contextAttribute",
                        "attribute": "country",
                        "op": "in",
                        "values": ["JP"],
                        "contextKind": "user",
                        "negate": False,
                    }
                ],
            },
        ),
        id="group-filter",
    ),
    pytest.param(spec("custom", window_start_offset=0, window_end_offset=3_600_000), id="window"),
    pytest.param(
        spec(
            "custom", denominator={"event_name": "checkout.started", "unit_aggregation_type": "sum"}
        ),
        id="denominator",
    ),
]


@pytest.mark.parametrize("data", VALID)
def test_valid_specs_pass(data: dict[str, Any]) -> None:
    parsed, violations = validate_spec(data)
    assert violations == []
    assert parsed is not None


INVALID = [
    (spec("custom", event_key=None), "event_key", "custom metrics require 'event_key' to be set"),
    (spec("pageview", urls=None), "urls", "pageview metrics require 'urls' to be set"),
    (spec("pageview", urls=[]), "urls", "pageview metrics require 'urls' to be set"),
    (spec("click", selector=None), "selector", "click metrics require 'selector' to be set"),
    (spec("click", urls=None), "urls", "click metrics require 'urls' to be set"),
    (
        spec("trace", trace_query=None),
        "trace_query",
        "trace metrics require 'trace_query' to be set",
    ),
    (
        spec("trace", trace_value_location=None),
        "trace_value_location",
        "numeric trace metrics require 'trace_value_location' to be set",
    ),
    (spec("custom", is_numeric=True), "unit", "numeric metrics require 'unit' to be set"),
    (
        spec("custom", analysis_type="percentile"),
        "percentile_value",
        "percentile_value is required when analysis_type is percentile",
    ),
    (
        spec("custom", analysis_type="percentile", percentile_value=100),
        "percentile_value",
        "must be between 1 and 99",
    ),
    (
        spec("custom", analysis_type="percentile", percentile_value=0),
        "percentile_value",
        "must be between 1 and 99",
    ),
    (
        spec("custom", event_default={"value": 3}),
        "event_default.value",
        "LaunchDarkly supports only 0",
    ),
    (
        spec("custom", unit_aggregation_type="count_distinct"),
        "unit_aggregation_field",
        "unit_aggregation_field is required when unit_aggregation_type is count_distinct",
    ),
    (
        spec("custom", winsor_lower_percentile=0),
        "winsor_lower_percentile",
        "must be strictly between 0 and 100",
    ),
    (
        spec("custom", winsor_upper_percentile=100),
        "winsor_upper_percentile",
        "must be strictly between 0 and 100",
    ),
    (
        spec("custom", winsor_lower_percentile=60, winsor_upper_percentile=40),
        "winsor_upper_percentile",
        "must be greater than winsor_lower_percentile",
    ),
    (
        spec("custom", key="-bad"),
        "key",
        "must start with a letter or digit and contain only letters, digits, '.', '_' or '-'",
    ),
    (
        spec("custom", key="has space"),
        "key",
        "must start with a letter or digit and contain only letters, digits, '.', '_' or '-'",
    ),
    (
        spec("custom", project_key="a/b"),
        "project_key",
        "must start with a letter or digit and contain only letters, digits, '.', '_' or '-'",
    ),
    (
        spec("custom", maintainer_id="not-hex"),
        "maintainer_id",
        "must be a member id of 24 hexadecimal characters",
    ),
    (
        spec("custom", denominator={"event_name": "e", "unit_aggregation_type": "count_distinct"}),
        "denominator.unit_aggregation_field",
        "unit_aggregation_field is required when unit_aggregation_type is count_distinct",
    ),
    (spec("custom", kind="funnel"), "kind", "Input should be"),
    (spec("custom", success_criteria="Up"), "success_criteria", "Input should be"),
    (spec("custom", unit_aggregation_type="median"), "unit_aggregation_type", "Input should be"),
    (spec("custom", analysis_type="median"), "analysis_type", "Input should be"),
    (spec("custom", percentile_value=12.5), "percentile_value", "Input should be a valid integer"),
    (spec("custom", colour="red"), "colour", "is not a metric field"),
    ({"project_key": "web", "kind": "custom", "name": "n", "event_key": "e"}, "key", "is required"),
    (
        spec("custom", filters={"type": "contextAttribute", "op": "in"}),
        "filters.values",
        "is required",
    ),
]

ADVISORY = [
    (
        spec("custom", urls=[{"kind": "exact", "url": "https://x/"}]),
        "urls",
        "custom metrics do not support 'urls'",
    ),
    (spec("custom", selector=".x"), "selector", "custom metrics do not support 'selector'"),
    (spec("pageview", selector=".x"), "selector", "pageview metrics do not support 'selector'"),
    (spec("pageview", event_key="e"), "event_key", "pageview metrics do not support 'event_key'"),
    (
        spec("pageview", success_criteria="HigherThanBaseline"),
        "success_criteria",
        "pageview metrics do not support 'success_criteria'",
    ),
    (spec("pageview", unit="ms"), "unit", "pageview metrics do not support 'unit'"),
    (spec("click", event_key="e"), "event_key", "click metrics do not support 'event_key'"),
    (spec("click", is_numeric=True, unit="ms"), "is_numeric", "click metrics cannot be numeric"),
    (spec("trace", event_key="e"), "event_key", "trace metrics do not support 'event_key'"),
    (
        spec("custom", percentile_value=50),
        "percentile_value",
        "mean type metrics can not have percentile values",
    ),
    (
        spec(
            "custom",
            analysis_type="percentile",
            percentile_value=50,
            event_default={"disabled": False},
        ),
        "event_default.disabled",
        "percentile metrics cannot include units without events (disabled must be true)",
    ),
    (spec("custom", window_start_offset=-1), "window_start_offset", "must not be negative"),
    (
        spec("custom", window_start_offset=10, window_end_offset=5),
        "window_end_offset",
        "must not be before window_start_offset",
    ),
    (spec("custom", name=" "), "name", "must not be empty"),
    (spec("custom", tags=["ok", ""]), "tags.1", "must not be empty"),
    (
        spec("pageview", urls=[{"kind": "substring", "url": "x"}]),
        "urls.0.substring",
        "substring URL matchers require 'substring'",
    ),
    (
        spec("pageview", urls=[{"kind": "exact", "url": "x", "pattern": "y"}]),
        "urls.0.pattern",
        "exact URL matchers take only 'url'",
    ),
    (
        spec("pageview", urls=[{"kind": "regex", "pattern": "("}]),
        "urls.0.pattern",
        "is not a valid regular expression",
    ),
]


@pytest.mark.parametrize(
    ("data", "path", "message"), INVALID, ids=[f"{p}:{m[:30]}" for _, p, m in INVALID]
)
def test_invalid_specs_name_the_field(data: dict[str, Any], path: str, message: str) -> None:
    _, violations = validate_spec(data)
    assert any(v.path == path and v.message.startswith(message) for v in violations), violations


@pytest.mark.parametrize(
    ("data", "path", "message"), ADVISORY, ids=[f"{p}:{m[:30]}" for _, p, m in ADVISORY]
)
def test_advisory_rules_warn_and_never_refuse(
    data: dict[str, Any], path: str, message: str
) -> None:
    # Advice (the Terraform provider's plan-time opinions, or ours) must never stop a metric
    # LaunchDarkly may already hold from being declared: a warning, and the spec parses.
    found = assess(data)
    assert found.errors == []
    assert found.spec is not None
    assert any(w.path == path and w.message.startswith(message) for w in found.warnings), (
        found.warnings
    )


def test_conversion_trace_metric_needs_no_value_location() -> None:
    # The official client documents traceValueLocation as required for numeric trace metrics
    # only; the rule used to demand it of every trace metric.
    found = assess(spec("trace", is_numeric=None, unit=None, trace_value_location=None))
    assert (found.errors, found.warnings) == ([], [])


def test_every_violation_is_reported_at_once() -> None:
    data = spec(
        "custom",
        event_key=None,
        is_numeric=True,
        analysis_type="percentile",
        winsor_lower_percentile=150,
        maintainer_id="x",
        selector=".a",
    )
    found = assess(data)
    assert {v.path for v in found.errors} == {
        "event_key",
        "unit",
        "percentile_value",
        "winsor_lower_percentile",
        "maintainer_id",
    }
    assert [v.path for v in found.warnings] == ["selector"]


def test_unknown_values_skip_rules_that_depend_on_them() -> None:
    # Preview: event_key comes from another resource and is not known yet.
    data = spec("custom", event_key=Unknown(), name=Unknown())
    parsed, violations = validate_spec(data, is_unknown=lambda v: isinstance(v, Unknown))
    assert violations == []
    assert parsed is not None


def test_unknown_kind_still_checks_independent_rules() -> None:
    data = spec("custom", kind=Unknown(), maintainer_id="zz")
    _, violations = validate_spec(data, is_unknown=lambda v: isinstance(v, Unknown))
    assert [v.path for v in violations] == ["maintainer_id"]


def test_an_unknown_field_of_a_filter_inside_a_group_is_named_as_a_filter_field() -> None:
    member = {"type": "eventProperty", "op": "in", "values": ["x"], "valuse": ["y"]}
    spec = {
        "project_key": "p",
        "key": "k",
        "name": "n",
        "kind": "custom",
        "event_key": "e",
        "filters": {"type": "group", "op": "and", "values": [member]},
    }
    _, violations = validate_spec(spec)
    assert [(v.path, v.message) for v in violations] == [
        ("filters.values.0.valuse", "is not a filter field (did you mean 'values'?)")
    ]
