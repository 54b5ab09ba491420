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

# Reference §11 (TF provider v3.1.3, launchdarkly_metric): calls per metric per operation.
TERRAFORM = {
    "up: create": "3 (GET project, POST, GET)",
    "up: one-field change": "2 (PATCH, GET)",
    "refresh": "1 (GET)",
    "refresh --skip-preview": "1 (GET)",
    "destroy": "1 (DELETE)",
}
# What our provider is designed to do (provider.py docstring): the target per metric.
EXPECTED = {
    "preview": 0,
    "up: create": 1,
    "up: no change": 0,
    "up: one-field change": 1,
    "refresh": 2,
    "refresh --skip-preview": 1,
    "destroy": 1,
}


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
            ok = per_metric == EXPECTED[name]
            if not ok:
                missed.append(
                    f"requests/{name}: {per_metric:g} per metric, expected {EXPECTED[name]}"
                )
            rows.append(
                [
                    name,
                    total,
                    fmt_counts(method_counts(log)),
                    f"{per_metric:g}",
                    EXPECTED[name],
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
        "\n\nTerraform figures are the reference's call counts for `launchdarkly_metric` "
        "(create 3, update 2, delete 1, refresh 1). Terraform's `plan`/`apply` also refresh "
        "every resource first by default (+1 GET per metric on every plan, including a "
        "no-change apply), which this provider does not need: `check`/`diff` are pure and "
        "`pulumi refresh` is explicit. `pulumi refresh --yes` (CLI 3.259) runs a preview pass "
        "and then the refresh pass, and each pass calls `read` (1 GET) for every metric, hence "
        "2 per metric; with `--skip-preview` it is 1, like Terraform.\n"
        f"\nMetrics left on the server after destroy: {len(left)} (target 0)."
    )
    if left:
        missed.append(f"requests: {len(left)} metrics left after destroy")
    return Section("1. Requests per operation", body, missed)


if __name__ == "__main__":
    main_for(lambda: run(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
