"""400 invalid_request for bodies the real API rejects (reference §4, §5)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .helpers import CLICK, CUSTOM, METRICS, NUMERIC, PAGEVIEW, TRACE, assert_error

GROUP = {"type": "group", "op": "and", "negate": False, "values": [{"type": "eventProperty"}]}

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("missing-key", {"kind": "custom", "eventKey": "e"}, "key: is required"),
    ("missing-kind", {"key": "k"}, "kind: is required"),
    ("bad-key", {**CUSTOM, "key": "-bad"}, "key: must start with a letter or digit"),
    ("key-newline", {**CUSTOM, "key": "signup\n"}, "key: must start with a letter or digit"),
    ("bad-kind", {**CUSTOM, "kind": "funnel"}, "kind: must be one of"),
    ("name-type", {**CUSTOM, "name": 3}, "name: must be a string"),
    ("tags-type", {**CUSTOM, "tags": ["a", 1]}, "tags: must be a list of strings"),
    ("isNumeric-type", {**CUSTOM, "isNumeric": "yes"}, "isNumeric: must be a boolean"),
    ("percentile-float", {**CUSTOM, "percentileValue": 1.5}, "percentileValue: must be an integer"),
    ("click-no-selector", {**CLICK, "selector": None}, "selector: click metrics require"),
    ("click-no-urls", {**CLICK, "urls": []}, "urls: click metrics require 'urls'"),
    ("pageview-no-urls", {"key": "p", "kind": "pageview"}, "urls: pageview metrics require"),
    ("custom-no-eventKey", {"key": "c", "kind": "custom"}, "eventKey: custom metrics require"),
    ("trace-no-query", {**TRACE, "traceQuery": None}, "traceQuery: trace metrics require"),
    (
        "numeric-trace-no-location",
        {**TRACE, "traceValueLocation": None},
        "traceValueLocation: numeric trace metrics require",
    ),
    ("numeric-no-unit", {**NUMERIC, "unit": None}, "unit: numeric metrics require 'unit'"),
    ("url-kind", {**PAGEVIEW, "urls": [{"kind": "glob"}]}, "urls[0].kind"),
    ("analysisType", {**CUSTOM, "analysisType": "median"}, "analysisType: must be one of"),
    (
        "percentile-no-value",
        {**CUSTOM, "analysisType": "percentile"},
        "percentileValue: percentileValue is required",
    ),
    (
        "percentile-range",
        {**NUMERIC, "analysisType": "percentile", "percentileValue": 100},
        "between 1 and 99",
    ),
    ("aggregation", {**CUSTOM, "unitAggregationType": "max"}, "unitAggregationType: must be"),
    (
        "count-distinct-field",
        {**CUSTOM, "unitAggregationType": "count_distinct"},
        "unitAggregationField: unitAggregationField is required",
    ),
    ("success-enum", {**NUMERIC, "successCriteria": ""}, "successCriteria: must be one of"),
    (
        "winsor-range",
        {**NUMERIC, "winsorLowerPercentile": 0},
        "winsorLowerPercentile: must be strictly between 0 and 100",
    ),
    (
        "winsor-order",
        {**NUMERIC, "winsorLowerPercentile": 90, "winsorUpperPercentile": 10},
        "must be greater than winsorLowerPercentile",
    ),
    ("maintainer", {**CUSTOM, "maintainerId": "abc"}, "maintainerId: must be a member id of 24"),
    (
        "filter-required",
        {**CUSTOM, "filters": {"type": "eventProperty"}},
        "filters.op: is required",
    ),
    (
        "filter-type",
        {**CUSTOM, "filters": {"type": "x", "op": "in", "values": [], "negate": False}},
        "filters.type: must be one of",
    ),
    ("filter-group-child", {**CUSTOM, "filters": GROUP}, "filters.values[0].op: is required"),
    ("filter-array", {**CUSTOM, "filters": [GROUP]}, "filters: must be an object"),
    ("denominator-eventName", {**CUSTOM, "denominator": {"isNumeric": True}}, "eventName: is req"),
    ("dataSource-key", {**CUSTOM, "dataSource": {"environmentKey": "e"}}, "dataSource.key"),
    (
        "denominator-winsor",
        {**CUSTOM, "denominator": {"eventName": "e", "winsorLowerPercentile": 120}},
        "denominator.winsorLowerPercentile",
    ),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_create_is_400(client: httpx.Client, body: dict[str, Any], expected: str) -> None:
    body = {k: v for k, v in body.items() if v is not None}
    error = assert_error(client.post(METRICS, json=body), 400, "invalid_request")
    assert expected in error["message"]
    # Nothing is stored on a failed create.
    assert client.get(METRICS).json()["totalCount"] == 0


def test_every_problem_is_reported(client: httpx.Client) -> None:
    error = assert_error(
        client.post(METRICS, json={"key": "k", "kind": "click", "isNumeric": True}),
        400,
        "invalid_request",
    )
    for part in ("selector: click", "urls: click", "unit: numeric"):
        assert part in error["message"]


ADVISORY: list[tuple[str, dict[str, Any]]] = [
    ("click-unit", {**CLICK, "unit": "ms"}),
    ("click-success", {**CLICK, "successCriteria": "HigherThanBaseline"}),
    ("click-eventKey", {**CLICK, "eventKey": "e"}),
    ("pageview-selector", {**PAGEVIEW, "selector": "a"}),
    ("custom-urls", {**CUSTOM, "urls": PAGEVIEW["urls"]}),
    ("trace-eventKey", {**TRACE, "eventKey": "e"}),
    ("url-missing-field", {**PAGEVIEW, "urls": [{"kind": "regex"}]}),
    ("url-extra-field", {**PAGEVIEW, "urls": [{"kind": "exact", "url": "u", "pattern": "p"}]}),
    ("mean-with-percentile", {**CUSTOM, "percentileValue": 50}),
    (
        "percentile-include-units",
        {
            **NUMERIC,
            "analysisType": "percentile",
            "percentileValue": 5,
            "eventDefault": {"disabled": False},
        },
    ),
    ("click-trace-window-tag", {**CLICK, "traceQuery": "q", "windowStartOffset": -5, "tags": [""]}),
    ("conversion-trace-no-location", {**TRACE, "isNumeric": False, "traceValueLocation": None}),
]


@pytest.mark.parametrize("body", [c[1] for c in ADVISORY], ids=[c[0] for c in ADVISORY])
def test_advisory_rules_are_accepted(client: httpx.Client, body: dict[str, Any]) -> None:
    # The Terraform provider's plan-time opinions are not the API's rules (models/ruleset.py):
    # LaunchDarkly may hold such metrics, so the emulator stores them.
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post(METRICS, json=body)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "content", [b"not json", b"[1, 2]", b""], ids=["garbage", "array", "empty"]
)
def test_non_object_body_is_400(client: httpx.Client, content: bytes) -> None:
    response = client.post(METRICS, content=content, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_request")


def test_empty_strings_for_unused_fields_are_tolerated(client: httpx.Client) -> None:
    # The Terraform provider sends "" for fields the kind does not use (reference §11).
    response = client.post(METRICS, json={**PAGEVIEW, "unit": "", "eventKey": "", "selector": ""})
    assert response.status_code == 201, response.text


def test_invalid_project_key_is_404(client: httpx.Client) -> None:
    assert_error(client.post("/api/v2/metrics/-bad", json=CUSTOM), 404, "not_found")


def test_a_project_key_with_a_trailing_newline_is_unknown(client: httpx.Client) -> None:
    # The shared KEY_PATTERN ends in \Z: `$` also matched before a final "\n".
    assert_error(client.post(f"{METRICS}%0A", json=CUSTOM), 404, "not_found")
