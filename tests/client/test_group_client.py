"""LDMetricsClient's metric-group calls against the emulator over loopback sockets: the beta
header on every call, the shared retry and re-plan logic, errors that name the group, and every
body sent valid for the official `MetricGroupPost` / `PatchOperation` models."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from launchdarkly_api.models import MetricGroupPost, MetricGroupRep, PatchOperation

from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.errors import BadRequestError, ConflictError, NotFoundError
from pulumi_ldmetrics.models.group_convert import group_patch_ops, group_post_body
from pulumi_ldmetrics.models.group_rules import validate_group
from pulumi_ldmetrics.settings import ClientSettings

from .conftest import TOKEN

MEMBER = "569fdeadbeef1644facecafe"
FUNNEL = {
    "project_key": "web",
    "key": "checkout",
    "name": "Checkout",
    "kind": "funnel",
    "maintainer_id": MEMBER,
    "metrics": [{"key": "cart", "name_in_group": "Cart"}, {"key": "paid", "name_in_group": "Paid"}],
}


class Recording(httpx.BaseTransport):
    """Real sockets, keeping every request (method, path, headers, JSON body)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent: list[tuple[str, str, httpx.Headers, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.sent.append((request.method, request.url.path, request.headers, body))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(token=TOKEN, projects=["web"])


@pytest.fixture
def transport() -> Recording:
    return Recording()


@pytest.fixture
def client(
    emulator: Emulator, transport: Recording, sleeps: list[float]
) -> Iterator[LDMetricsClient]:
    with EmulatorServer(emulator) as server:
        settings = ClientSettings(access_token=TOKEN, api_host=server.url, max_retries=8)
        with LDMetricsClient(
            settings, transport=transport, sleep=sleeps.append, rng=random.Random(3)
        ) as ld:
            for key in ("cart", "paid", "shipped"):
                ld.create_metric(
                    "web", {"key": key, "name": key, "kind": "custom", "eventKey": key}
                )
            transport.sent.clear()
            emulator.clear_log()
            yield ld
    emulator.close()
    for method, path, headers, body in transport.sent:
        if "/metric-groups" not in path:
            continue
        assert headers["LD-API-Version"] == "beta"  # every metric-group call, retries included
        if method == "POST":
            MetricGroupPost.from_dict(body)
        if method == "PATCH":
            for op in body:
                PatchOperation.from_dict(op)


def spec(**changes: Any) -> Any:
    checked, violations = validate_group({**FUNNEL, **changes})
    assert checked is not None, violations
    return checked


def test_round_trip_sends_one_request_each(client: LDMetricsClient, emulator: Emulator) -> None:
    created = client.create_metric_group("web", group_post_body(spec()))
    assert MetricGroupRep.from_dict(created) is not None and created["_version"] == 1
    assert client.get_metric_group("web", "checkout")["_id"] == created["_id"]
    reordered = spec(metrics=list(reversed(FUNNEL["metrics"])))
    patched = client.patch_metric_group("web", "checkout", group_patch_ops(spec(), reordered))
    assert [m["key"] for m in patched["metrics"]] == ["paid", "cart"] and patched["_version"] == 2
    assert [g["key"] for g in client.list_metric_groups("web")] == ["checkout"]
    client.delete_metric_group("web", "checkout")
    with pytest.raises(NotFoundError, match=r"^reading metric group web/checkout: 404"):
        client.get_metric_group("web", "checkout")
    assert [(e["method"], e["status"]) for e in emulator.request_log()] == [
        ("POST", 201),
        ("GET", 200),
        ("PATCH", 200),
        ("GET", 200),
        ("DELETE", 204),
        ("GET", 404),
    ]


def test_list_follows_pages(client: LDMetricsClient, emulator: Emulator) -> None:
    for i in range(53):
        client.create_metric_group("web", group_post_body(spec(key=f"g{i:02d}")))
    emulator.clear_log()
    assert [g["key"] for g in client.list_metric_groups("web")] == [f"g{i:02d}" for i in range(53)]
    assert [e["query"] for e in emulator.request_log()] == [
        "limit=50&offset=0",
        "limit=50&offset=50",
    ]


def test_errors_name_the_group_and_are_not_retried(
    client: LDMetricsClient, emulator: Emulator
) -> None:
    body = group_post_body(
        spec(
            metrics=[{"key": "cart", "name_in_group": "A"}, {"key": "ghost", "name_in_group": "B"}]
        )
    )
    with pytest.raises(
        BadRequestError,
        match=r"^creating metric group web/checkout: 400 invalid_request: .*unknown metric 'ghost'",
    ):
        client.create_metric_group("web", body)
    client.create_metric_group("web", group_post_body(spec()))
    with pytest.raises(ConflictError, match=r"^creating metric group web/checkout: 409"):
        client.create_metric_group("web", group_post_body(spec()))
    with pytest.raises(NotFoundError, match=r"^listing metric groups of project nope: 404"):
        client.list_metric_groups("nope")
    assert [e["method"] for e in emulator.request_log()] == ["POST", "POST", "POST", "GET"]


def test_lost_create_response_is_not_duplicated(
    client: LDMetricsClient, emulator: Emulator
) -> None:
    emulator.fail_next("lost_response", method="POST")
    created = client.create_metric_group("web", group_post_body(spec()))
    assert created["key"] == "checkout" and len(emulator.metric_groups()["web"]) == 1
    assert [(e["method"], e["status"]) for e in emulator.request_log()] == [
        ("POST", 201),
        ("POST", 409),
        ("GET", 200),
    ]


def test_lost_create_then_another_writers_group_is_a_conflict_naming_fields(
    client: LDMetricsClient, emulator: Emulator
) -> None:
    emulator.fail_next(503, method="POST")
    other = group_post_body(spec(name="Someone else's"))
    emulator.groups.handle(
        "POST", "web", None, {}, json.dumps(other).encode(), lambda *_: pytest.fail()
    )
    with pytest.raises(ConflictError, match="differs in name") as caught:
        client.create_metric_group("web", group_post_body(spec()))
    assert caught.value.differences == ("name",)


def test_lost_patch_response_is_replanned_not_replayed(
    client: LDMetricsClient, emulator: Emulator
) -> None:
    client.create_metric_group("web", group_post_body(spec()))
    emulator.clear_log()
    emulator.fail_next("lost_response", method="PATCH")
    new = spec(
        name="Renamed",
        metrics=list(reversed(FUNNEL["metrics"])),
        maintainer_id="0123456789abcdef01234567",
    )
    patched = client.patch_metric_group("web", "checkout", group_patch_ops(spec(), new))
    assert patched["name"] == "Renamed" and patched["_version"] == 2
    # The re-read shows every op applied (metrics, maintainer compared as written): no resend.
    assert [e["method"] for e in emulator.request_log()] == ["PATCH", "GET"]


def test_a_5xx_patch_resends_only_what_is_missing(
    client: LDMetricsClient, emulator: Emulator
) -> None:
    client.create_metric_group("web", group_post_body(spec()))
    emulator.clear_log()
    emulator.fail_next(500, method="PATCH")
    ops = group_patch_ops(spec(), spec(description="Why"))
    client.patch_metric_group("web", "checkout", ops)
    assert [(e["method"], e["status"]) for e in emulator.request_log()] == [
        ("PATCH", 500),
        ("GET", 200),
        ("PATCH", 200),
    ]
