"""Replays of what LaunchDarkly's own Terraform provider (`launchdarkly_metric`, v2.30.3) sends.

Its acceptance tests pass against the live API, so every request here is one LaunchDarkly
accepts: the emulator must too. The bodies are written out as the provider's Go client
serialises them (all plan fields, empty strings included), over a real socket.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from launchdarkly_api.models.metric_rep import MetricRep
from launchdarkly_api.models.project import Project
from launchdarkly_api.models.projects import Projects

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer

from .helpers import PROJECT, TOKEN, new_client

TF_HEADERS = {
    "User-Agent": "launchdarkly-terraform-provider/2.30.3",
    "LD-API-Version": "20240415",
}
URLS_AS_SENT = [
    {"kind": "exact", "url": "https://example.com/checkout", "substring": "", "pattern": ""},
    {"kind": "substring", "url": "", "substring": "/cart", "pattern": ""},
    {"kind": "regex", "url": "", "substring": "", "pattern": ".*/thanks$"},
]


@pytest.fixture
def tf(server: EmulatorServer) -> Iterator[httpx.Client]:
    with new_client(server.url, TOKEN) as client:
        client.headers.update(TF_HEADERS)
        yield client


def _create_body(key: str, kind: str, **fields: Any) -> dict[str, Any]:
    """`ldapi.MetricPost` as the provider fills it from a plan with only the kind's fields."""
    body: dict[str, Any] = {
        "key": key,
        "name": key,
        "description": "",
        "tags": [],
        "kind": kind,
        "isNumeric": False,
        "selector": "",
        "urls": [],
        "unit": "",
        "eventKey": "",
        "unitAggregationType": "average",
        "analysisType": "mean",
        "eventDefault": {"disabled": False},
    }
    body.update(fields)
    return body


def _update_ops(rep: dict[str, Any], **changes: Any) -> list[dict[str, Any]]:
    """The provider's update PATCH: every field replaced, plus the two it always sends."""
    values = {
        "name": rep["name"],
        "description": rep.get("description", ""),
        "tags": rep["tags"],
        "kind": rep["kind"],
        "isActive": True,
        "isNumeric": rep["isNumeric"],
        "urls": rep.get("urls", []),
        "unit": rep.get("unit", ""),
        "selector": rep.get("selector", ""),
        "eventKey": rep.get("eventKey", ""),
        "unitAggregationType": rep["unitAggregationType"],
        "analysisType": rep["analysisType"],
    }
    values.update(changes)
    ops = [{"op": "replace", "path": f"/{k}", "value": v} for k, v in values.items()]
    ops.append({"op": "replace", "path": "/eventDefault/disabled", "value": False})
    ops.append({"op": "replace", "path": "/percentileValue", "value": None})
    return ops


def test_project_lookup_before_create(tf: httpx.Client) -> None:
    response = tf.get(f"/api/v2/projects/{PROJECT}")
    assert response.status_code == 200, response.text
    project = Project.from_dict(response.json())
    assert project is not None and project.key == PROJECT


def test_pageview_metric_lifecycle_with_empty_url_fields(tf: httpx.Client) -> None:
    assert tf.get(f"/api/v2/projects/{PROJECT}").status_code == 200
    created = tf.post(
        f"/api/v2/metrics/{PROJECT}", json=_create_body("visits", "pageview", urls=URLS_AS_SENT)
    )
    assert created.status_code == 201, created.text
    rep = created.json()
    assert rep["urls"] == [
        {"kind": "exact", "url": "https://example.com/checkout"},
        {"kind": "substring", "substring": "/cart"},
        {"kind": "regex", "pattern": ".*/thanks$"},
    ]
    MetricRep.from_dict(rep)

    ops = _update_ops(rep, name="Visits", urls=URLS_AS_SENT[:2])
    updated = tf.patch(f"/api/v2/metrics/{PROJECT}/visits", json=ops)
    assert updated.status_code == 200, updated.text
    after = updated.json()
    assert (after["name"], after["_version"], after["isActive"]) == ("Visits", 2, True)
    assert after["urls"] == rep["urls"][:2]
    assert "percentileValue" not in after

    read = tf.get(f"/api/v2/metrics/{PROJECT}/visits").json()
    assert read == after
    assert tf.delete(f"/api/v2/metrics/{PROJECT}/visits").status_code == 204


def test_custom_mean_metric_update_sends_percentile_null_and_is_active(
    tf: httpx.Client, emulator: Emulator
) -> None:
    body = _create_body(
        "signup", "custom", eventKey="Signed up", successCriteria="HigherThanBaseline"
    )
    created = tf.post(f"/api/v2/metrics/{PROJECT}", json=body)
    assert created.status_code == 201, created.text
    rep = created.json()

    # Unchanged plan: the same PATCH applies nothing, so the version stays.
    same = tf.patch(f"/api/v2/metrics/{PROJECT}/signup", json=_update_ops(rep))
    assert same.status_code == 200, same.text
    assert same.json()["_version"] == rep["_version"]

    changed = tf.patch(
        f"/api/v2/metrics/{PROJECT}/signup", json=_update_ops(rep, tags=["growth"], isActive=True)
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["tags"], changed.json()["_version"]) == (["growth"], 2)
    assert [e["status"] for e in emulator.request_log()] == [201, 200, 200]


def test_projects_list_has_the_official_shape() -> None:
    emulator = Emulator(token=TOKEN, projects=["web", "mobile"])
    with EmulatorServer(emulator) as restricted, new_client(restricted.url, TOKEN) as client:
        listing = client.get("/api/v2/projects")
        assert listing.status_code == 200, listing.text
        projects = Projects.from_dict(listing.json())
        assert projects is not None
        assert [p.key for p in projects.items] == ["mobile", "web"]
        assert projects.total_count == 2
        page = client.get("/api/v2/projects", params={"limit": 1, "offset": 1}).json()
        assert [p["key"] for p in page["items"]] == ["web"] and page["totalCount"] == 2
        assert client.get("/api/v2/projects/other").status_code == 404
        assert client.get("/api/v2/projects/web").json()["key"] == "web"
    emulator.close()


def test_projects_list_without_restriction_names_projects_with_metrics(tf: httpx.Client) -> None:
    assert tf.get("/api/v2/projects").json()["items"] == []
    body = _create_body("signup", "custom", eventKey="e")
    assert tf.post("/api/v2/metrics/beta", json=body).status_code == 201
    assert [p["key"] for p in tf.get("/api/v2/projects").json()["items"]] == ["beta"]


def test_projects_routes_need_the_token(server: EmulatorServer) -> None:
    with new_client(server.url) as anon:
        assert anon.get(f"/api/v2/projects/{PROJECT}").status_code == 401
        assert anon.get("/api/v2/projects").status_code == 401
