"""Benchmark 1b: requests of `pulumi refresh` as a stack's share of its project varies.

A refresh reads every managed metric twice (the CLI's preview pass, then the refresh pass, each
in its own provider process). `read_batch.py` serves those reads from the project's listing
when a deployment reads many metrics of one project, and with GETs otherwise. Measured through
the real CLI for stacks managing N = 50, 200 and 1,000 metrics of a project holding just those,
and 5 metrics of a project holding 1,000 (the other 995 created directly in the emulator).

Targets (issue 13), for the whole command: at most 2 x ceil(N/50) + 2 requests when the stack
manages the whole project; never more than one request per metric and pass otherwise.

`python -m benchmarks.refresh_requests [N ...]`
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from benchmarks.common import (
    PROJECT_KEY,
    Section,
    TimedEmulator,
    bench_stack,
    fmt_counts,
    main_for,
    method_counts,
    new_token,
    running_emulator,
    table,
    verdict,
)

PROJECT_SIZE_FOR_SMALL_STACK = 1000


def _seed(emulator: TimedEmulator, token: str, count: int) -> None:
    """Metrics the stack does not manage, created in-process (no HTTP, not in the log)."""
    for i in range(count):
        body = {"key": f"unmanaged-{i:04d}", "name": f"Unmanaged {i}", "kind": "custom"}
        body["eventKey"] = f"unmanaged-{i}"
        response = emulator.handle(
            "POST",
            f"/api/v2/metrics/{PROJECT_KEY}",
            "",
            {"authorization": token, "content-type": "application/json"},
            json.dumps(body).encode(),
        )
        assert response.status == 201, response.status


def measure(managed: int, project_size: int) -> list[object]:
    token = new_token()
    emulator = TimedEmulator(token=token)
    _seed(emulator, token, project_size - managed)
    with (
        running_emulator(emulator) as server,
        bench_stack("refresh", n=managed, token=token, api_host=server.url) as bench,
    ):
        bench.cmd(bench.stack.up)
        emulator.clear_log()
        seconds, _proc = bench.cmd(bench.stack.refresh, "--expect-no-changes")
        log = emulator.request_log()
    total = len(log)
    pages = -(-project_size // 50)
    limit = 2 * pages + 2 if managed == project_size else 2 * managed
    return [
        managed,
        project_size,
        total,
        fmt_counts(method_counts(log)),
        f"{total / (2 * managed):.2f}",
        f"<= {limit}",
        f"{seconds:.1f}",
        verdict(total <= limit),
    ]


def run(sizes: Sequence[int] = (50, 200, 1000)) -> Section:
    rows = [measure(n, n) for n in sizes]
    rows.append(measure(5, PROJECT_SIZE_FOR_SMALL_STACK))
    missed = [f"refresh requests: N={r[0]} of {r[1]}: {r[2]}" for r in rows if r[-1] != "met"]
    body = table(
        [
            "managed N",
            "metrics in project",
            "requests (preview pass + refresh pass)",
            "by method",
            "per metric read",
            "target",
            "wall s",
            "",
        ],
        rows,
    )
    body += (
        "\n\nPolicy (`pulumi_ldmetrics/read_batch.py`), per provider process and project: each "
        "metric's state carries the program's hint, how many `Metric`s it declared in the "
        "project at the metric's last write (`ldmetrics import` writes the same hint into its "
        "import file). Expecting fewer than 10 reads: GETs only. Expecting more: the first read "
        "fetches listing page 1 (its `totalCount` prices the rest), and the remaining pages are "
        "fetched at once when they are no more than the reads still expected; otherwise GETs. "
        "Without a hint (state written before hints existed) the second read probes and later "
        "misses are GETs until they reach the pages left, then the rest is listed (ski rental). "
        "A metric missing from a listing gets its own GET before it is dropped as deleted. "
        "Before the listing every pass was one GET per metric (2N); with the ski rental alone "
        "4, 14, 78 and 12."
    )
    return Section("1b. Requests of `pulumi refresh` by share of the project", body, missed)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main_for(lambda: run(tuple(args) if args else (50, 200, 1000)))
