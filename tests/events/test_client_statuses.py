"""`EventsClient` against the emulated events host, one documented status at a time: which
are retried (429, 5xx) and which end the batch at once with their hint (400, 401, 404, 406,
413). Plus one MockTransport case for a failure the emulator cannot stage: a read timeout."""

from __future__ import annotations

import random
from collections.abc import Iterator

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator
from pulumi_ldmetrics.emulator.events_server import EventsServer
from pulumi_ldmetrics.events import EventsClient, EventsStatusError
from pulumi_ldmetrics.events.batching import encode_event, payload_id
from pulumi_ldmetrics.settings import ClientSettings

from .conftest import ENVIRONMENT, PROJECT, TOKEN, event

BODY = b"[" + encode_event({"kind": "custom", **event(1)}) + b"]"
PAYLOAD = payload_id(PROJECT, ENVIRONMENT, BODY)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emulator = Emulator(token=TOKEN)
    yield emulator
    emulator.close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(emulator: Emulator, sleeps: list[float]) -> Iterator[EventsClient]:
    with EventsServer(emulator) as server:
        settings = ClientSettings(access_token=TOKEN, api_host=server.url, max_retries=3)
        with EventsClient(settings, sleep=sleeps.append, rng=random.Random(1)) as events:
            yield events


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (400, "accepted nothing of this batch"),
        (401, "needs the importEventData action"),
        (404, "check the project and environment keys"),
        (406, "expects X-LaunchDarkly-Event-Schema: 4"),
        (413, "lower --max-batch-bytes"),
    ],
)
def test_4xx_other_than_429_is_not_retried(
    client: EventsClient, emulator: Emulator, sleeps: list[float], status: int, hint: str
) -> None:
    emulator.events.fail_next(status)

    with pytest.raises(EventsStatusError) as caught:
        client.send_batch(PROJECT, ENVIRONMENT, BODY, PAYLOAD, "batch 1 of 1")

    error = caught.value
    assert error.status_code == status and error.retries == 0
    assert hint in str(error)
    assert f"importing events into {PROJECT}/{ENVIRONMENT} (batch 1 of 1, payload {PAYLOAD})" in (
        str(error)
    )
    assert sleeps == []
    assert len(emulator.events.request_log()) == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_429_and_5xx_are_retried_with_the_same_payload_id(
    client: EventsClient, emulator: Emulator, sleeps: list[float], status: int
) -> None:
    emulator.events.fail_next(status, times=2)

    result = client.send_batch(PROJECT, ENVIRONMENT, BODY, PAYLOAD, "batch 1 of 1")

    assert (result.status, result.retries, result.reasons) == (202, 2, [str(status)] * 2)
    assert len(sleeps) == 2
    log = emulator.events.request_log()
    assert [e["status"] for e in log] == [status, status, 202]
    assert {e["payload_id"] for e in log} == {PAYLOAD}
    assert len(emulator.events.accepted(PROJECT, ENVIRONMENT)) == 1


def test_5xx_until_retries_run_out_names_the_batch(
    client: EventsClient, emulator: Emulator
) -> None:
    emulator.events.fail_next(503, times=10)

    with pytest.raises(EventsStatusError) as caught:
        client.send_batch(PROJECT, ENVIRONMENT, BODY, PAYLOAD, "batch 2 of 5")

    assert caught.value.retries == 3
    assert "503 service_unavailable" in str(caught.value)
    assert "batch 2 of 5" in str(caught.value)
    assert len(emulator.events.request_log()) == 4


def test_read_timeout_is_retried_with_the_same_payload_id() -> None:
    seen: list[tuple[str, str, str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(
            (
                request.headers["X-LaunchDarkly-Payload-ID"],
                request.headers["Authorization"],
                request.headers["X-LaunchDarkly-Event-Schema"],
                request.headers["Content-Length"],
            )
        )
        if len(seen) == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(202)

    settings = ClientSettings(access_token=TOKEN, api_host="https://events.launchdarkly.com")
    sleeps: list[float] = []
    with EventsClient(settings, transport=httpx.MockTransport(handler), sleep=sleeps.append) as c:
        result = c.send_batch(PROJECT, ENVIRONMENT, BODY, PAYLOAD, "batch 1 of 1")

    assert (result.retries, result.reasons) == (1, ["ReadTimeout"])
    assert seen == [(PAYLOAD, TOKEN, "4", str(len(BODY)))] * 2
    assert len(sleeps) == 1
