"""The request log and the /_emulator control endpoint, over HTTP."""

from __future__ import annotations

import httpx

from pulumi_ldmetrics.emulator import Emulator

from .helpers import CUSTOM, METRICS, READER_TOKEN, TOKEN, assert_error, create


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
    entries = anon.get("/_emulator/log").json()["requests"]
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
    dumped = str(entries) + anon.get("/_emulator/log").text
    for secret in (TOKEN, READER_TOKEN, "wrong-secret"):
        assert secret not in dumped
    assert "authorization" not in dumped.lower()
    assert emulator.request_log() == entries


def test_control_endpoint_is_exempt_from_auth_faults_and_log(
    anon: httpx.Client, emulator: Emulator
) -> None:
    emulator.set_faults(error_rate=1.0, global_limit=0)
    for path in ("/_emulator/log", "/_emulator/faults", "/_emulator/metrics"):
        assert anon.get(path).status_code == 200
    assert emulator.request_log() == []


def test_clear_log(client: httpx.Client, emulator: Emulator) -> None:
    client.get(METRICS)
    assert client.delete("/_emulator/log").status_code == 204
    assert client.get("/_emulator/log").json() == {"requests": []}
    client.get(METRICS)
    assert emulator.request_log()[0]["seq"] == 2


def test_put_faults_partial_update_with_script(anon: httpx.Client, client: httpx.Client) -> None:
    response = anon.put(
        "/_emulator/faults",
        json={"route_limit": 5, "script": [{"status": 502, "method": "GET", "times": 2}]},
    )
    assert response.status_code == 200
    settings = response.json()
    assert settings["route_limit"] == 5 and settings["error_rate"] == 0.0
    assert settings["script"][0]["mode"] == 502 and settings["script"][0]["times"] == 2
    assert anon.get("/_emulator/faults").json() == settings
    assert_error(client.get(METRICS), 502, "bad_gateway")
    assert_error(client.get(METRICS), 502, "bad_gateway")
    ok = client.get(METRICS)
    # Scripted faults are answered before the limiter, so they use up none of the budget.
    assert ok.status_code == 200 and ok.headers["x-ratelimit-route-remaining"] == "4"
    assert anon.get("/_emulator/faults").json()["script"] == []


def test_put_faults_rejects_bad_input_and_changes_nothing(anon: httpx.Client) -> None:
    before = anon.get("/_emulator/faults").json()
    for body in ({"error_rate": "high"}, {"nope": 1}, {"script": [{"mode": "explode"}]}, [1]):
        assert_error(anon.put("/_emulator/faults", json=body), 400, "invalid_request")
    assert anon.get("/_emulator/faults").json() == before


def test_scripted_drop_via_http(anon: httpx.Client, client: httpx.Client) -> None:
    anon.put("/_emulator/faults", json={"script": [{"mode": "drop"}]})
    try:
        client.get(METRICS)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("expected the connection to be dropped")


def test_metrics_endpoint_and_reset(client: httpx.Client, anon: httpx.Client) -> None:
    a = create(client, CUSTOM)
    b = create(client, CUSTOM, project="other")
    body = anon.get("/_emulator/metrics").json()
    assert body == {"metrics": {"proj": [a], "other": [b]}, "totalCount": 2}
    anon.put("/_emulator/faults", json={"error_rate": 1.0})
    assert anon.post("/_emulator/reset").status_code == 204
    assert anon.get("/_emulator/metrics").json() == {"metrics": {}, "totalCount": 0}
    assert anon.get("/_emulator/log").json() == {"requests": []}
    assert anon.get("/_emulator/faults").json()["error_rate"] == 0.0
    assert client.get(METRICS).status_code == 200


def test_unknown_control_route(anon: httpx.Client) -> None:
    assert_error(anon.get("/_emulator/nope"), 404, "not_found")
    assert_error(anon.post("/_emulator/log"), 405, "method_not_allowed")
