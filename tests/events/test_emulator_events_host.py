"""The emulated events host over a real socket: every status the reference lists (and the
ones the emulator adds for what it does not), de-duplication, drops and the control API."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator
from pulumi_ldmetrics.emulator.events_server import EventsServer
from pulumi_ldmetrics.emulator.events_validation import MAX_BODY_BYTES

from .conftest import ENVIRONMENT, NOW_MS, PROJECT, READER_TOKEN, TOKEN, event

PATH = f"/v2/event-data-import/{PROJECT}/{ENVIRONMENT}"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emulator = Emulator(token=TOKEN, reader_token=READER_TOKEN)
    yield emulator
    emulator.close()


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    with EventsServer(emulator) as server, httpx.Client(base_url=server.url) as client:
        yield client


def headers(**overrides: str) -> dict[str, str]:
    out = {
        "Authorization": TOKEN,
        "Content-Type": "application/json",
        "X-LaunchDarkly-Event-Schema": "4",
        "X-LaunchDarkly-Payload-ID": str(uuid.uuid4()),
        "User-Agent": "MetricImport-Tests-int/1.0",
    }
    out.update(overrides)
    return {k: v for k, v in out.items() if v}


def post(http: httpx.Client, body: Any, path: str = PATH, **overrides: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return http.post(path, content=content, headers=headers(**overrides))


def custom(i: int) -> dict[str, Any]:
    return {"kind": "custom", **event(i)}


def test_202_stores_the_events_with_their_payload_id(
    http: httpx.Client, emulator: Emulator
) -> None:
    response = post(
        http,
        [custom(1), custom(2)],
        **{"X-LaunchDarkly-Payload-ID": "6f1c0a52-9a55-4b1e-8d43-1b1c8a6e2f10"},
    )

    assert (response.status_code, response.content) == (202, b"")
    stored = emulator.events.accepted(PROJECT, ENVIRONMENT)
    assert [e["contextKeys"]["user"] for e in stored] == ["user-1", "user-2"]
    assert {e["_payloadId"] for e in stored} == {"6f1c0a52-9a55-4b1e-8d43-1b1c8a6e2f10"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[{", "must be valid JSON"),
        ({"kind": "custom"}, "must be a JSON array"),
        ([{"kind": "custom", "key": "a"}, {"kind": "identify", "key": "b"}], "body[1]: kind"),
        ([{"key": "no-kind"}], "body[0]: kind"),
        (["custom"], "body[0]: kind"),
    ],
    ids=["not-json", "not-array", "identify", "no-kind", "not-object"],
)
def test_400_accepts_nothing_of_the_payload(
    http: httpx.Client, emulator: Emulator, body: Any, message: str
) -> None:
    response = post(http, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert message in response.json()["message"]
    assert emulator.events.accepted(PROJECT, ENVIRONMENT) == []


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("wrong-token", "Invalid access token"),
        (f"Bearer {TOKEN}", "Invalid access token"),
        ("", "Invalid access token"),
        (READER_TOKEN, "lacks the importEventData action"),
    ],
    ids=["wrong", "bearer-prefix", "missing", "no-import-permission"],
)
def test_401(http: httpx.Client, authorization: str, message: str) -> None:
    response = post(http, [custom(1)], Authorization=authorization)

    assert response.status_code == 401
    assert message in response.json()["message"]


def test_404_for_other_paths_and_unknown_environments(emulator: Emulator) -> None:
    emulator.events.environments = frozenset({"production"})
    with EventsServer(emulator) as server, httpx.Client(base_url=server.url) as http:
        assert post(http, [custom(1)], path="/v2/event-data-import/web").status_code == 404
        assert post(http, [custom(1)], path="/events/bulk/abc").status_code == 404
        unknown = post(http, [custom(1)], path=f"/v2/event-data-import/{PROJECT}/staging")
        assert unknown.status_code == 404
        assert post(http, [custom(1)]).status_code == 202


def test_405_for_other_methods(http: httpx.Client) -> None:
    response = http.get(PATH, headers=headers())

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize("schema", ["3", "", "4.0"], ids=["v3", "missing", "4.0"])
def test_406_unless_the_event_schema_is_4(http: httpx.Client, schema: str) -> None:
    response = post(http, [custom(1)], **{"X-LaunchDarkly-Event-Schema": schema})

    assert response.status_code == 406


@pytest.mark.parametrize(
    "override",
    [
        {"User-Agent": "python-httpx/0.28"},
        {"User-Agent": "Metrics-Pulumi-int/1.0"},
        {"X-LaunchDarkly-Payload-ID": ""},
        {"X-LaunchDarkly-Payload-ID": "batch-1"},
        {"Content-Type": "text/plain"},
    ],
    ids=["generic-ua", "rest-api-ua", "no-payload-id", "payload-id-not-uuid", "content-type"],
)
def test_strict_mode_refuses_what_the_reference_requires(
    http: httpx.Client, override: dict[str, str]
) -> None:
    assert post(http, [custom(1)], **override).status_code == 400


def test_411_for_a_chunked_body_in_strict_mode(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield json.dumps([custom(1)]).encode()

    response = http.post(PATH, content=chunks(), headers=headers())

    assert response.status_code == 411


def test_413_over_ten_megabytes(http: httpx.Client, emulator: Emulator) -> None:
    response = post(http, b"[" + b" " * MAX_BODY_BYTES + b"]")

    assert response.status_code == 413
    assert emulator.events.request_log() == []  # refused while reading, before the app


def test_a_body_just_under_the_limit_is_accepted(http: httpx.Client, emulator: Emulator) -> None:
    one = json.dumps(custom(1)).encode()
    count = (MAX_BODY_BYTES - 2) // (len(one) + 1)
    body = b"[" + b",".join([one] * count) + b"]"
    assert len(body) <= MAX_BODY_BYTES

    assert post(http, body).status_code == 202
    assert emulator.events.summary(PROJECT, ENVIRONMENT)["accepted"] == count


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_injected_429_and_5xx_accept_nothing(
    http: httpx.Client, emulator: Emulator, status: int
) -> None:
    emulator.events.fail_next(status, retry_after=3)

    response = post(http, [custom(1)])

    assert response.status_code == status
    if status == 429:
        assert response.headers["Retry-After"] == "3"
    assert emulator.events.accepted(PROJECT, ENVIRONMENT) == []
    assert post(http, [custom(1)]).status_code == 202


def test_same_payload_id_is_counted_once(http: httpx.Client, emulator: Emulator) -> None:
    payload = "0b8e1f9a-3f6d-4c1e-9a61-8f3c2b7d5e44"
    for _ in range(3):
        response = post(http, [custom(1), custom(2)], **{"X-LaunchDarkly-Payload-ID": payload})
        assert response.status_code == 202
    other = post(http, [custom(1), custom(2)])

    assert other.status_code == 202
    summary = emulator.events.summary(PROJECT, ENVIRONMENT)
    assert (summary["accepted"], summary["payloads"], summary["duplicatePayloads"]) == (4, 2, 2)
    assert [e["outcome"] for e in emulator.events.request_log()] == [
        "ok",
        "duplicate",
        "duplicate",
        "ok",
    ]


def test_malformed_events_get_202_and_are_dropped_with_a_reason(
    http: httpx.Client, emulator: Emulator
) -> None:
    body = [
        custom(1),
        {"kind": "custom", "key": "a", "creationDate": NOW_MS},
        {"kind": "custom", "key": "a", "creationDate": "yesterday", "contextKeys": {"user": "u"}},
        {**custom(2), "metricValue": "42"},
    ]

    assert post(http, body).status_code == 202
    summary = emulator.events.summary(PROJECT, ENVIRONMENT)
    assert (summary["accepted"], summary["dropped"]) == (1, 3)
    assert set(summary["droppedReasons"]) == {
        "contextKeys: missing or empty",
        "creationDate: missing or not a non-negative integer",
        "metricValue: not a number",
    }


def test_gzip_bodies_and_empty_arrays(http: httpx.Client, emulator: Emulator) -> None:
    compressed = gzip.compress(json.dumps([custom(1)]).encode())

    assert post(http, compressed, **{"Content-Encoding": "gzip"}).status_code == 202
    assert post(http, b"not gzip", **{"Content-Encoding": "gzip"}).status_code == 400
    assert post(http, []).status_code == 202
    assert emulator.events.summary(PROJECT, ENVIRONMENT)["accepted"] == 1


def test_control_endpoint_reads_back_and_resets(http: httpx.Client, emulator: Emulator) -> None:
    post(http, [custom(1)])
    control = {"Authorization": emulator.control_token}

    assert http.get("/_emulator/events", headers={"Authorization": "nope"}).status_code == 401
    cross = {**control, "Origin": "https://evil.example"}
    assert http.get("/_emulator/events", headers=cross).status_code == 403
    listing = http.get("/_emulator/events", headers=control).json()
    assert [(e["projectKey"], e["accepted"]) for e in listing["environments"]] == [(PROJECT, 1)]
    detail = http.get(f"/_emulator/events/{PROJECT}/{ENVIRONMENT}", headers=control).json()
    assert detail["events"][0]["key"] == "checkout-latency"
    script = {"script": [{"status": 503, "times": 1}]}
    assert http.put("/_emulator/faults", json=script, headers=control).status_code == 200
    assert post(http, [custom(2)]).status_code == 503
    assert len(http.get("/_emulator/log", headers=control).json()["requests"]) == 2
    assert http.post("/_emulator/reset", headers=control).status_code == 204
    assert emulator.events.accepted(PROJECT, ENVIRONMENT) == []


def test_emulator_reset_also_clears_events(http: httpx.Client, emulator: Emulator) -> None:
    post(http, [custom(1)])

    emulator.reset()

    assert emulator.events.summary(PROJECT, ENVIRONMENT)["accepted"] == 0
