"""Create / get / delete over a real socket, and the server defaults."""

from __future__ import annotations

import re

import httpx
import pytest

from pulumi_ldmetrics.emulator import DEFAULTS, Emulator, EmulatorServer, member_id_for_token

from .helpers import (
    CLICK,
    CUSTOM,
    METRICS,
    NUMERIC,
    PAGEVIEW,
    TOKEN,
    assert_error,
    create,
    new_client,
)


def test_create_returns_201_with_server_fields_and_defaults(client: httpx.Client) -> None:
    response = client.post(METRICS, json=CUSTOM)
    assert response.status_code == 201
    rep = response.json()
    assert re.fullmatch(r"[0-9a-f]{24}", rep["_id"])
    assert rep["_version"] == 1
    assert rep["_versionId"]
    assert abs(rep["_creationDate"] - __import__("time").time() * 1000) < 60_000
    assert rep["_links"] == {
        "self": {"href": "/api/v2/metrics/proj/signup", "type": "application/json"},
        "parent": {"href": "/api/v2/metrics/proj", "type": "application/json"},
    }
    assert rep["_site"] == {"href": "/proj/metrics/signup/details", "type": "text/html"}
    member = member_id_for_token(TOKEN)
    assert rep["maintainerId"] == member == rep["_maintainer"]["_id"]
    assert rep["name"] == "signup"
    assert rep["tags"] == []
    assert rep["isNumeric"] is False
    assert rep["successCriteria"] == "HigherThanBaseline"
    assert rep["unitAggregationType"] == "average"
    assert rep["analysisType"] == "mean"
    assert rep["eventDefault"] == {"disabled": False, "value": 0}
    assert rep["analysisUnits"] == rep["randomizationUnits"] == ["user"]
    assert rep["dataSource"] == {"key": "launchdarkly-hosted", "_name": "LaunchDarkly hosted"}
    assert (rep["experimentCount"], rep["metricGroupCount"]) == (0, 0)
    assert (rep["isActive"], rep["archived"]) == (True, False)
    assert rep["lastModified"]["date"].endswith("Z")
    for absent in ("description", "unit", "selector", "urls", "percentileValue", "filters"):
        assert absent not in rep


def test_defaults_table_matches_what_the_server_fills(client: httpx.Client) -> None:
    rep = create(client, CUSTOM)
    for field, value in DEFAULTS.items():
        assert rep[field] == value, field


def test_member_id_is_deterministic_24_hex() -> None:
    assert member_id_for_token("a") == member_id_for_token("a")
    assert member_id_for_token("a") != member_id_for_token("b")
    assert re.fullmatch(r"[0-9a-f]{24}", member_id_for_token("a"))


@pytest.mark.parametrize(
    ("body", "success"),
    [
        (PAGEVIEW, None),
        (CLICK, None),
        (CUSTOM, "HigherThanBaseline"),
        (NUMERIC, "LowerThanBaseline"),
    ],
    ids=["pageview", "click", "custom", "numeric-explicit"],
)
def test_success_criteria_default_depends_on_kind(
    client: httpx.Client, body: dict[str, object], success: str | None
) -> None:
    assert create(client, body).get("successCriteria") == success


def test_percentile_event_default_is_disabled_and_fills_missing_subfields(
    client: httpx.Client,
) -> None:
    rep = create(
        client,
        {**NUMERIC, "analysisType": "percentile", "percentileValue": 95, "eventDefault": {}},
    )
    assert rep["eventDefault"] == {"disabled": True, "value": 0}
    rep = create(client, {**CUSTOM, "key": "c2", "eventDefault": {"value": 0}})
    assert rep["eventDefault"] == {"disabled": False, "value": 0}


def test_randomization_units_only_is_used_as_analysis_units(client: httpx.Client) -> None:
    rep = create(client, {**CUSTOM, "randomizationUnits": ["org"]})
    assert rep["analysisUnits"] == rep["randomizationUnits"] == ["org"]
    rep = create(client, {**CUSTOM, "key": "k2", "analysisUnits": ["user", "request"]})
    assert rep["randomizationUnits"] == ["user", "request"]


def test_optional_fields_are_echoed_and_unknown_fields_ignored(client: httpx.Client) -> None:
    rep = create(
        client,
        {
            **NUMERIC,
            "name": "Latency",
            "description": "p50",
            "tags": ["a"],
            "dataSource": {"key": "wh", "environmentKey": "prod", "bogus": 1},
            "isActive": False,
            "surprise": {"x": 1},
        },
    )
    assert rep["name"] == "Latency" and rep["description"] == "p50" and rep["tags"] == ["a"]
    assert rep["dataSource"] == {"key": "wh", "environmentKey": "prod"}
    assert "surprise" not in rep
    assert rep["isActive"] is True  # read-only, the body's value is ignored


def test_get_returns_stored_metric_and_ignores_unknown_expand(client: httpx.Client) -> None:
    created = create(client, CUSTOM)
    response = client.get(f"{METRICS}/signup", params={"expand": "experiments,bogus"})
    assert response.status_code == 200
    assert response.json() == created


def test_get_unknown_metric_is_404(client: httpx.Client) -> None:
    assert_error(client.get(f"{METRICS}/nope"), 404, "not_found")


def test_delete_returns_204_empty_then_404(client: httpx.Client) -> None:
    create(client, CUSTOM)
    response = client.delete(f"{METRICS}/signup")
    assert response.status_code == 204
    assert response.content == b""
    assert_error(client.get(f"{METRICS}/signup"), 404, "not_found")
    assert_error(client.delete(f"{METRICS}/signup"), 404, "not_found")


def test_duplicate_key_is_409_conflict(client: httpx.Client) -> None:
    create(client, CUSTOM)
    body = assert_error(client.post(METRICS, json=CUSTOM), 409, "conflict")
    assert body["message"] == "A metric with that key already exists"


def test_duplicate_status_400_option() -> None:
    with EmulatorServer(Emulator(duplicate_status=400)) as server:
        with new_client(server.url) as http:
            create(http, CUSTOM)
            assert_error(http.post(METRICS, json=CUSTOM), 400, "invalid_request")


def test_same_key_in_two_projects_is_allowed(client: httpx.Client) -> None:
    create(client, CUSTOM)
    other = create(client, CUSTOM, project="other")
    assert other["_links"]["self"]["href"] == "/api/v2/metrics/other/signup"


def test_unknown_route_and_method(client: httpx.Client) -> None:
    assert_error(client.get("/api/v2/flags/proj"), 404, "not_found")
    assert_error(client.put(f"{METRICS}/signup", json={}), 405, "method_not_allowed")


def test_method_override_header_routes_post_as_delete(client: httpx.Client) -> None:
    create(client, CUSTOM)
    response = client.post(f"{METRICS}/signup", headers={"X-HTTP-Method-Override": "DELETE"})
    assert response.status_code == 204
