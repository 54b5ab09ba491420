"""Benchmark 2: wall time of `pulumi up` (create) for N = 50 and 200, emulator latency 0/100 ms.

The provider's share is T_100 - T_0, compared with the floor N x 0.1 s / 4 (the dynamic
provider host serves 4 calls at once). To see where the time goes, each run also reports
the span of the API requests as the emulator saw them (first arrival to last arrival), the
mean number of requests in flight during that span, and the split of `up` into its preview
and update halves (`up --skip-preview` is timed separately).

`python -m benchmarks.wall_time [N ...]`
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from benchmarks.common import (
    Section,
    TimedEmulator,
    bench_stack,
    load_now,
    main_for,
    median,
    new_token,
    running_emulator,
    table,
    verdict,
)

LATENCIES_MS = (0, 100)
REPEATS = 2
WORKERS = 4
TOLERANCE = 0.15


@dataclass
class Run:
    up_s: float
    skip_preview_s: float
    api_span_s: float
    in_flight: float
    requests: int


def _api_stats(emulator: TimedEmulator) -> tuple[float, float, int]:
    arrivals = sorted(emulator.arrivals)
    log = emulator.request_log()
    if not arrivals:
        return 0.0, 0.0, 0
    span = arrivals[-1] - arrivals[0] + max(e["duration_ms"] for e in log) / 1000
    busy = sum(e["duration_ms"] for e in log) / 1000
    return span, busy / span if span else 0.0, len(log)


def checkpoint_diagnostic(n: int) -> tuple[str, list[str]]:
    """`up --skip-preview` at 0 and 100 ms with and without PULUMI_SKIP_CHECKPOINTS=true: how
    much of the update is the engine rewriting the whole snapshot after every step."""
    rows: list[list[str]] = []
    missed: list[str] = []
    for skip in ("false", "true"):
        results = {}
        for latency in LATENCIES_MS:
            token = new_token()
            emulator = TimedEmulator(token=token)
            with (
                running_emulator(emulator) as server,
                bench_stack(f"ckpt{n}", n=n, token=token, api_host=server.url) as bench,
            ):
                bench.stack.env["PULUMI_SKIP_CHECKPOINTS"] = skip
                emulator.set_faults(latency_ms=latency)
                seconds, _ = bench.cmd(bench.stack.up, "--skip-preview")
                span, flight, _ = _api_stats(emulator)
                emulator.set_faults(latency_ms=0)
                bench.cmd(bench.stack.destroy)
            results[latency] = (seconds, span, flight)
        floor = n * 0.1 / WORKERS
        share = results[100][0] - results[0][0]
        span_off = (results[100][1] - floor) / floor
        rows.append(
            [
                skip,
                f"{results[0][0]:.2f}",
                f"{results[100][0]:.2f}",
                f"{share:.2f} ({(share - floor) / floor:+.0%})",
                f"{results[0][1]:.2f}",
                f"{results[100][1]:.2f} ({span_off:+.0%})",
                f"{results[100][2]:.2f}",
            ]
        )
    text = table(
        [
            "PULUMI_SKIP_CHECKPOINTS",
            "T_0 s",
            "T_100 s",
            "T_100 - T_0 s (vs floor)",
            "API span at 0 ms s",
            "API span at 100 ms s (vs floor)",
            "mean in flight at 100 ms",
        ],
        rows,
    )
    return (
        f"Diagnostic, N={n}, `up --skip-preview` (update half only), one run each:\n\n{text}",
        missed,
    )


def measure(n: int, latency_ms: int, repeats: int = REPEATS) -> Run:
    token = new_token()
    emulator = TimedEmulator(token=token)
    ups, skips, spans, flights = [], [], [], []
    requests = 0
    with (
        running_emulator(emulator) as server,
        bench_stack(f"wall{n}", n=n, token=token, api_host=server.url) as bench,
    ):
        for _ in range(repeats):
            for skip in (False, True):
                emulator.set_faults(latency_ms=latency_ms)
                emulator.clear_log()
                emulator.clear_arrivals()
                args = ("--skip-preview",) if skip else ()
                seconds, _ = bench.cmd(bench.stack.up, *args)
                span, flight, requests = _api_stats(emulator)
                if skip:
                    skips.append(seconds)
                else:
                    ups.append(seconds)
                    spans.append(span)
                    flights.append(flight)
                emulator.set_faults(latency_ms=0)
                bench.cmd(bench.stack.destroy)
    return Run(median(ups), median(skips), median(spans), median(flights), requests)


def run(sizes: tuple[int, ...] = (50, 200)) -> Section:
    rows, share_rows, missed = [], [], []
    load_before = load_now()
    started = time.monotonic()
    for n in sizes:
        runs = {lat: measure(n, lat) for lat in LATENCIES_MS}
        for lat, r in runs.items():
            rows.append(
                [
                    n,
                    lat,
                    f"{r.up_s:.2f}",
                    f"{r.skip_preview_s:.2f}",
                    f"{r.up_s - r.skip_preview_s:.2f}",
                    f"{r.api_span_s:.2f}",
                    f"{r.in_flight:.2f}",
                    r.requests,
                ]
            )
        t0, t100 = runs[0], runs[100]
        share = t100.up_s - t0.up_s
        floor = n * 0.1 / WORKERS
        off = (share - floor) / floor
        ok = abs(off) <= TOLERANCE
        span_share = t100.api_span_s
        span_off = (span_share - floor) / floor
        if not ok:
            missed.append(
                f"wall time N={n}: provider share T_100 - T_0 = {share:.2f} s vs floor "
                f"{floor:.2f} s ({off:+.0%})"
            )
        share_rows.append(
            [
                n,
                f"{t0.up_s:.2f}",
                f"{t100.up_s:.2f}",
                f"{share:.2f}",
                f"{floor:.2f}",
                f"{off:+.0%}",
                f"{span_share:.2f} ({span_off:+.0%})",
                verdict(ok),
            ]
        )
    body = table(
        [
            "N",
            "latency ms",
            "`up` s (median)",
            "`up --skip-preview` s",
            "preview half s",
            "API span s",
            "mean in flight",
            "requests",
        ],
        rows,
    )
    body += "\n\n" + table(
        [
            "N",
            "T_0 s",
            "T_100 s",
            "T_100 - T_0 s",
            "floor N*0.1/4 s",
            "off floor (target within 15 %)",
            "API span at 100 ms, vs floor",
            "",
        ],
        share_rows,
    )
    body += (
        f"\n\nMedian of {REPEATS} runs each; every run is a create of N metrics into an empty "
        "stack followed by an untimed destroy. *API span*: first request arrival to last "
        "request completion at the emulator (the provider's own part of the update). *Mean in "
        "flight*: summed request durations / span (at most 4 with the 4-worker host). "
        f"Load average at start {load_before:.2f}, at end {load_now():.2f}; "
        f"{time.monotonic() - started:.0f} s in total."
    )
    if max(sizes) >= 100:
        text, _ = checkpoint_diagnostic(max(sizes))
        body += "\n\n" + text
    return Section("2. Wall time of `pulumi up`", body, missed)


if __name__ == "__main__":
    main_for(lambda: run(tuple(int(a) for a in sys.argv[1:]) or (50, 200)))
