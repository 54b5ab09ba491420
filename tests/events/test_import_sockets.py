"""`ldmetrics events import` against the emulator over real sockets: both listeners, the
metrics listing, batching, retries and what the events host ended up accepting."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from pathlib import Path

import pytest

from .conftest import (
    ENVIRONMENT,
    NOW_MS,
    PROJECT,
    READER_TOKEN,
    Hosts,
    RunCli,
    create_metric,
    event,
    write_ndjson,
)

NOW_S = NOW_MS // 1000
UA = re.compile(r"^MetricImport-Pulumi-int/\S+$")


def posts(hosts: Hosts) -> list[dict[str, object]]:
    return [e for e in hosts.emulator.events.request_log() if e["method"] == "POST"]


def test_happy_import_of_10000_events_in_several_batches(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path
) -> None:
    create_metric(hosts, "checkout-latency", "checkout-latency", numeric=True)
    events = [event(i) for i in range(10_000)]
    path = write_ndjson(tmp_path / "events.ndjson", events)

    result = run_cli("--batch-size", "3000", str(path))

    assert result.code == 0, result.stderr
    assert "Sent 10000 of 10000 event(s)" in result.stdout
    assert "4 of 4 batch(es) accepted, 4 request(s)" in result.stdout
    assert "Retried 0 times" in result.stdout
    accepted = hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)
    assert [{k: v for k, v in e.items() if not k.startswith("_")} for e in accepted] == [
        {"kind": "custom", **e} for e in events
    ]
    log = posts(hosts)
    assert [e["events"] for e in log] == [3000, 3000, 3000, 1000]
    for entry in log:
        assert entry["status"] == 202 and entry["event_schema"] == "4"
        assert UA.match(str(entry["user_agent"]))
        assert entry["content_length"] is not None
        uuid.UUID(str(entry["payload_id"]))
    assert len({e["payload_id"] for e in log}) == 4
    summary = hosts.emulator.events.summary(PROJECT, ENVIRONMENT)
    assert (summary["payloads"], summary["dropped"], summary["unmatchedKey"]) == (4, 0, 0)


def test_batches_stay_within_the_byte_limit(hosts: Hosts, run_cli: RunCli, tmp_path: Path) -> None:
    events = [event(i, data={"pad": "x" * 200}) for i in range(500)]
    path = write_ndjson(tmp_path / "events.ndjson", events)

    result = run_cli("--no-metrics-check", "--max-batch-bytes", "20000", str(path))

    assert result.code == 0, result.stderr
    log = posts(hosts)
    assert len(log) > 5
    assert all(int(str(e["content_length"])) <= 20000 for e in log)
    assert sum(int(str(e["events"])) for e in log) == 500
    assert len(hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)) == 500


@pytest.mark.parametrize(
    "faults",
    [
        ["lost_response", "lost_response"],
        [503, 500],
        ["lost_response", 502, "drop"],
    ],
    ids=["lost-responses", "5xx", "mixed"],
)
def test_retries_are_accepted_exactly_once_by_payload_id(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path, faults: list[int | str]
) -> None:
    events = [event(i) for i in range(2000)]
    path = write_ndjson(tmp_path / "events.ndjson", events)
    for fault in faults:
        hosts.emulator.events.fail_next(fault)  # type: ignore[arg-type]

    result = run_cli("--no-metrics-check", "--batch-size", "500", str(path))

    assert result.code == 0, result.stderr
    accepted = hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)
    assert len(accepted) == 2000
    assert Counter(e["contextKeys"]["user"] for e in accepted) == Counter(
        f"user-{i}" for i in range(2000)
    )
    log = posts(hosts)
    assert len(log) == 4 + len(faults)
    # Every attempt of the first batch carried the same payload id.
    first = [e["payload_id"] for e in log[: len(faults) + 1]]
    assert len(set(first)) == 1
    lost = faults.count("lost_response")
    summary = hosts.emulator.events.summary(PROJECT, ENVIRONMENT)
    assert (summary["payloads"], summary["duplicatePayloads"]) == (4, lost)
    assert f"Retried {len(faults)} time(s)" in result.stdout
    assert "in batch(es) 1," in result.stdout
    assert len(result.sleeps) == len(faults)


def test_429_waits_as_retry_after_asks_then_succeeds(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path
) -> None:
    path = write_ndjson(tmp_path / "events.ndjson", [event(i) for i in range(10)])
    hosts.emulator.events.fail_next(429, times=2, reset_in_ms=2000, retry_after=2)

    result = run_cli("--no-metrics-check", str(path))

    assert result.code == 0, result.stderr
    assert [round(s) for s in result.sleeps] == [2, 2]
    assert all(s >= 2 for s in result.sleeps)
    assert "Retried 2 time(s) (2 after 429)" in result.stdout
    assert [e["status"] for e in posts(hosts)] == [429, 429, 202]
    assert len(hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)) == 10


def test_rate_limit_window_is_honoured_across_batches(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path
) -> None:
    path = write_ndjson(tmp_path / "events.ndjson", [event(i) for i in range(50)])
    # 2 requests per 1 s window, announced by X-Ratelimit-Reset only (ms precision). The
    # window is long enough for 3 small requests to meet it even on a loaded machine.
    hosts.emulator.events.set_faults(
        global_limit=2, limit_window_seconds=1.0, rate_limit_headers="reset"
    )

    result = run_cli("--no-metrics-check", "--batch-size", "10", str(path), real_sleep=True)

    assert result.code == 0, result.stderr
    statuses = [e["status"] for e in posts(hosts)]
    assert statuses.count(202) == 5
    assert statuses[:3] == [202, 202, 429]
    # Each wait lasts until the window resets: about one 429 per window, not a retry storm
    # (two in a row can happen: the reset header is in whole milliseconds).
    assert statuses.count(429) <= 4
    assert len(hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)) == 50


def test_429_that_never_ends_fails_with_the_batch_named(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path
) -> None:
    path = write_ndjson(tmp_path / "events.ndjson", [event(i) for i in range(10)])
    hosts.emulator.events.fail_next(429, times=50, retry_after=1)

    result = run_cli("--no-metrics-check", "--max-retries", "3", str(path))

    assert result.code == 1
    assert "429 rate_limited" in result.stderr
    assert "batch 1 of 1, payload" in result.stderr
    assert "re-running the same import re-sends it with the same payload id" in result.stderr
    assert len(posts(hosts)) == 4
    assert hosts.emulator.events.accepted(PROJECT, ENVIRONMENT) == []


def test_a_file_with_bad_rows_names_each_and_sends_nothing(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path
) -> None:
    create_metric(hosts, "checkout-latency", "checkout-latency", numeric=True)
    rows = [json.dumps(event(i)) for i in range(20)]
    rows[2] = json.dumps(event(2, kind="identify"))
    rows[5] = "{not json"
    rows[7] = json.dumps(event(7, creationDate=NOW_S))
    rows[11] = json.dumps({k: v for k, v in event(11).items() if k != "metricValue"})
    rows[13] = json.dumps(event(13, contextKeys={}))
    rows[17] = json.dumps(event(17, metricvalue=3))
    path = tmp_path / "events.ndjson"
    path.write_text("\n".join(rows) + "\n")

    result = run_cli(str(path))

    assert result.code == 1
    named = re.findall(r"invalid: events\.ndjson:line (\d+): (.*)", result.stderr)
    assert [int(line) for line, _ in named] == [3, 6, 8, 12, 14, 18]
    reasons = dict(named)
    assert "kind: must be 'custom'" in reasons["3"]
    assert "not valid JSON" in reasons["6"]
    assert "looks like seconds" in reasons["8"]
    assert "metricValue: required, key 'checkout-latency' feeds numeric" in reasons["12"]
    assert "contextKeys: required" in reasons["14"]
    assert "unknown field 'metricvalue'" in reasons["18"]
    assert "6 invalid row(s) of 20; nothing was sent" in result.stderr
    assert posts(hosts) == []


def test_skip_invalid_sends_the_valid_rows_and_lists_the_rejected(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path
) -> None:
    rows = [event(i) for i in range(10)]
    rows[4] = event(4, contextKeys={"multi": "x"})
    path = write_ndjson(tmp_path / "events.ndjson", rows)

    result = run_cli("--no-metrics-check", "--skip-invalid", str(path))

    assert result.code == 0, result.stderr
    assert "Sent 9 of 9 event(s)" in result.stdout
    assert "Rejected 1 invalid row(s) (not sent):\n  events.ndjson:line 5: contextKeys:" in (
        result.stdout
    )
    assert len(hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)) == 9


def test_unknown_event_keys_and_values_for_conversion_metrics_are_reported(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path
) -> None:
    create_metric(hosts, "latency", "checkout-latency", numeric=True)
    create_metric(hosts, "signed-up", "signup", numeric=False)
    rows = [event(i) for i in range(5)]
    rows += [event(i, key="chekout-latency") for i in range(7)]
    rows += [event(i, key="signup") for i in range(3)]
    rows += [{k: v for k, v in event(9, key="signup").items() if k != "metricValue"}]
    path = write_ndjson(tmp_path / "events.ndjson", rows)

    result = run_cli(str(path))

    assert result.code == 0, result.stderr
    assert (
        "warning: 7 event(s) with key 'chekout-latency' match no metric's event_key in project"
        " web; LaunchDarkly accepts them but counts them nowhere (events.ndjson:line 6,"
        " events.ndjson:line 7, events.ndjson:line 8, events.ndjson:line 9, events.ndjson:line"
        " 10 and 2 more)"
    ) in result.stderr
    assert "warning: 3 event(s) with key 'signup' carry metricValue" in result.stderr
    assert "Metric check: 7 event(s) with 1 key(s) no metric counts, 3 value(s)" in result.stdout
    # LaunchDarkly takes them all (a 202); the emulator counts what no metric matches.
    summary = hosts.emulator.events.summary(PROJECT, ENVIRONMENT)
    assert (summary["accepted"], summary["unmatchedKey"]) == (16, 7)


def test_metrics_file_replaces_the_listing(hosts: Hosts, run_cli: RunCli, tmp_path: Path) -> None:
    metrics = tmp_path / "metrics.yaml"
    metrics.write_text(
        "project_key: web\nmetrics:\n"
        "  - {key: latency, name: Latency, kind: custom, event_key: checkout-latency,"
        " is_numeric: true, unit: ms, success_criteria: LowerThanBaseline}\n"
    )
    rows = [event(1), event(2, key="nobody")]
    path = write_ndjson(tmp_path / "events.ndjson", rows)

    # The reader token may list metrics but not import: with a file, no listing happens.
    result = run_cli("--metrics-file", str(metrics), "--dry-run", str(path), token=READER_TOKEN)

    assert result.code == 0, result.stderr
    assert "key 'nobody' match no metric" in result.stderr
    assert "Dry run: 2 valid event(s) of 2 row(s)" in result.stdout
    assert hosts.emulator.request_log() == [] and posts(hosts) == []


def test_token_without_import_permission_gets_401_with_the_hint(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path
) -> None:
    path = write_ndjson(tmp_path / "events.ndjson", [event(1)])

    result = run_cli("--no-metrics-check", str(path), token=READER_TOKEN)

    assert result.code == 1
    assert "401 unauthorized" in result.stderr
    assert "needs the importEventData action" in result.stderr
    assert len(posts(hosts)) == 1  # a 401 is not retried


def test_csv_and_json_inputs(hosts: Hosts, run_cli: RunCli, tmp_path: Path) -> None:
    csv_path = tmp_path / "events.csv"
    csv_path.write_text(
        "key,creationDate,metricValue,context.user,context.organization,data.screen\n"
        f"checkout-latency,{NOW_S * 1000},12.5,u-1,org-9,cart\n"
        "checkout-latency,2099-01-01T00:00:00Z,1,u-2,,\n"
        f"checkout-latency,{NOW_S * 1000},,u-3,,\n"
    )
    json_path = tmp_path / "more.json"
    json_path.write_text(json.dumps([event(1), event(2)]))

    csv_result = run_cli("--no-metrics-check", "--skip-invalid", str(csv_path))
    json_result = run_cli("--no-metrics-check", str(json_path))

    assert csv_result.code == 0 and json_result.code == 0, csv_result.stderr
    assert "events.csv:line 3: creationDate: 2099-01-01T00:00:00+00:00 is in the future" in (
        csv_result.stdout
    )
    accepted = hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)
    assert {k: v for k, v in accepted[0].items() if not k.startswith("_")} == {
        "kind": "custom",
        "key": "checkout-latency",
        "creationDate": NOW_S * 1000,
        "metricValue": 12.5,
        "contextKeys": {"user": "u-1", "organization": "org-9"},
        "data": {"screen": "cart"},
    }
    assert "metricValue" not in accepted[1]
    assert len(accepted) == 4
