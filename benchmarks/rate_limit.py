"""Benchmark 7: `up` of 100 metrics against an emulator limited to 5 requests/s (global limit of
5 per 1 s fixed window). Target: 0 failures, throughput within 20 % of the limit.

Runs twice: with LaunchDarkly's global-limit headers (`X-Ratelimit-Reset`, epoch ms) and with
`Retry-After` (integer seconds, the IP-limit form) to show what the header form costs.

`python -m benchmarks.rate_limit [N]`
"""

from __future__ import annotations

import sys

from benchmarks.common import (
    PROJECT_KEY,
    Section,
    TimedEmulator,
    bench_stack,
    fmt_counts,
    main_for,
    new_token,
    outcome_counts,
    running_emulator,
    summary_counts,
    table,
    verdict,
)

LIMIT = 5
WINDOW_S = 1.0
TOLERANCE = 0.20
HEADER_FORMS = (
    ("reset", "`X-Ratelimit-Reset` (LaunchDarkly global limit)"),
    ("retry-after", "`Retry-After` seconds only"),
)


def measure(n: int, headers: str) -> list[object]:
    token = new_token()
    emulator = TimedEmulator(token=token)
    with (
        running_emulator(emulator) as server,
        bench_stack(f"rate-{headers}", n=n, token=token, api_host=server.url) as bench,
    ):
        emulator.set_faults(
            global_limit=LIMIT, limit_window_seconds=WINDOW_S, rate_limit_headers=headers
        )
        emulator.clear_log()
        emulator.clear_arrivals()
        seconds, proc = bench.cmd(bench.stack.up, check=False)
        log = emulator.request_log()
        arrivals = sorted(emulator.arrivals)
        created = len(emulator.metrics().get(PROJECT_KEY, []))
        state = len(bench.metric_resources()) if proc.returncode == 0 else -1
        emulator.set_faults(global_limit=None)
        bench.cmd(bench.stack.destroy)
    ok_requests = sum(1 for e in log if e["outcome"] == "ok")
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    # Admitted requests over the span of the update's API traffic; the first window's
    # requests all arrive at once, so count n - 1 intervals.
    throughput = (ok_requests - 1) / span if span else 0.0
    summary = summary_counts(proc.stdout)
    failures = summary.get("failed", 0) + (1 if proc.returncode else 0)
    ok = failures == 0 and created == n and throughput >= LIMIT * (1 - TOLERANCE)
    return [
        headers,
        failures,
        f"{created} / {state}",
        fmt_counts(outcome_counts(log)),
        f"{span:.1f}",
        f"{throughput:.2f}",
        f"{throughput / LIMIT:.0%}",
        f"{ok_requests / seconds:.2f}",
        f"{seconds:.1f}",
        verdict(ok),
    ]


def run(n: int = 100) -> Section:
    rows = [measure(n, form) for form, _ in HEADER_FORMS]
    missed = [
        f"rate limit ({row[0]} headers): failures {row[1]}, throughput {row[5]}/s "
        f"({row[6]} of {LIMIT}/s)"
        for row in rows
        if row[-1] != "met"
    ]
    body = table(
        [
            "429 headers",
            "failures",
            "metrics on server / in state",
            "emulator outcomes",
            "API span s",
            "throughput req/s",
            f"of the {LIMIT}/s limit (target ≥ 80 %)",
            "over whole `up` req/s",
            "`up` s",
            "",
        ],
        rows,
    )
    body += (
        f"\n\nLimit: {LIMIT} requests per {WINDOW_S:g} s fixed window (emulator `global_limit`). "
        "*Throughput*: admitted requests / time from the first to the last request at the "
        "emulator. *Over whole `up`*: includes CLI start, program and preview. Header forms: "
        + "; ".join(f"`{form}` = {text}" for form, text in HEADER_FORMS)
        + "."
    )
    return Section("7. Rate limit", body, missed)


if __name__ == "__main__":
    main_for(lambda: run(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
