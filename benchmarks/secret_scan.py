"""Benchmark 9: secret scan. The access token (stack config, secret) must not appear in
`pulumi stack export`, the backend's state files, the CLI output or the provider's debug logs.

A dedicated stack runs preview, up, change-all up, refresh, a failing up (injected 401) and
destroy with 10 % 5xx faults, so the debug logs hold retries and errors too. Every other
benchmark's stack is scanned the same way at teardown; `run_all` reports those as well.

`python -m benchmarks.secret_scan [N]`
"""

from __future__ import annotations

import sys

from benchmarks import common
from benchmarks.common import (
    Section,
    TimedEmulator,
    bench_stack,
    main_for,
    new_token,
    running_emulator,
    table,
    verdict,
)


def run(n: int = 20) -> Section:
    token = new_token()
    emulator = TimedEmulator(token=token)
    emulator.set_faults(error_rate=0.1, seed=7)
    steps = []
    with (
        running_emulator(emulator) as server,
        bench_stack("secrets", n=n, token=token, api_host=server.url) as bench,
    ):
        stack = bench.stack
        for name, command, variant, fail in (
            ("preview", stack.preview, None, None),
            ("up", stack.up, None, None),
            ("up (change all)", stack.up, "v2", None),
            ("refresh", stack.refresh, None, None),
            ("up, answered 401", stack.up, "v3", 401),
            ("destroy", stack.destroy, None, None),
        ):
            if variant:
                bench.set_config("bench:variant", variant)
            if fail:
                emulator.fail_next(fail, times=1)
            _, proc = bench.cmd(command, check=False)
            steps.append(f"{name} (exit {proc.returncode})")
        log_lines = len(bench.provider_logs().splitlines())
        retries = bench.provider_logs().count("Retrying ")
    scanned = common.SCANS[-1]
    rows = [[place, count, verdict(count == 0)] for place, count in scanned[1].items()]
    missed = [f"secret scan: token found in {p} ({c}x)" for p, c in scanned[1].items() if c]
    body = table(["place", "token occurrences (plain or base64)", "target 0"], rows)
    body += (
        f"\n\nSteps: {', '.join(steps)}; N={n}, 10 % 503 faults. The provider debug log held "
        f"{log_lines} lines ({retries} retries), captured at DEBUG level from the provider "
        "hosts through a benchmark-only `sitecustomize` (a file per process; the package's own "
        "`LDMETRICS_LOG=debug` writes to stderr, i.e. into the CLI output scanned above). "
        "`stack export --show-secrets` does decrypt the "
        "token in one place: the engine's own copy of the stack config in the default "
        "`pulumi:providers:pulumi-python` resource, stored encrypted (ciphertext) in state so "
        "refresh/destroy can rebuild the provider; that is Pulumi's secret handling working, "
        "so it is excluded from that row."
    )
    return Section("9. Secret scan", body, missed)


def other_stacks() -> tuple[str, list[str]]:
    """A table of the scans of every other bench stack (run_all calls this last)."""
    rows, missed = [], []
    for name, places, log_lines in common.SCANS:
        if name == "secrets":
            continue
        total = sum(places.values())
        rows.append([name, ", ".join(places), log_lines, total, verdict(total == 0)])
        if total:
            missed.append(f"secret scan: token found in stack {name}: {places}")
    return table(["stack", "places scanned", "provider log lines", "hits", ""], rows), missed


if __name__ == "__main__":
    main_for(lambda: run(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
