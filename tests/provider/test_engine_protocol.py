"""The provider as the engine sees it: every RPC through the real `python -m pulumi.dynamic`
host, against the emulator on loopback, with request counts read from the emulator's log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from pulumi.output import Unknown
from pulumi.runtime.proto import provider_pb2 as pb

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer

from .conftest import READER_TOKEN, TOKEN, requests_by_method
from .engine_host import UNKNOWN, HostProcess, host_env, strip_provider

SIGNUP = {
    "project_key": "web",
    "key": "signup",
    "name": "Signup",
    "kind": "custom",
    "event_key": "signup-done",
}


def test_full_lifecycle_makes_the_fewest_requests(host: HostProcess, emulator: Emulator) -> None:
    checked, failures = host.check("signup", {}, SIGNUP)
    assert failures == []
    checked = strip_provider(checked)
    assert (
        checked["unit_aggregation_type"] == "average"
        and checked["success_criteria"] == "HigherThanBaseline"
    )
    assert requests_by_method(emulator) == {}  # check: 0 requests

    id_, outs = host.create("signup", checked)
    assert id_ == "web/signup"
    assert outs["version"] == 1 and len(outs["metric_id"]) == 24
    assert outs["maintainer_id"] and outs["unmanaged_fields"] == [
        "analysis_units",
        "data_source",
        "maintainer_id",
    ]
    assert requests_by_method(emulator) == {"POST": 1}
    emulator.clear_log()

    outs = strip_provider(outs)
    same = host.diff("signup", id_, outs, checked)
    assert same.changes == pb.DiffResponse.DIFF_NONE

    renamed, _ = host.check("signup", checked, {**SIGNUP, "name": "Signed up"})
    renamed = strip_provider(renamed)
    d = host.diff("signup", id_, outs, renamed)
    assert d.changes == pb.DiffResponse.DIFF_SOME and list(d.replaces) == []
    assert requests_by_method(emulator) == {}  # check and diff: 0 requests

    outs2 = strip_provider(host.update("signup", id_, outs, renamed))
    assert outs2["name"] == "Signed up" and outs2["version"] == 2
    assert requests_by_method(emulator) == {"PATCH": 1}
    assert [e["path"] for e in emulator.request_log()] == ["/api/v2/metrics/web/signup"]
    emulator.clear_log()

    outs3 = strip_provider(host.update("signup", id_, outs2, renamed))
    assert outs3["version"] == 2
    assert requests_by_method(emulator) == {}  # a no-op update: 0 requests

    read_id, read_outs, read_inputs = host.read("signup", id_, outs3)
    assert read_id == id_ and read_outs["version"] == 2
    # Refreshed inputs equal what check produced, so refresh + preview shows no change.
    assert strip_provider(read_inputs) == renamed
    assert requests_by_method(emulator) == {"GET": 1}
    emulator.clear_log()

    host.delete("signup", id_, outs3)
    assert requests_by_method(emulator) == {"DELETE": 1}
    assert emulator.metrics() == {} or all(not v for v in emulator.metrics().values())

    gone_id, gone_outs, _ = host.read("signup", id_, outs3)
    assert gone_id == "" and strip_provider(gone_outs) == {}


def test_read_reports_drift_against_the_code(host: HostProcess, server: EmulatorServer) -> None:
    checked, _ = host.check("signup", {}, SIGNUP)
    id_, outs = host.create("signup", strip_provider(checked))
    import httpx

    httpx.patch(
        f"{server.url}/api/v2/metrics/web/signup",
        headers={"Authorization": TOKEN},
        json=[{"op": "replace", "path": "/name", "value": "Renamed in the UI"}],
    ).raise_for_status()
    _, fresh, inputs = host.read("signup", id_, strip_provider(outs))
    assert inputs["name"] == "Renamed in the UI"
    d = host.diff("signup", id_, strip_provider(fresh), strip_provider(checked))
    assert d.changes == pb.DiffResponse.DIFF_SOME


def test_check_tolerates_unknowns_and_keeps_them(host: HostProcess, emulator: Emulator) -> None:
    checked, failures = host.check("signup", {}, {**SIGNUP, "event_key": UNKNOWN, "tags": UNKNOWN})
    assert failures == []
    assert isinstance(checked["event_key"], Unknown) and isinstance(checked["tags"], Unknown)
    assert checked["analysis_type"] == "mean"
    assert emulator.request_log() == []


def test_diff_with_unknown_counts_it_as_a_change(host: HostProcess) -> None:
    checked, _ = host.check("signup", {}, SIGNUP)
    id_, outs = host.create("signup", strip_provider(checked))
    d = host.diff(
        "signup", id_, strip_provider(outs), {**strip_provider(checked), "description": UNKNOWN}
    )
    assert d.changes == pb.DiffResponse.DIFF_SOME and list(d.replaces) == []
    k = host.diff("signup", id_, strip_provider(outs), {**strip_provider(checked), "key": UNKNOWN})
    assert list(k.replaces) == ["key"]


def test_check_returns_every_violation_with_its_field(
    host: HostProcess, emulator: Emulator
) -> None:
    bad = {
        "project_key": "web",
        "key": "p95",
        "name": "P95",
        "kind": "custom",
        "is_numeric": True,
        "analysis_type": "percentile",
        "winsor_lower_percentile": 0,
    }
    _, failures = host.check("p95", {}, bad)
    assert sorted(p for p, _ in failures) == [
        "event_key",
        "percentile_value",
        "unit",
        "winsor_lower_percentile",
    ]
    assert ("event_key", "custom metrics require 'event_key' to be set") in failures
    assert emulator.request_log() == []


@pytest.mark.parametrize(
    ("change", "replaced"),
    [
        ({"key": "signup-2"}, ["key"]),
        (
            {
                "kind": "trace",
                "event_key": None,
                "trace_query": "q",
                "trace_value_location": "duration",
            },
            ["kind"],
        ),
        ({"project_key": "mobile"}, ["project_key"]),
    ],
)
def test_identity_changes_replace_delete_first(
    host: HostProcess, change: dict[str, Any], replaced: list[str]
) -> None:
    checked, _ = host.check("signup", {}, SIGNUP)
    id_, outs = host.create("signup", strip_provider(checked))
    new_spec = {k: v for k, v in {**SIGNUP, **change}.items() if v is not None}
    news, failures = host.check("signup", strip_provider(checked), new_spec)
    assert failures == []
    d = host.diff("signup", id_, strip_provider(outs), strip_provider(news))
    assert list(d.replaces) == replaced
    assert d.deleteBeforeReplace is True


def test_get_reads_by_id_with_one_request(host: HostProcess, emulator: Emulator) -> None:
    checked, _ = host.check("signup", {}, SIGNUP)
    host.create("signup", strip_provider(checked))
    emulator.clear_log()
    # Metric.get: the engine sends the program's (empty) props as both inputs and state.
    empty = {name: None for name in SIGNUP}
    id_, outs, inputs = host.read("looked-up", "web/signup", empty, empty)
    assert id_ == "web/signup" and outs["event_key"] == "signup-done"
    assert "maintainer_id" not in inputs  # not declared, so not made to look declared
    assert requests_by_method(emulator) == {"GET": 1}


def test_adopt_existing_takes_over_with_get_and_one_patch(
    host: HostProcess, emulator: Emulator
) -> None:
    checked, _ = host.check("signup", {}, SIGNUP)
    host.create("signup", strip_provider(checked))
    emulator.clear_log()
    adopted, _ = host.check("signup2", {}, {**SIGNUP, "name": "Adopted", "adopt_existing": True})
    id_, outs = host.create("signup2", strip_provider(adopted))
    assert outs["name"] == "Adopted" and outs["version"] == 2
    assert requests_by_method(emulator) == {"GET": 1, "PATCH": 1}
    emulator.clear_log()
    host.create("signup3", strip_provider(adopted))  # already in the declared state
    assert requests_by_method(emulator) == {"GET": 1}


def test_adopt_existing_takes_over_a_metric_created_between_its_get_and_its_post(
    host: HostProcess, emulator: Emulator
) -> None:
    checked, _ = host.check("signup", {}, SIGNUP)
    host.create("signup", strip_provider(checked))  # the other writer's metric
    emulator.clear_log()
    emulator.fail_next(404, method="GET")  # the adopt's GET does not see it yet
    adopted, _ = host.check("mine", {}, {**SIGNUP, "name": "Adopted", "adopt_existing": True})
    id_, outs = host.create("mine", strip_provider(adopted))
    assert id_ == "web/signup" and outs["name"] == "Adopted"
    assert [e["method"] for e in emulator.request_log()] == ["GET", "POST", "GET", "PATCH"]


def test_four_concurrent_creates_through_the_host_all_succeed(
    host: HostProcess, emulator: Emulator
) -> None:
    specs = [{**SIGNUP, "key": f"m{i}", "event_key": f"e{i}"} for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(
                lambda s: host.create(s["key"], strip_provider(host.check(s["key"], {}, s)[0])),
                specs,
            )
        )
    assert sorted(id_ for id_, _ in results) == [f"web/m{i}" for i in range(4)]
    assert requests_by_method(emulator) == {"POST": 4}


def _error_of(call: Any) -> str:
    with pytest.raises(grpc.RpcError) as info:
        call()
    details = info.value.details()
    assert details is not None
    return details


def test_missing_token_names_both_ways_to_set_it(server: EmulatorServer) -> None:
    # Reported by the first engine call, a preview's check, not by the first write.
    process = HostProcess(host_env())
    try:
        process.configure({"ldmetrics:apiHost": server.url})
        message = _error_of(lambda: process.check("signup", {}, SIGNUP))
    finally:
        process.close()
    assert server.emulator.request_log() == []
    assert (
        "pulumi config set --secret ldmetrics:accessToken" in message
        and "LAUNCHDARKLY_ACCESS_TOKEN" in message
    )
    assert "\n" not in message


def test_token_from_the_environment_works(server: EmulatorServer, emulator: Emulator) -> None:
    process = HostProcess(
        host_env(LAUNCHDARKLY_ACCESS_TOKEN=TOKEN, LAUNCHDARKLY_API_HOST=server.url)
    )
    try:
        process.configure({})
        checked, _ = process.check("signup", {}, SIGNUP)
        id_, _ = process.create("signup", strip_provider(checked))
    finally:
        process.close()
    assert id_ == "web/signup"
    assert [m["key"] for m in emulator.metrics()["web"]] == ["signup"]


@pytest.mark.parametrize(
    ("token", "spec", "expected"),
    [
        (
            "wrong-token",
            SIGNUP,
            ["creating metric web/signup", "401", "unauthorized", "ldmetrics:accessToken"],
        ),
        (READER_TOKEN, SIGNUP, ["creating metric web/signup", "403", "forbidden"]),
        (
            TOKEN,
            {**SIGNUP, "project_key": "nope"},
            ["creating metric nope/signup", "404", "not_found"],
        ),
    ],
    ids=["401", "403", "404"],
)
def test_api_errors_are_one_line_and_say_what_to_do(
    server: EmulatorServer, token: str, spec: dict[str, Any], expected: list[str]
) -> None:
    process = HostProcess(host_env())
    try:
        process.configure(
            {"ldmetrics:accessToken": token, "ldmetrics:apiHost": server.url},
            ("ldmetrics:accessToken",),
        )
        checked, _ = process.check("signup", {}, spec)
        message = _error_of(lambda: process.create("signup", strip_provider(checked)))
    finally:
        process.close()
    for part in expected:
        assert part in message
    assert "\n" not in message.strip()
    assert token not in message


def test_existing_key_explains_how_to_adopt(host: HostProcess) -> None:
    checked, _ = host.check("signup", {}, SIGNUP)
    host.create("signup", strip_provider(checked))
    message = _error_of(lambda: host.create("again", strip_provider(checked)))
    assert "creating metric web/signup" in message and "adopt_existing=True" in message
    assert "\n" not in message.strip()


def test_token_never_reaches_outputs_or_host_output(host: HostProcess) -> None:
    checked, _ = host.check("signup", {}, SIGNUP)
    id_, outs = host.create("signup", strip_provider(checked))
    _, read_outs, read_inputs = host.read("signup", id_, strip_provider(outs))
    host.close()
    for blob in (repr(outs), repr(read_outs), repr(read_inputs), "".join(host.stderr)):
        assert TOKEN not in blob


def test_debug_logs_show_requests_and_retries_but_never_the_token(
    server: EmulatorServer, emulator: Emulator
) -> None:
    process = HostProcess(host_env(LDMETRICS_LOG="debug"))
    try:
        process.configure(
            {"ldmetrics:accessToken": TOKEN, "ldmetrics:apiHost": server.url},
            ("ldmetrics:accessToken",),
        )
        emulator.fail_next(503)
        checked, _ = process.check("signup", {}, SIGNUP)
        process.create("signup", strip_provider(checked))
    finally:
        process.close()
    logs = "".join(process.stderr)
    assert "HTTP Request: POST" in logs
    assert "etry" in logs  # the retry after the 503 is logged
    assert TOKEN not in logs
