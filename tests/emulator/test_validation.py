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
    ("bad-key", {**CUSTOM, "key": "-bad"}, "key: must match"),
    ("bad-kind", {**CUSTOM, "kind": "funnel"}, "kind: must be one of"),
    ("name-type", {**CUSTOM, "name": 3}, "name: must be a string"),
    ("tags-type", {**CUSTOM, "tags": ["a", 1]}, "tags: must be a list of strings"),
    ("isNumeric-type", {**CUSTOM, "isNumeric": "yes"}, "isNumeric: must be a boolean"),
    ("percentile-float", {**CUSTOM, "percentileValue": 1.5}, "percentileValue: must be an integer"),
    ("click-no-selector", {**CLICK, "selector": None}, "selector: is required for click"),
    ("click-no-urls", {**CLICK, "urls": []}, "urls: is required for click"),
    ("click-unit", {**CLICK, "unit": "ms"}, "unit: is not allowed for click"),
    ("click-success", {**CLICK, "successCriteria": "HigherThanBaseline"}, "successCriteria: is"),
    ("click-eventKey", {**CLICK, "eventKey": "e"}, "eventKey: is not allowed"),
    ("pageview-no-urls", {"key": "p", "kind": "pageview"}, "urls: is required for pageview"),
    ("pageview-selector", {**PAGEVIEW, "selector": "a"}, "selector: is not allowed"),
    ("custom-no-eventKey", {"key": "c", "kind": "custom"}, "eventKey: is required for custom"),
    ("custom-urls", {**CUSTOM, "urls": PAGEVIEW["urls"]}, "urls: is not allowed for custom"),
    ("trace-no-query", {**TRACE, "traceQuery": None}, "traceQuery: is required for trace"),
    ("trace-eventKey", {**TRACE, "eventKey": "e"}, "eventKey: is not allowed for trace"),
    ("numeric-no-unit", {**NUMERIC, "unit": None}, "unit: is required for numeric"),
    ("url-missing-field", {**PAGEVIEW, "urls": [{"kind": "regex"}]}, "urls[0].pattern"),
    (
        "url-extra-field",
        {**PAGEVIEW, "urls": [{"kind": "exact", "url": "u", "pattern": "p"}]},
        "urls[0].pattern: is not allowed",
    ),
    ("url-kind", {**PAGEVIEW, "urls": [{"kind": "glob"}]}, "urls[0].kind"),
    ("analysisType", {**CUSTOM, "analysisType": "median"}, "analysisType: must be one of"),
    ("percentile-no-value", {**CUSTOM, "analysisType": "percentile"}, "percentileValue: is req"),
    (
        "percentile-range",
        {**NUMERIC, "analysisType": "percentile", "percentileValue": 100},
        "between 1 and 99",
    ),
    ("mean-with-percentile", {**CUSTOM, "percentileValue": 50}, "mean type metrics"),
    (
        "percentile-include-units",
        {
            **NUMERIC,
            "analysisType": "percentile",
            "percentileValue": 5,
            "eventDefault": {"disabled": False},
        },
        "eventDefault.disabled",
    ),
    ("aggregation", {**CUSTOM, "unitAggregationType": "max"}, "unitAggregationType: must be"),
    (
        "count-distinct-field",
        {**CUSTOM, "unitAggregationType": "count_distinct"},
        "unitAggregationField: is required",
    ),
    ("success-enum", {**NUMERIC, "successCriteria": ""}, "successCriteria: must be one of"),
    ("winsor-range", {**NUMERIC, "winsorLowerPercentile": 0}, "open interval (0, 100)"),
    (
        "winsor-order",
        {**NUMERIC, "winsorLowerPercentile": 90, "winsorUpperPercentile": 10},
        "must be greater than winsorLowerPercentile",
    ),
    ("maintainer", {**CUSTOM, "maintainerId": "abc"}, "maintainerId: must be 24"),
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
    ("dataSource-key", {**CUSTOM, "dataSource": {"environmentKey": "e"}}, "dataSource.key"),
    (
        "denominator-winsor",
        {**CUSTOM, "denominator": {"winsorLowerPercentile": 120}},
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
        client.post(METRICS, json={"key": "k", "kind": "click", "unit": "ms"}),
        400,
        "invalid_request",
    )
    for part in ("selector: is required", "urls: is required", "unit: is not allowed"):
        assert part in error["message"]


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
