"""LDMetricsClient against the emulator over real loopback sockets.

Faults are injected server-side (lost responses, 429 with reset headers, 5xx), sleeps are
recorded instead of slept, and every POST body the client sends is checked against the official
``launchdarkly_api`` models, our contract oracle.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.errors import ConflictError, NotFoundError, UnauthorizedError
from pulumi_ldmetrics.settings import ClientSettings

from .conftest import TOKEN

emulator_pkg = pytest.importorskip("pulumi_ldmetrics.emulator")
ld_models = pytest.importorskip("launchdarkly_api.models")
Emulator, EmulatorServer = emulator_pkg.Emulator, emulator_pkg.EmulatorServer

BODIES: list[dict[str, Any]] = [
    {
        "key": "signup",
        "name": "Sign-up",
        "kind": "custom",
        "isNumeric": False,
        "eventKey": "signed-up",
    },
    {
        "key": "latency",
        "name": "Latency",
        "kind": "custom",
        "isNumeric": True,
        "unit": "ms",
        "successCriteria": "LowerThanBaseline",
        "eventKey": "request-done",
        "tags": ["perf"],
        "unitAggregationType": "average",
        "analysisType": "percentile",
        "percentileValue": 95,
        "eventDefault": {"disabled": True, "value": 0},
    },
    {
        "key": "pricing-view",
        "name": "Pricing viewed",
        "kind": "pageview",
        "urls": [{"kind": "substring", "substring": "/pricing"}],
    },
    {
        "key": "buy-click",
        "name": "Buy clicked",
        "kind": "click",
        "selector": "#buy",
        "urls": [{"kind": "exact", "url": "https://example.com/buy"}],
    },
]


class Recording(httpx.BaseTransport):
    """A real socket transport that also keeps every request body the client sends."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent: list[tuple[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.content:
            self.sent.append((request.method, json.loads(request.content)))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def emulator() -> Any:
    return Emulator(token=TOKEN)


@pytest.fixture
def server(emulator: Any) -> Iterator[Any]:
    with EmulatorServer(emulator) as running:
        yield running


@pytest.fixture
def transport() -> Recording:
    return Recording()


@pytest.fixture
def client(server: Any, transport: Recording, sleeps: list[float]) -> Iterator[LDMetricsClient]:
    settings = ClientSettings(access_token=TOKEN, api_host=server.url, max_retries=8)
    with LDMetricsClient(
        settings, transport=transport, sleep=sleeps.append, rng=random.Random(3)
    ) as ld:
        yield ld
    # Every body we POSTed is a valid MetricPost for the official generated client.
    for method, body in transport.sent:
        if method == "POST":
            assert ld_models.MetricPost.from_dict(body) is not None


def outcomes(emulator: Any) -> list[tuple[str, str]]:
    return [(e["method"], e["outcome"]) for e in emulator.request_log()]


@pytest.mark.parametrize("body", BODIES, ids=[b["key"] for b in BODIES])
def test_create_read_patch_delete_round_trip(
    client: LDMetricsClient, emulator: Any, body: dict[str, Any]
) -> None:
    created = client.create_metric("proj", body)
    assert ld_models.MetricRep.from_dict(created).key == body["key"]
    assert client.get_metric("proj", body["key"])["_id"] == created["_id"]
    ops = [{"op": "replace", "path": "/name", "value": "Renamed"}]
    patched = client.patch_metric("proj", body["key"], ops)
    assert (patched["name"], patched["_version"]) == ("Renamed", 2)
    client.delete_metric("proj", body["key"])
    with pytest.raises(NotFoundError):
        client.get_metric("proj", body["key"])
    for entry in emulator.request_log():
        assert entry["ld_api_version"] == "20240415"
        assert entry["user_agent"].startswith("Metrics-Pulumi-int/")


def test_lost_response_create_leaves_exactly_one_metric(
    client: LDMetricsClient, emulator: Any
) -> None:
    emulator.fail_next("lost_response", method="POST")
    created = client.create_metric("proj", BODIES[0])
    assert created["key"] == "signup"
    assert [m["key"] for m in emulator.metrics()["proj"]] == ["signup"]
    assert outcomes(emulator) == [("POST", "lost_response"), ("POST", "error"), ("GET", "ok")]


def test_dropped_create_is_retried_and_applied_once(client: LDMetricsClient, emulator: Any) -> None:
    emulator.fail_next("drop", method="POST")
    assert client.create_metric("proj", BODIES[0])["key"] == "signup"
    assert outcomes(emulator) == [("POST", "dropped"), ("POST", "ok")]
    assert len(emulator.metrics()["proj"]) == 1


def test_create_of_an_existing_key_is_a_conflict(client: LDMetricsClient, emulator: Any) -> None:
    client.create_metric("proj", BODIES[0])
    with pytest.raises(ConflictError, match=r"^creating metric proj/signup: 409 conflict: "):
        client.create_metric("proj", BODIES[0])
    assert len(emulator.metrics()["proj"]) == 1


def test_lost_response_delete_succeeds(client: LDMetricsClient, emulator: Any) -> None:
    client.create_metric("proj", BODIES[0])
    emulator.fail_next("lost_response", method="DELETE")
    client.delete_metric("proj", "signup")
    assert emulator.metrics().get("proj", []) == []


@pytest.mark.parametrize(
    ("headers", "reset_in_ms", "retry_after", "expected"),
    [
        ("reset", 1500, None, 1.5),
        ("reset", -1500, None, 1.5),
        ("retry-after", None, 2, 2.0),
        ("both", 4000, 1, 1.0),
    ],
    ids=["reset future", "reset past", "retry-after", "both: retry-after wins"],
)
def test_rate_limit_headers_are_honoured(
    client: LDMetricsClient,
    emulator: Any,
    sleeps: list[float],
    headers: str,
    reset_in_ms: int | None,
    retry_after: int | None,
    expected: float,
) -> None:
    emulator.set_faults(rate_limit_headers=headers)
    emulator.fail_next(429, times=2, reset_in_ms=reset_in_ms, retry_after=retry_after)
    client.create_metric("proj", BODIES[0])
    assert outcomes(emulator) == [("POST", "rate_limited")] * 2 + [("POST", "ok")]
    # Real clocks move between the emulator stamping the reset and the client reading it.
    assert sleeps == [pytest.approx(expected, abs=0.25)] * 2


def test_server_errors_then_success(
    client: LDMetricsClient, emulator: Any, sleeps: list[float]
) -> None:
    emulator.fail_next(503, times=2, method="GET")
    client.create_metric("proj", BODIES[0])
    assert client.get_metric("proj", "signup")["key"] == "signup"
    assert [o for _, o in outcomes(emulator)] == ["ok", "fault", "fault", "ok"]
    assert len(sleeps) == 2


def test_patch_optimistic_lock_conflict_is_retried(client: LDMetricsClient, emulator: Any) -> None:
    client.create_metric("proj", BODIES[0])
    emulator.fail_next(409, method="PATCH")
    patched = client.patch_metric(
        "proj", "signup", [{"op": "replace", "path": "/name", "value": "x"}]
    )
    assert patched["_version"] == 2 and patched["name"] == "x"
    # Not replayed blindly: re-read, then only the operation the metric does not show yet.
    assert outcomes(emulator)[1:] == [("PATCH", "fault"), ("GET", "ok"), ("PATCH", "ok")]


def test_list_pages_through_the_emulator(client: LDMetricsClient, emulator: Any) -> None:
    for i in range(55):  # seeded in-process: only the listing needs the socket
        body = {**BODIES[0], "key": f"m{i:02d}", "tags": ["odd" if i % 2 else "even"]}
        seeded = emulator.handle(
            "POST", "/api/v2/metrics/proj", "", {"authorization": TOKEN}, json.dumps(body).encode()
        )
        assert seeded.status == 201
    progress: list[tuple[int, int]] = []
    listed = client.list_metrics("proj", sort="name", on_page=lambda f, t: progress.append((f, t)))
    assert sorted(m["key"] for m in listed) == [f"m{i:02d}" for i in range(55)]
    assert progress == [(50, 55), (55, 55)]
    assert ld_models.MetricListingRep.from_dict(listed[0]) is not None
    odd = client.list_metrics("proj", filter='tags contains ["odd"]')
    assert len(odd) == 27


def test_shared_client_from_four_threads(
    client: LDMetricsClient, emulator: Any, sleeps: list[float]
) -> None:
    # The dynamic provider host calls one provider (so one client) from 4 worker threads.
    emulator.set_faults(error_rate=0.15, lost_response_rate=0.05, drop_rate=0.05, seed=11)
    keys = [f"metric-{i:02d}" for i in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(
            pool.map(lambda k: client.create_metric("proj", {**BODIES[0], "key": k}), keys)
        )
    assert sorted(m["key"] for m in created) == keys
    assert sorted(m["key"] for m in emulator.metrics()["proj"]) == keys
    assert sleeps  # the faults really were retried


def test_default_transport_and_wrong_token(server: Any) -> None:
    settings = ClientSettings(access_token="wrong-token", api_host=server.url, max_retries=0)
    with LDMetricsClient(settings) as ld, pytest.raises(UnauthorizedError) as info:
        ld.get_metric("proj", "signup")
    assert "check the access token" in str(info.value)
    assert "wrong" not in str(info.value)  # the (bad) token is never echoed


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("lost_response", [("PATCH", "lost_response"), ("GET", "ok")]),
        ("drop", [("PATCH", "dropped"), ("GET", "ok"), ("PATCH", "ok")]),
        (503, [("PATCH", "fault"), ("GET", "ok"), ("PATCH", "ok")]),
    ],
)
def test_patch_removing_a_field_whose_response_was_lost_converges(
    client: LDMetricsClient, emulator: Any, fault: Any, expected: list[tuple[str, str]]
) -> None:
    # The remove is applied, the caller never hears so. A replay is not sent: on a server that
    # applies RFC 6902 strictly it fails ("can't remove a non-existent object") forever, and the
    # live API's answer is unknown. Re-read and re-diff finds nothing left to do.
    client.create_metric("proj", {**BODIES[0], "description": "to be removed"})
    emulator.fail_next(fault, method="PATCH")
    ops = [
        {"op": "remove", "path": "/description"},
        {"op": "replace", "path": "/name", "value": "Renamed"},
    ]
    patched = client.patch_metric("proj", "signup", ops)
    assert "description" not in patched and patched["name"] == "Renamed"
    assert outcomes(emulator)[1:] == expected
    stored = client.get_metric("proj", "signup")
    assert "description" not in stored and stored["name"] == "Renamed"
