"""Contract: every response validates with the official generated models (launchdarkly-api
25.0.1), and the models see the values we sent (reference §1 "companion artefacts")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from launchdarkly_api.models import MetricCollectionRep, MetricPost, MetricRep

from .helpers import CLICK, CUSTOM, METRICS, NUMERIC, PAGEVIEW, TRACE

FILTER: dict[str, Any] = {
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
        },
        {
            "type": "eventProperty",
            "attribute": "plan",
            "op": "in",
            "values": ["pro", 3],
            "negate": True,
        },
    ],
}


def as_rep(data: Any) -> MetricRep:
    rep = MetricRep.from_dict(data)
    assert rep is not None
    return rep


def as_collection(data: Any) -> MetricCollectionRep:
    collection = MetricCollectionRep.from_dict(data)
    assert collection is not None
    return collection


BODIES: dict[str, dict[str, Any]] = {
    "pageview": {
        **PAGEVIEW,
        "urls": [
            {"kind": "substring", "substring": "foo"},
            {"kind": "regex", "pattern": "^/a"},
            {"kind": "canonical", "url": "https://x.test/"},
        ],
    },
    "click": CLICK,
    "custom-conversion": {**CUSTOM, "isNumeric": False},
    "custom-numeric": NUMERIC,
    "trace": TRACE,
    "percentile": {
        **NUMERIC,
        "analysisType": "percentile",
        "percentileValue": 95,
        "eventDefault": {"disabled": True, "value": 0},
    },
    "analysis-units": {**CUSTOM, "analysisUnits": ["user", "request"]},
    "filters": {**CUSTOM, "filters": FILTER},
    "winsor-window": {
        **NUMERIC,
        "winsorLowerPercentile": 1,
        "winsorUpperPercentile": 99.5,
        "winsorIncludeImputed": True,
        "windowStartOffset": 0,
        "windowEndOffset": 86_400_000,
    },
    "data-source": {
        **NUMERIC,
        "dataSource": {"key": "snowflake", "environmentKey": "prod"},
        "valueColumn": "amount",
    },
    "denominator": {
        **NUMERIC,
        "denominator": {
            "eventName": "checkout.started",
            "isNumeric": False,
            "unitAggregationType": "sum",
            "dataSource": {"key": "snowflake"},
            "filters": FILTER["values"][0],
            "winsorLowerPercentile": 5,
            "winsorUpperPercentile": 95,
        },
    },
    "count-distinct": {
        **CUSTOM,
        "unitAggregationType": "count_distinct",
        "unitAggregationField": "session_id",
    },
    "everything-optional": {
        **NUMERIC,
        "name": "N",
        "description": "d",
        "tags": ["t"],
        "maintainerId": "569fdeadbeef1644facecafe",
        "successCriteria": "HigherThanBaseline",
    },
}


@pytest.mark.parametrize("name", list(BODIES))
def test_responses_validate_with_official_models(client: httpx.Client, name: str) -> None:
    body = BODIES[name]
    MetricPost.from_dict(body)  # our test bodies are valid requests too
    created = client.post(METRICS, json=body)
    assert created.status_code == 201, created.text
    rep = as_rep(created.json())
    assert rep.key == body["key"] and rep.kind == body["kind"]
    assert rep.links["self"].href == f"{METRICS}/{body['key']}"
    assert rep.maintainer is not None and rep.maintainer.id == rep.maintainer_id
    # Every field we sent comes back unchanged (the API "ignores" nothing valid).
    wire = created.json()
    for field, value in body.items():
        if field == "dataSource":
            assert {k: wire[field][k] for k in value} == value
        else:
            assert wire[field] == value, field

    fetched = client.get(f"{METRICS}/{body['key']}")
    assert as_rep(fetched.json()) == rep
    patched = client.patch(
        f"{METRICS}/{body['key']}", json=[{"op": "replace", "path": "/name", "value": "renamed"}]
    )
    assert as_rep(patched.json()).version == 2

    collection = as_collection(client.get(METRICS).json())
    assert collection.total_count == 1
    assert collection.items is not None and collection.items[0].key == body["key"]
    assert set(collection.links or {}) == {"self", "first", "last"}


def test_filters_survive_model_round_trip(client: httpx.Client) -> None:
    rep = as_rep(client.post(METRICS, json=BODIES["filters"]).json())
    assert rep.filters is not None and rep.filters.type == "group"
    assert rep.filters.values[0]["attribute"] == "country"
