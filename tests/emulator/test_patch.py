"""PATCH with RFC 6902 JSON Patch (reference §3, §6, §7)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .helpers import CUSTOM, METRICS, NUMERIC, PAGEVIEW, assert_error, create

URL = f"{METRICS}/signup"


def patch(client: httpx.Client, ops: Any, url: str = URL) -> httpx.Response:
    return client.patch(url, json=ops)


def test_real_change_bumps_version_and_version_id(client: httpx.Client) -> None:
    created = create(client, CUSTOM)
    response = patch(client, [{"op": "replace", "path": "/name", "value": "Sign-up"}])
    assert response.status_code == 200
    rep = response.json()
    assert rep["name"] == "Sign-up"
    assert rep["_version"] == 2
    assert rep["_versionId"] != created["_versionId"]
    assert (rep["_id"], rep["_creationDate"]) == (created["_id"], created["_creationDate"])
    assert client.get(URL).json() == rep


@pytest.mark.parametrize(
    "ops",
    [
        [],
        [{"op": "replace", "path": "/name", "value": "signup"}],
        [{"op": "replace", "path": "/kind", "value": "custom"}],
        [{"op": "add", "path": "/bogus", "value": 1}],
        [{"op": "test", "path": "/_version", "value": 1}],
        [{"op": "remove", "path": "/tags"}],
    ],
    ids=["empty", "same-name", "same-kind", "unknown-field", "test-only", "remove-defaulted"],
)
def test_no_op_patch_keeps_version(client: httpx.Client, ops: list[dict[str, Any]]) -> None:
    created = create(client, CUSTOM)
    response = patch(client, ops)
    assert response.status_code == 200, response.text
    assert response.json()["_version"] == 1
    assert response.json()["_versionId"] == created["_versionId"]
    assert client.get(URL).json() == created


def test_failing_op_in_the_middle_leaves_metric_untouched(client: httpx.Client) -> None:
    created = create(client, CUSTOM)
    ops = [
        {"op": "replace", "path": "/name", "value": "changed"},
        {"op": "remove", "path": "/nope"},  # outside the representation: fails (RFC 6902)
        {"op": "replace", "path": "/tags", "value": ["x"]},
    ]
    assert_error(patch(client, ops), 400, "invalid_request")
    assert client.get(URL).json() == created


def test_failed_test_op_is_400_and_applies_nothing(client: httpx.Client) -> None:
    created = create(client, CUSTOM)
    ops = [
        {"op": "replace", "path": "/name", "value": "changed"},
        {"op": "test", "path": "/_version", "value": 7},
    ]
    error = assert_error(patch(client, ops), 400, "invalid_request")
    assert "test" in error["message"]
    assert client.get(URL).json() == created


def test_test_op_as_precondition_succeeds(client: httpx.Client) -> None:
    create(client, CUSTOM)
    ops = [
        {"op": "test", "path": "/_version", "value": 1},
        {"op": "add", "path": "/description", "value": "d"},
    ]
    assert patch(client, ops).json()["_version"] == 2


def test_remove_of_defaulted_field_refills_default(client: httpx.Client) -> None:
    create(client, {**NUMERIC, "key": "signup", "tags": ["a"], "unitAggregationType": "sum"})
    ops = [
        {"op": "remove", "path": "/successCriteria"},
        {"op": "remove", "path": "/tags"},
        {"op": "remove", "path": "/unitAggregationType"},
        {"op": "remove", "path": "/eventDefault"},
        {"op": "remove", "path": "/analysisUnits"},
    ]
    rep = patch(client, ops).json()
    assert rep["successCriteria"] == "HigherThanBaseline"  # was LowerThanBaseline
    assert rep["tags"] == []
    assert rep["unitAggregationType"] == "average"
    assert rep["eventDefault"] == {"disabled": False, "value": 0}
    assert rep["analysisUnits"] == rep["randomizationUnits"] == ["user"]
    assert rep["_version"] == 2


def test_nested_pointer_and_percentile_switch(client: httpx.Client) -> None:
    create(client, {**NUMERIC, "key": "signup"})
    ops = [
        {"op": "replace", "path": "/analysisType", "value": "percentile"},
        {"op": "add", "path": "/percentileValue", "value": 90},
        {"op": "replace", "path": "/eventDefault/disabled", "value": True},
    ]
    rep = patch(client, ops).json()
    assert (rep["analysisType"], rep["percentileValue"], rep["eventDefault"]["disabled"]) == (
        "percentile",
        90,
        True,
    )
    # Clearing with null (as the Terraform provider does) removes the field.
    ops = [
        {"op": "replace", "path": "/analysisType", "value": "mean"},
        {"op": "replace", "path": "/percentileValue", "value": None},
    ]
    rep = patch(client, ops).json()
    assert "percentileValue" not in rep
    assert rep["_version"] == 3


def test_randomization_units_is_an_alias_write(client: httpx.Client) -> None:
    create(client, CUSTOM)
    rep = patch(client, [{"op": "replace", "path": "/randomizationUnits", "value": ["org"]}]).json()
    assert rep["analysisUnits"] == rep["randomizationUnits"] == ["org"]


@pytest.mark.parametrize(
    "path", ["/key", "/_id", "/_version", "/_links/self", "/lastModified", "/archived"]
)
def test_read_only_paths_are_400(client: httpx.Client, path: str) -> None:
    created = create(client, CUSTOM)
    error = assert_error(
        patch(client, [{"op": "replace", "path": path, "value": "x"}]), 400, "invalid_request"
    )
    assert "read-only" in error["message"]
    assert client.get(URL).json() == created


@pytest.mark.parametrize(
    "content",
    [
        b'{"op": "replace", "path": "/name", "value": "x"}',
        b'{"patch": [], "comment": "c"}',
        b"nonsense",
        b'[{"op": "move", "from": "/name", "path": "/description"}]',
        b'[{"op": "replace", "path": "name", "value": "x"}]',
        b'[{"op": "replace", "path": "/name"}]',
        b"[42]",
    ],
    ids=["object", "envelope", "not-json", "move", "bad-pointer", "no-value", "not-an-op"],
)
def test_malformed_patch_is_400(client: httpx.Client, content: bytes) -> None:
    create(client, CUSTOM)
    response = client.patch(URL, content=content, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_request")


def test_patch_producing_an_invalid_metric_is_400_and_stores_nothing(
    client: httpx.Client,
) -> None:
    created = create(client, CUSTOM)
    for ops in (
        [{"op": "replace", "path": "/isNumeric", "value": True}],  # numeric needs a unit
        [{"op": "remove", "path": "/eventKey"}],
        [{"op": "replace", "path": "/kind", "value": "pageview"}],  # pageview needs urls
        [{"op": "replace", "path": "/name", "value": 5}],
    ):
        assert_error(patch(client, ops), 400, "invalid_request")
    assert client.get(URL).json() == created


def test_kind_change_is_accepted_when_the_result_is_valid(client: httpx.Client) -> None:
    create(client, CUSTOM)
    ops = [
        {"op": "replace", "path": "/kind", "value": "pageview"},
        {"op": "remove", "path": "/eventKey"},
        {"op": "remove", "path": "/successCriteria"},
        {"op": "add", "path": "/urls", "value": PAGEVIEW["urls"]},
    ]
    rep = patch(client, ops).json()
    assert rep["kind"] == "pageview" and "successCriteria" not in rep


def test_patch_unknown_metric_is_404(client: httpx.Client) -> None:
    assert_error(patch(client, [], url=f"{METRICS}/nope"), 404, "not_found")


@pytest.mark.parametrize("value", [True, False])
def test_is_active_write_is_accepted_and_ignored(client: httpx.Client, value: bool) -> None:
    # LaunchDarkly's Terraform provider (v2) sends it on every update; the field is computed.
    created = create(client, CUSTOM)
    response = patch(client, [{"op": "replace", "path": "/isActive", "value": value}])
    assert response.status_code == 200, response.text
    assert response.json() == created  # no effective change: no new version either


@pytest.mark.parametrize("op", ["replace", "remove"])
def test_replace_or_remove_of_an_unset_editable_field_is_accepted(
    client: httpx.Client, op: str
) -> None:
    created = create(client, CUSTOM)
    assert "description" not in created and "percentileValue" not in created
    ops: list[dict[str, Any]] = [{"op": op, "path": "/percentileValue"}]
    if op == "replace":
        ops = [{**ops[0], "value": None}, {"op": "replace", "path": "/description", "value": "d"}]
    rep = patch(client, ops).json()
    assert "percentileValue" not in rep
    assert rep.get("description") == ("d" if op == "replace" else None)


def test_replace_outside_the_representation_is_400(client: httpx.Client) -> None:
    created = create(client, CUSTOM)
    ops = [{"op": "replace", "path": "/eventDefault/nope/deeper", "value": 1}]
    assert_error(patch(client, ops), 400, "invalid_request")
    assert_error(
        patch(client, [{"op": "replace", "path": "/nope", "value": 1}]), 400, "invalid_request"
    )
    assert client.get(URL).json() == created
