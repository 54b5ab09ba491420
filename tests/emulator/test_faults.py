"""Rate limits, injected faults and concurrency over real sockets (reference §9, §10)."""

from __future__ import annotations

import math
import threading
import time

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer, FaultConfig

from .helpers import CUSTOM, METRICS, TOKEN, assert_error, create, new_client


def now_ms() -> int:
    return int(time.time() * 1000)


def test_scripted_429_sends_both_headers_by_default(
    client: httpx.Client, emulator: Emulator
) -> None:
    emulator.fail_next(429, reset_in_ms=2500)
    before = now_ms()
    response = client.post(METRICS, json=CUSTOM)
    body = assert_error(response, 429, "rate_limited")
    assert body["message"] == "You've exceeded the API rate limit. Try again later."
    reset = int(response.headers["x-ratelimit-reset"])
    assert before + 2500 <= reset <= now_ms() + 2500
    assert response.headers["retry-after"] == "3"  # ceil(2.5 s)
    assert emulator.metrics() == {}  # nothing applied
    assert client.post(METRICS, json=CUSTOM).status_code == 201  # only the next request


@pytest.mark.parametrize(
    ("form", "present", "absent"),
    [
        ("reset", "x-ratelimit-reset", "retry-after"),
        ("retry-after", "retry-after", "x-ratelimit-reset"),
    ],
)
def test_429_header_forms(
    client: httpx.Client, emulator: Emulator, form: str, present: str, absent: str
) -> None:
    emulator.set_faults(rate_limit_headers=form)
    emulator.fail_next(429, reset_in_ms=1000)
    response = client.get(METRICS)
    assert response.status_code == 429
    assert present in response.headers and absent not in response.headers


def test_scripted_429_with_reset_in_the_past_and_explicit_retry_after(
    client: httpx.Client, emulator: Emulator
) -> None:
    emulator.fail_next(429, reset_in_ms=-5000, retry_after=7)
    response = client.get(METRICS)
    assert int(response.headers["x-ratelimit-reset"]) < now_ms() - 4000
    assert response.headers["retry-after"] == "7"


def test_global_limit_counts_every_route_and_reports_remaining(
    client: httpx.Client, emulator: Emulator
) -> None:
    emulator.set_faults(global_limit=2, limit_window_seconds=30)
    start = now_ms()
    first = client.get(METRICS)
    second = client.post(METRICS, json=CUSTOM)
    assert first.headers["x-ratelimit-global-remaining"] == "1"
    assert second.headers["x-ratelimit-global-remaining"] == "0"
    reset = int(first.headers["x-ratelimit-reset"])
    assert start + 29_000 <= reset <= now_ms() + 30_000
    limited = client.get(f"{METRICS}/signup")
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["x-ratelimit-reset"]) == reset
    assert limited.headers["x-ratelimit-global-remaining"] == "0"
    expected = math.ceil((reset - now_ms()) / 1000)
    assert int(limited.headers["retry-after"]) in (expected, expected + 1)


def test_route_limit_is_per_method_and_path_template(
    client: httpx.Client, emulator: Emulator
) -> None:
    emulator.set_faults(route_limit=1, limit_window_seconds=30)
    assert client.get(f"{METRICS}/a").headers["x-ratelimit-route-remaining"] == "0"
    # Same template ({projectKey}/{metricKey}), different key: still limited.
    assert client.get("/api/v2/metrics/other/b").status_code == 429
    assert client.post(METRICS, json=CUSTOM).status_code == 201  # another route
    assert client.get(METRICS).status_code == 200
    assert client.get(METRICS).status_code == 429


def test_limit_window_expires(client: httpx.Client, emulator: Emulator) -> None:
    emulator.set_faults(global_limit=1, limit_window_seconds=0.2)
    assert client.get(METRICS).status_code == 200
    limited = client.get(METRICS)
    assert limited.status_code == 429
    time.sleep(max(0, (int(limited.headers["x-ratelimit-reset"]) - now_ms()) / 1000) + 0.02)
    assert client.get(METRICS).status_code == 200


def test_no_rate_limit_headers_when_no_limit_is_enforced(client: httpx.Client) -> None:
    response = client.get(METRICS)
    assert not [h for h in response.headers if h.startswith("x-ratelimit")]


@pytest.mark.parametrize(
    ("status", "code"), [(503, "service_unavailable"), (500, "internal_server_error")]
)
def test_scripted_5xx_applies_nothing(
    client: httpx.Client, emulator: Emulator, status: int, code: str
) -> None:
    emulator.fail_next(status, method="POST")
    assert client.get(METRICS).status_code == 200  # method filter: GET is not affected
    assert_error(client.post(METRICS, json=CUSTOM), status, code)
    assert emulator.metrics() == {}


def test_scripted_fault_times_and_path_filter(client: httpx.Client, emulator: Emulator) -> None:
    create(client, CUSTOM)
    emulator.fail_next(409, times=2, method="PATCH", path_contains="/signup")
    ops = [{"op": "replace", "path": "/name", "value": "n"}]
    for _ in range(2):
        assert_error(client.patch(f"{METRICS}/signup", json=ops), 409, "optimistic_locking_error")
    assert client.patch(f"{METRICS}/signup", json=ops).json()["_version"] == 2


def test_error_rate_one_answers_503_and_is_switchable(
    client: httpx.Client, emulator: Emulator
) -> None:
    emulator.set_faults(error_rate=1.0)
    assert_error(client.post(METRICS, json=CUSTOM), 503, "service_unavailable")
    emulator.set_faults(error_rate=0.0)
    create(client, CUSTOM)


def test_rate_limited_rate_answers_429_with_reset_headers_and_applies_nothing(
    client: httpx.Client, emulator: Emulator
) -> None:
    emulator.set_faults(rate_limited_rate=1.0, rate_limited_reset_ms=1500)
    before = now_ms()
    response = client.post(METRICS, json=CUSTOM)
    assert_error(response, 429, "rate_limited")
    assert before + 1500 <= int(response.headers["x-ratelimit-reset"]) <= now_ms() + 1500
    assert response.headers["retry-after"] == "2"
    assert response.headers["x-ratelimit-global-remaining"] == "0"
    assert emulator.metrics() == {}
    assert emulator.request_log()[-1]["outcome"] == "rate_limited"


def test_5xx_and_429_can_be_drawn_in_one_run() -> None:
    emulator = Emulator(faults=FaultConfig(error_rate=0.3, rate_limited_rate=0.3, seed=7))
    with EmulatorServer(emulator) as server, new_client(server.url) as http:
        statuses = {http.get(METRICS).status_code for _ in range(40)}
    assert statuses == {200, 429, 503}


def test_random_faults_are_reproducible_with_a_seed() -> None:
    def statuses() -> list[int]:
        emulator = Emulator(faults=FaultConfig(error_rate=0.5, seed=42))
        with EmulatorServer(emulator) as server, new_client(server.url) as http:
            return [http.get(METRICS).status_code for _ in range(20)]

    first = statuses()
    assert first == statuses()
    assert {200, 503} == set(first)


def test_lost_response_applies_the_write_then_retry_sees_409(
    client: httpx.Client, emulator: Emulator
) -> None:
    emulator.fail_next("lost_response", method="POST")
    with pytest.raises(httpx.TransportError):
        client.post(METRICS, json=CUSTOM)
    retry = client.post(METRICS, json=CUSTOM)
    assert_error(retry, 409, "conflict")
    assert [m["key"] for m in emulator.metrics()["proj"]] == ["signup"]
    outcomes = [(e["outcome"], e["status"]) for e in emulator.request_log()]
    assert outcomes == [("lost_response", 201), ("error", 409)]


def test_dropped_connection_stores_nothing(client: httpx.Client, emulator: Emulator) -> None:
    emulator.fail_next("drop")
    with pytest.raises(httpx.TransportError):
        client.post(METRICS, json=CUSTOM)
    assert emulator.metrics() == {}
    assert emulator.request_log()[0]["outcome"] == "dropped"
    assert emulator.request_log()[0]["status"] is None
    create(client, CUSTOM)  # the pooled client recovers with a new connection


def test_drop_rate_one_drops_every_request(client: httpx.Client, emulator: Emulator) -> None:
    emulator.set_faults(drop_rate=1.0)
    for _ in range(2):
        with pytest.raises(httpx.TransportError):
            client.post(METRICS, json=CUSTOM)
    assert emulator.metrics() == {}


def test_latency_is_added(client: httpx.Client, emulator: Emulator) -> None:
    emulator.set_faults(latency_ms=60)
    started = time.monotonic()
    client.get(METRICS)
    assert time.monotonic() - started >= 0.06


def test_invalid_fault_settings_are_rejected(emulator: Emulator) -> None:
    for changes in ({"error_rate": 2}, {"rate_limit_headers": "none"}, {"bogus": 1}):
        with pytest.raises(ValueError):
            emulator.set_faults(**changes)
    with pytest.raises(ValueError):
        emulator.fail_next(200)
    assert emulator.fault_settings()["error_rate"] == 0.0


def test_eight_concurrent_creates_of_one_key_yield_one_201(server: EmulatorServer) -> None:
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with new_client(server.url, TOKEN) as http:
            barrier.wait()
            status = http.post(METRICS, json=CUSTOM).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 7
    assert len(server.emulator.metrics()["proj"]) == 1
