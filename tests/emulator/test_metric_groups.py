"""Metric groups (beta) on the emulator over real sockets: the beta gate, statuses, rules,
JSON Patch, pagination, the metric-deletion guard; every response checked against the official
`launchdarkly_api` models (`MetricGroupRep`, `MetricGroupCollectionRep`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from launchdarkly_api.models import MetricGroupCollectionRep, MetricGroupPost, MetricGroupRep

from pulumi_ldmetrics.emulator import Emulator

from .helpers import PROJECT, create

BETA = {"LD-API-Version": "beta"}
GROUPS = f"/api/v2/projects/{PROJECT}/metric-groups"
MEMBER = "569fdeadbeef1644facecafe"


def metric(key: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": key.title(), "kind": "custom", "eventKey": f"{key}-event", **extra}


def funnel(key: str = "checkout", keys: tuple[str, ...] = ("cart", "paid")) -> dict[str, Any]:
    return {
        "key": key,
        "name": "Checkout funnel",
        "kind": "funnel",
        "maintainerId": MEMBER,
        "tags": [],
        "metrics": [{"key": k, "nameInGroup": f"Step {k}"} for k in keys],
    }


@pytest.fixture(autouse=True)
def metrics(client: httpx.Client) -> list[str]:
    """The metrics every group below refers to."""
    keys = ["cart", "paid", "shipped"]
    for key in keys:
        create(client, metric(key))
    return keys


def post(client: httpx.Client, body: Any, **headers: str) -> httpx.Response:
    return client.post(GROUPS, json=body, headers={**BETA, **headers})


def rep_of(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    MetricGroupRep.from_dict(body)  # the official model accepts it (strict enums included)
    return body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", GROUPS),
        ("POST", GROUPS),
        ("GET", f"{GROUPS}/g"),
        ("PATCH", f"{GROUPS}/g"),
        ("DELETE", f"{GROUPS}/g"),
    ],
)
def test_every_call_without_the_beta_header_is_403(
    client: httpx.Client, method: str, path: str
) -> None:
    for headers in ({}, {"LD-API-Version": "20240415"}):
        response = client.request(
            method, path, headers=headers, json=[] if method != "GET" else None
        )
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden" and "beta" in response.json()["message"]


def test_create_renders_the_full_rep_in_request_order(client: httpx.Client) -> None:
    body = funnel(keys=("paid", "cart", "shipped"))
    MetricGroupPost.from_dict(body)
    rep = rep_of(post(client, body), 201)
    assert [m["key"] for m in rep["metrics"]] == ["paid", "cart", "shipped"]
    assert rep["metrics"][0] == {
        "key": "paid",
        "nameInGroup": "Step paid",
        "name": "Paid",
        "kind": "custom",
        "isNumeric": False,
        "unitAggregationType": "average",
        "analysisType": "mean",
        "eventKey": "paid-event",
        "_versionId": rep["metrics"][0]["_versionId"],
        "analysisUnits": rep["metrics"][0]["analysisUnits"],
        "randomizationUnits": rep["metrics"][0]["analysisUnits"],
        "_links": {"self": {"href": f"/api/v2/metrics/{PROJECT}/paid", "type": "application/json"}},
    }
    assert rep["_version"] == 1 and rep["_creationDate"] == rep["_lastModified"]
    assert rep["maintainer"]["key"] == MEMBER and rep["maintainer"]["kind"] == "member"
    assert rep["maintainer"]["_member"]["_id"] == MEMBER
    assert rep["_links"]["self"]["href"] == f"{GROUPS}/checkout"
    assert rep_of(client.get(f"{GROUPS}/checkout", headers=BETA)) == rep


BAD_BODIES = [
    pytest.param({**funnel(), "maintainerId": ""}, "maintainer ID is required", id="no-maintainer"),
    pytest.param(
        {k: v for k, v in funnel().items() if k != "name"}, "name: is required", id="no-name"
    ),
    pytest.param({**funnel(), "kind": "journey"}, "kind: must be one of", id="kind"),
    pytest.param(
        {k: v for k, v in funnel().items() if k != "tags"}, "tags: is required", id="no-tags"
    ),
    pytest.param(
        {k: v for k, v in funnel().items() if k != "metrics"},
        "metrics: is required",
        id="no-metrics",
    ),
    pytest.param(funnel(keys=("cart",)), "at least 2 metrics", id="one-metric"),
    pytest.param(funnel(keys=("cart", "nope")), "unknown metric 'nope'", id="unknown-metric"),
    pytest.param(
        {
            **funnel(),
            "metrics": [{"key": "cart", "nameInGroup": ""}, {"key": "paid", "nameInGroup": "P"}],
        },
        "metrics[0].nameInGroup: funnel metric groups need a name",
        id="funnel-step-without-name",
    ),
    pytest.param(
        {**funnel(), "metrics": [{"key": "cart"}, {"key": "paid", "nameInGroup": "P"}]},
        "metrics[0].nameInGroup: is required",
        id="missing-step-name-field",
    ),
    pytest.param(
        {**funnel(), "maintainerId": "bob"}, "maintainerId: must be a member ID", id="bad-member"
    ),
    pytest.param(
        {k: v for k, v in funnel().items() if k != "key"}, "key: is required", id="no-key"
    ),
    pytest.param([], "body: must be a JSON object", id="not-an-object"),
]


@pytest.mark.parametrize(("body", "message"), BAD_BODIES)
def test_invalid_bodies_are_400_and_store_nothing(
    client: httpx.Client, emulator: Emulator, body: Any, message: str
) -> None:
    response = post(client, body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request" and message in response.json()["message"]
    assert emulator.metric_groups() == {}


def test_standard_groups_take_empty_step_names_and_the_strict_switch(
    client: httpx.Client, emulator: Emulator
) -> None:
    standard = {
        **funnel("std"),
        "kind": "standard",
        "metrics": [{"key": "cart", "nameInGroup": ""}, {"key": "paid", "nameInGroup": ""}],
    }
    assert rep_of(post(client, standard), 201)["kind"] == "standard"
    named = {
        **standard,
        "key": "std2",
        "metrics": [{"key": "cart", "nameInGroup": "x"}, {"key": "paid", "nameInGroup": ""}],
    }
    emulator.groups.strict_standard_names = True
    assert post(client, named).status_code == 400
    emulator.groups.strict_standard_names = False
    assert post(client, named).status_code == 201


def test_duplicate_key_is_409_and_unknown_project_404(client: httpx.Client) -> None:
    rep_of(post(client, funnel()), 201)
    again = post(client, funnel())
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert (
        client.post("/api/v2/projects/-bad/metric-groups", json=funnel(), headers=BETA).status_code
        == 404
    )


def test_patch_applies_replaces_and_bumps_version_only_on_change(client: httpx.Client) -> None:
    rep_of(post(client, funnel()), 201)
    reorder = [
        {
            "op": "replace",
            "path": "/metrics",
            "value": [
                {"key": "paid", "nameInGroup": "Step paid"},
                {"key": "cart", "nameInGroup": "Step cart"},
            ],
        },
        {"op": "replace", "path": "/description", "value": "why"},
        {"op": "replace", "path": "/tags", "value": ["b", "a"]},
    ]
    patched = rep_of(client.patch(f"{GROUPS}/checkout", json=reorder, headers=BETA))
    assert [m["key"] for m in patched["metrics"]] == ["paid", "cart"]
    assert (
        patched["_version"] == 2
        and patched["description"] == "why"
        and patched["tags"] == ["b", "a"]
    )
    same = rep_of(client.patch(f"{GROUPS}/checkout", json=reorder, headers=BETA))
    assert same["_version"] == 2
    other = "0123456789abcdef01234567"
    moved = rep_of(
        client.patch(
            f"{GROUPS}/checkout",
            json=[{"op": "replace", "path": "/maintainerId", "value": other}],
            headers=BETA,
        )
    )
    assert moved["maintainer"]["key"] == other and moved["_version"] == 3


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        ([{"op": "replace", "path": "/kind", "value": "standard"}], "kind: cannot be changed"),
        ([{"op": "replace", "path": "/key", "value": "x"}], "read-only"),
        ([{"op": "replace", "path": "/_version", "value": 9}], "read-only"),
        (
            [{"op": "replace", "path": "/metrics", "value": [{"key": "cart", "nameInGroup": "A"}]}],
            "at least 2",
        ),
        ([{"op": "replace", "path": "/metrics/0/nameInGroup", "value": ""}], "need a name"),
        ([{"op": "replace", "path": "/metrics/1/key", "value": "ghost"}], "unknown metric 'ghost'"),
        ([{"op": "replace", "path": "/nope", "value": 1}], "cannot be applied"),
        ({"op": "replace"}, "JSON Patch array"),
    ],
)
def test_bad_patches_are_400_and_change_nothing(
    client: httpx.Client, ops: Any, message: str
) -> None:
    before = rep_of(post(client, funnel()), 201)
    response = client.patch(f"{GROUPS}/checkout", json=ops, headers=BETA)
    assert response.status_code == 400 and message in response.json()["message"], response.text
    assert rep_of(client.get(f"{GROUPS}/checkout", headers=BETA)) == before


def test_delete_then_404(client: httpx.Client) -> None:
    rep_of(post(client, funnel()), 201)
    assert client.delete(f"{GROUPS}/checkout", headers=BETA).status_code == 204
    for response in (
        client.delete(f"{GROUPS}/checkout", headers=BETA),
        client.get(f"{GROUPS}/checkout", headers=BETA),
        client.patch(f"{GROUPS}/checkout", json=[], headers=BETA),
    ):
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_metric_in_a_group_cannot_be_deleted_until_removed(client: httpx.Client) -> None:
    rep_of(post(client, funnel()), 201)
    refused = client.delete(f"/api/v2/metrics/{PROJECT}/cart")
    assert (
        refused.status_code == 400
        and "used by metric group(s) checkout" in refused.json()["message"]
    )
    assert client.get(f"/api/v2/metrics/{PROJECT}/cart").status_code == 200
    swap = [
        {
            "op": "replace",
            "path": "/metrics",
            "value": [{"key": "shipped", "nameInGroup": "S"}, {"key": "paid", "nameInGroup": "P"}],
        }
    ]
    rep_of(client.patch(f"{GROUPS}/checkout", json=swap, headers=BETA))
    assert client.delete(f"/api/v2/metrics/{PROJECT}/cart").status_code == 204


def test_list_paginates_filters_and_sorts(client: httpx.Client) -> None:
    for i in range(23):
        body = (
            funnel(f"g{i:02d}")
            if i % 2
            else {
                **funnel(f"g{i:02d}"),
                "kind": "standard",
                "metrics": [{"key": "cart", "nameInGroup": ""}, {"key": "paid", "nameInGroup": ""}],
            }
        )
        rep_of(post(client, {**body, "name": f"Group {i:02d}"}), 201)

    def page(**params: Any) -> dict[str, Any]:
        response = client.get(GROUPS, params=params, headers=BETA)
        assert response.status_code == 200, response.text
        MetricGroupCollectionRep.from_dict(response.json())
        body: dict[str, Any] = response.json()
        return body

    first = page()
    assert len(first["items"]) == 20 and first["totalCount"] == 23
    assert first["_links"]["self"]["href"] == GROUPS
    rest = page(offset=20)
    assert [g["key"] for g in rest["items"]] == ["g20", "g21", "g22"]
    assert len(page(limit=50)["items"]) == 23
    assert client.get(GROUPS, params={"limit": 51}, headers=BETA).status_code == 400
    funnels = page(filter="kind equals 'funnel'", limit=50)
    assert funnels["totalCount"] == 11 and all(g["kind"] == "funnel" for g in funnels["items"])
    assert [g["key"] for g in page(filter="query equals 'g1'", limit=50)["items"]] == [
        f"g{i}" for i in range(10, 20)
    ]
    assert page(sort="-name", limit=1)["items"][0]["key"] == "g22"
    assert (
        client.get(GROUPS, params={"filter": "colour equals 'red'"}, headers=BETA).status_code
        == 400
    )
