"""The request log and the /_emulator control endpoint, over HTTP: its token and origin
checks, and what each route does."""

from __future__ import annotations

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer

from .helpers import CUSTOM, METRICS, READER_TOKEN, TOKEN, assert_error, create, new_client


def test_request_log_records_requests_without_credentials(
    client: httpx.Client, anon: httpx.Client, emulator: Emulator
) -> None:
    create(client, CUSTOM)
    client.get(
        METRICS,
        params={"limit": 5},
        headers={"LD-API-Version": "20240415", "User-Agent": "Metrics-Pulumi-int/1"},
    )
    anon.get(METRICS, headers={"Authorization": "wrong-secret"})
    anon.get(METRICS, headers={"Authorization": READER_TOKEN})
    entries = client.get("/_emulator/log").json()["requests"]
    assert [(e["seq"], e["method"], e["status"], e["outcome"], e["write"]) for e in entries] == [
        (1, "POST", 201, "ok", True),
        (2, "GET", 200, "ok", False),
        (3, "GET", 401, "error", False),
        (4, "GET", 200, "ok", False),
    ]
    post, listing = entries[0], entries[1]
    assert post["path"] == METRICS and post["content_type"] == "application/json"
    assert listing["query"] == "limit=5"
    assert listing["ld_api_version"] == "20240415"
    assert listing["user_agent"] == "Metrics-Pulumi-int/1"
    assert all(e["duration_ms"] >= 0 for e in entries)
    dumped = str(entries) + client.get("/_emulator/log").text
    for secret in (TOKEN, READER_TOKEN, "wrong-secret"):
        assert secret not in dumped
    assert "authorization" not in dumped.lower()
    assert emulator.request_log() == entries


def test_control_endpoint_is_exempt_from_faults_and_log(
    client: httpx.Client, emulator: Emulator
) -> None:
    emulator.set_faults(error_rate=1.0, global_limit=0)
    for path in ("/_emulator/log", "/_emulator/faults", "/_emulator/metrics"):
        assert client.get(path).status_code == 200
    assert emulator.request_log() == []


def test_clear_log(client: httpx.Client, emulator: Emulator) -> None:
    client.get(METRICS)
    assert client.delete("/_emulator/log").status_code == 204
    assert client.get("/_emulator/log").json() == {"requests": []}
    client.get(METRICS)
    assert emulator.request_log()[0]["seq"] == 2


def test_put_faults_partial_update_with_script(client: httpx.Client) -> None:
    response = client.put(
        "/_emulator/faults",
        json={"route_limit": 5, "script": [{"status": 502, "method": "GET", "times": 2}]},
    )
    assert response.status_code == 200
    settings = response.json()
    assert settings["route_limit"] == 5 and settings["error_rate"] == 0.0
    assert settings["script"][0]["mode"] == 502 and settings["script"][0]["times"] == 2
    assert client.get("/_emulator/faults").json() == settings
    assert_error(client.get(METRICS), 502, "bad_gateway")
    assert_error(client.get(METRICS), 502, "bad_gateway")
    ok = client.get(METRICS)
    # Scripted faults are answered before the limiter, so they use up none of the budget.
    assert ok.status_code == 200 and ok.headers["x-ratelimit-route-remaining"] == "4"
    assert client.get("/_emulator/faults").json()["script"] == []


def test_put_faults_rejects_bad_input_and_changes_nothing(client: httpx.Client) -> None:
    before = client.get("/_emulator/faults").json()
    for body in ({"error_rate": "high"}, {"nope": 1}, {"script": [{"mode": "explode"}]}, [1]):
        assert_error(client.put("/_emulator/faults", json=body), 400, "invalid_request")
    assert client.get("/_emulator/faults").json() == before


def test_scripted_drop_via_http(client: httpx.Client) -> None:
    client.put("/_emulator/faults", json={"script": [{"mode": "drop"}]})
    try:
        client.get(METRICS)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("expected the connection to be dropped")


def test_metrics_endpoint_and_reset(client: httpx.Client) -> None:
    a = create(client, CUSTOM)
    b = create(client, CUSTOM, project="other")
    body = client.get("/_emulator/metrics").json()
    assert body == {"metrics": {"proj": [a], "other": [b]}, "totalCount": 2}
    client.put("/_emulator/faults", json={"error_rate": 1.0})
    assert client.post("/_emulator/reset").status_code == 204
    assert client.get("/_emulator/metrics").json() == {"metrics": {}, "totalCount": 0}
    assert client.get("/_emulator/log").json() == {"requests": []}
    assert client.get("/_emulator/faults").json()["error_rate"] == 0.0
    assert client.get(METRICS).status_code == 200


def test_unknown_control_route(client: httpx.Client) -> None:
    assert_error(client.get("/_emulator/nope"), 404, "not_found")
    assert_error(client.post("/_emulator/log"), 405, "method_not_allowed")


CONTROL_CALLS = [
    ("GET", "/_emulator/log"),
    ("DELETE", "/_emulator/log"),
    ("GET", "/_emulator/faults"),
    ("PUT", "/_emulator/faults"),
    ("POST", "/_emulator/reset"),
    ("GET", "/_emulator/metrics"),
    ("GET", "/_emulator/nope"),
]


@pytest.mark.parametrize(("method", "path"), CONTROL_CALLS)
@pytest.mark.parametrize("token", [None, "wrong", READER_TOKEN, f"Bearer {TOKEN}"])
def test_control_needs_the_emulator_token(
    anon: httpx.Client, client: httpx.Client, method: str, path: str, token: str | None
) -> None:
    create(client, CUSTOM)
    client.put("/_emulator/faults", json={"latency_ms": 1})
    headers = {"Authorization": token} if token is not None else {}
    response = anon.request(method, path, headers=headers, json={"error_rate": 1.0})
    assert_error(response, 401, "unauthorized")
    # Nothing was read out or changed.
    assert "signup" not in response.text
    assert len(client.get("/_emulator/metrics").json()["metrics"]["proj"]) == 1
    faults = client.get("/_emulator/faults").json()
    assert (faults["latency_ms"], faults["error_rate"]) == (1, 0.0)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:1"},  # same host, another port: another origin
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_site_control_requests_are_refused_even_with_the_token(
    client: httpx.Client, headers: dict[str, str]
) -> None:
    create(client, CUSTOM)
    assert_error(client.post("/_emulator/reset", headers=headers), 403, "forbidden")
    assert client.get("/_emulator/metrics").json()["totalCount"] == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_own_origin_is_accepted(client: httpx.Client, server: EmulatorServer, host: str) -> None:
    create(client, CUSTOM)
    origin = f"http://{host}:{server.port}"
    response = client.post("/_emulator/reset", headers={"Origin": origin})
    assert response.status_code == 204
    assert client.get("/_emulator/metrics").json()["totalCount"] == 0


def test_a_separate_control_token() -> None:
    emulator = Emulator(token=TOKEN, control_token="ctl")
    with EmulatorServer(emulator) as server, new_client(server.url, TOKEN) as api:
        assert_error(api.get("/_emulator/log"), 401, "unauthorized")
        assert api.get("/_emulator/log", headers={"Authorization": "ctl"}).status_code == 200
    emulator.close()


def test_without_an_api_token_the_control_token_is_random() -> None:
    first, second = Emulator(), Emulator()
    assert first.control_token != second.control_token and len(first.control_token) >= 32
    with EmulatorServer(first) as server, new_client(server.url) as anon:
        assert anon.get("/api/v2/metrics/proj").status_code == 200  # the API stays open
        assert_error(anon.get("/_emulator/log"), 401, "unauthorized")
        ok = anon.get("/_emulator/log", headers={"Authorization": first.control_token})
        assert ok.status_code == 200
    first.close()
    second.close()
