"""Benchmark 1: API requests per operation for N = 100 metrics, from the emulator's log.

`python -m benchmarks.requests_per_op [N]`
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
    method_counts,
    new_token,
    running_emulator,
    summary_counts,
    table,
    verdict,
)

# Measured, not from the reference: LaunchDarkly's Terraform provider v2.30.3 run side by side
# with this project on the same emulator (one run, issue 13), requests per metric.
TERRAFORM = {
    "preview": "1 (GET: plan refreshes first)",
    "up: create": "3 (GET project, POST, GET)",
    "up: no change": "1 (GET)",
    "up: one-field change": "3 (GET, PATCH, GET)",
    "refresh": "1 (GET)",
    "refresh --skip-preview": "1 (GET)",
    "destroy": "3 (GET, DELETE, GET)",
}
# What our provider is designed to do (provider.py docstring): the target per metric. Refresh
# reads a project's metrics from its listing when a stack manages most of it (read_batch.py):
# at most ceil(N/50) + 1 requests per pass, and `pulumi refresh` runs two passes.
EXPECTED = {
    "preview": 0,
    "up: create": 1,
    "up: no change": 0,
    "up: one-field change": 1,
    "destroy": 1,
}
PER_PASS_LISTING = ("refresh", "refresh --skip-preview")


def refresh_target(name: str, n: int) -> int:
    """Most requests a refresh of `n` metrics (the whole project) may take."""
    passes = 1 if name.endswith("--skip-preview") else 2
    return passes * (-(-n // 50) + 1)


def run(n: int = 100) -> Section:
    token = new_token()
    emulator = TimedEmulator(token=token)
    rows = []
    missed = []
    with (
        running_emulator(emulator) as server,
        bench_stack("requests", n=n, token=token, api_host=server.url) as bench,
    ):
        stack = bench.stack
        phases = [
            ("preview", stack.preview, ()),
            ("up: create", stack.up, ()),
            ("up: no change", stack.up, ("--expect-no-changes",)),
            ("up: one-field change", stack.up, ()),
            ("refresh", stack.refresh, ("--expect-no-changes",)),
            ("refresh --skip-preview", stack.refresh, ("--expect-no-changes", "--skip-preview")),
            ("destroy", stack.destroy, ()),
        ]
        for name, command, args in phases:
            if name == "up: one-field change":
                bench.set_config("bench:variant", "v2")  # a new description on every metric
            emulator.clear_log()
            seconds, proc = bench.cmd(command, *args)
            log = emulator.request_log()
            total = len(log)
            per_metric = total / n
            if name in PER_PASS_LISTING:
                target: str | int = f"total <= {refresh_target(name, n)}"
                ok = total <= refresh_target(name, n)
            else:
                target = EXPECTED[name]
                ok = per_metric == EXPECTED[name]
            if not ok:
                missed.append(f"requests/{name}: {per_metric:g} per metric, expected {target}")
            rows.append(
                [
                    name,
                    total,
                    fmt_counts(method_counts(log)),
                    f"{per_metric:g}",
                    target,
                    TERRAFORM.get(name, "—"),
                    fmt_counts(summary_counts(proc.stdout)),
                    f"{seconds:.1f}",
                    verdict(ok),
                ]
            )
        left = emulator.metrics().get(PROJECT_KEY, [])
    body = table(
        [
            "phase",
            f"requests (N={n})",
            "by method",
            "per metric",
            "target per metric",
            "Terraform per metric",
            "CLI summary",
            "wall s",
            "",
        ],
        rows,
    )
    body += (
        "\n\nThe Terraform column was measured once, not by this benchmark: LaunchDarkly's "
        "Terraform provider v2.30.3 (`launchdarkly_metric`) run side by side with this project "
        "against the same emulator on this machine, counting the emulator's request log per "
        "phase. Its plan refreshes every resource first (1 GET per metric, also for a "
        "no-change apply), which this provider does not need: `check`/`diff` are pure and "
        "`pulumi refresh` is explicit. `pulumi refresh --yes` runs a preview pass and then the "
        "refresh pass, each in its own provider process; each pass reads the project's "
        "listing (50 metrics a request) from its first read, because the program's read hint "
        "in state says the stack manages 100 metrics of it (`pulumi_ldmetrics/read_batch.py`).\n"
        f"\nMetrics left on the server after destroy: {len(left)} (target 0)."
    )
    if left:
        missed.append(f"requests: {len(left)} metrics left after destroy")
    return Section("1. Requests per operation", body, missed)


if __name__ == "__main__":
    main_for(lambda: run(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
