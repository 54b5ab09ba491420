"""Benchmark 10: `ldmetrics events import` of 100,000 events against the emulator's events host.

Runs the CLI in process (argument parsing, metric listing, reading, validation, batching,
HTTP over loopback to the events listener) on an NDJSON file, twice: fault-free, and with
seeded faults on the events host (10 % lost responses, 10 % 503s, batches of 2,000) to show
what retries cost and that every event is still accepted exactly once (payload-id
de-duplication). A third row
times the library's two steps apart (plan: read + validate + encode; send).

Targets: every event accepted once; with no faults, one request per batch; >= 10,000 events/s
end to end on the fault-free run.

`python -m benchmarks.events_import [N]`
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Section, main_for, table, verdict
from pulumi_ldmetrics.cli import Seams, run as run_cli
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.emulator.events_server import EventsServer
from pulumi_ldmetrics.events import EventsClient, plan_file, resolve_events_settings, send_plan

TOKEN = "api-bench-ev-7q2w9e4r1t6y3u8i"
PROJECT, ENVIRONMENT = "bench", "production"
TARGET_EVENTS_PER_S = 10_000
FAULTS: dict[str, object] = {
    "lost_response_rate": 0.1,
    "error_rate": 0.1,
    "error_status": 503,
    "seed": 7,
}
FAULT_BATCH_EVENTS = 2_000
"""Smaller batches in the fault run, so that enough requests meet a fault to show retries."""


def _write_events(path: Path, n: int) -> int:
    """n events over 1,000 users, 3 keys (2 with metrics), values on the numeric key only."""
    now = int(time.time() * 1000)
    keys = ("checkout-latency", "signup", "unmatched-key")
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            key = keys[i % 3]
            row: dict[str, object] = {
                "key": key,
                "creationDate": now - (i % 86_400) * 1000,
                "contextKeys": {"user": f"user-{i % 1000}", "organization": f"org-{i % 37}"},
                "data": {"source": "benchmark"},
            }
            if key == "checkout-latency":
                row["metricValue"] = round(i % 997 * 1.5, 1)
            out.write(json.dumps(row) + "\n")
    return path.stat().st_size


def _seed_metrics(api_url: str) -> None:
    import httpx  # noqa: PLC0415 - only the seeding needs a raw client

    for body in (
        {
            "key": "latency",
            "name": "Latency",
            "kind": "custom",
            "eventKey": "checkout-latency",
            "isNumeric": True,
            "unit": "ms",
            "successCriteria": "LowerThanBaseline",
        },
        {"key": "signups", "name": "Signups", "kind": "custom", "eventKey": "signup"},
    ):
        httpx.post(
            f"{api_url}/api/v2/metrics/{PROJECT}", json=body, headers={"Authorization": TOKEN}
        ).raise_for_status()


def _cli_row(
    label: str, path: Path, n: int, faults: dict[str, object] | None, *extra: str
) -> list[object]:
    emulator = Emulator(token=TOKEN)
    with EmulatorServer(emulator) as api, EventsServer(emulator) as events:
        _seed_metrics(api.url)
        if faults:
            emulator.events.set_faults(**faults)
        out, err = io.StringIO(), io.StringIO()
        argv = [
            "events",
            "import",
            "--project",
            PROJECT,
            "--environment",
            ENVIRONMENT,
            "--api-host",
            api.url,
            "--events-host",
            events.url,
            *extra,
            str(path),
        ]
        started = time.perf_counter()
        code = run_cli(argv, Seams(out, err, {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN}))
        seconds = time.perf_counter() - started
        summary = emulator.events.summary(PROJECT, ENVIRONMENT)
        log = emulator.events.request_log()
    emulator.close()
    batches = summary["payloads"]
    ok = code == 0 and summary["accepted"] == n and (faults or len(log) == batches)
    if not faults:
        ok = ok and n / seconds >= TARGET_EVENTS_PER_S
    outcomes = {
        o: sum(1 for e in log if e["outcome"] == o) for o in sorted({e["outcome"] for e in log})
    }
    return [
        label,
        n,
        batches,
        len(log),
        ", ".join(f"{k} {v}" for k, v in outcomes.items()),
        summary["accepted"],
        summary["duplicatePayloads"],
        summary["unmatchedKey"],
        f"{seconds:.2f}",
        f"{n / seconds:,.0f}",
        verdict(bool(ok)),
    ]


def _steps_row(path: Path, n: int) -> list[object]:
    emulator = Emulator(token=TOKEN)
    with EventsServer(emulator) as events:
        _api, settings = resolve_events_settings(
            {"ldmetrics:accessToken": TOKEN, "ldmetrics:eventsHost": events.url}, {}
        )
        started = time.perf_counter()
        plan = plan_file(path)
        planned = time.perf_counter()
        with EventsClient(settings) as client:
            report = send_plan(plan, client, PROJECT, ENVIRONMENT)
        sent = time.perf_counter()
        accepted = emulator.events.summary(PROJECT, ENVIRONMENT)["accepted"]
    emulator.close()
    return [
        f"library: plan {planned - started:.2f} s ({n / (planned - started):,.0f}/s), "
        f"send {sent - planned:.2f} s ({n / (sent - planned):,.0f}/s)",
        n,
        report.batches_total,
        report.requests,
        "-",
        accepted,
        0,
        "-",
        f"{sent - started:.2f}",
        f"{n / (sent - started):,.0f}",
        verdict(accepted == n and report.requests == report.batches_total),
    ]


def run(n: int = 100_000) -> Section:
    with tempfile.TemporaryDirectory(prefix="ldm-events-bench-") as tmp:
        path = Path(tmp) / "events.ndjson"
        size = _write_events(path, n)
        rows = [
            _cli_row("CLI, no faults", path, n, None),
            _cli_row(
                f"CLI, 10 % lost responses + 10 % 503, batches of {FAULT_BATCH_EVENTS:,}",
                path,
                n,
                FAULTS,
                "--batch-size",
                str(FAULT_BATCH_EVENTS),
            ),
            _steps_row(path, n),
        ]
    missed = [f"events import ({row[0]}): see the table" for row in rows if row[-1] != "met"]
    body = table(
        [
            "run",
            "events",
            "batches",
            "requests",
            "emulator outcomes",
            "accepted",
            "duplicate payloads",
            "unmatched-key events",
            "wall s",
            "events/s",
            "",
        ],
        rows,
    )
    body += (
        f"\n\nInput: NDJSON, {size / 1e6:.1f} MB, 3 event keys (one numeric metric, one "
        "conversion metric, one key no metric counts: reported as a warning, accepted by "
        "LaunchDarkly). Default limits: at most 10,000 events and 9,000,000 bytes per request. "
        f"Targets: accepted = events; no-fault requests = batches; >= {TARGET_EVENTS_PER_S:,} "
        "events/s end to end (CLI start-up excluded, the metrics listing included). Waits "
        "between retries are real (capped exponential backoff from 0.25 s)."
    )
    return Section("10. Metric events import", body, missed)


if __name__ == "__main__":
    main_for(lambda: run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
