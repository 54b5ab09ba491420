"""Benchmark 6: fault soak. `up` 100 metrics -> change all -> `up` -> `destroy`, with faults:
10 % 5xx, 10 % 429 with reset headers, 2 % dropped connections, 1 % lost responses (applied,
then the connection closed unanswered). The same steps run fault-free first as the baseline.

After each step: failed operations, duplicate creates, orphans (on the server, not in state),
state/server mismatches, retries (requests beyond the minimum, cross-checked with the
provider's "Retrying" debug lines) and the time overhead against the baseline.

`python -m benchmarks.soak [N] [SEED]`
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any

from benchmarks.common import (
    PROJECT_KEY,
    BenchStack,
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
from pulumi_ldmetrics.emulator.faults import FaultConfig

RATE_5XX = 0.10
RATE_429 = 0.10
RATE_DROP = 0.02
RATE_LOST = 0.01
RESET_MS = 500


def soak_emulator(token: str, seed: int) -> TimedEmulator:
    """An emulator drawing the soak's fault mix (5xx are 503s; 429s carry reset headers)."""
    faults = FaultConfig(
        error_rate=RATE_5XX,
        rate_limited_rate=RATE_429,
        rate_limited_reset_ms=RESET_MS,
        drop_rate=RATE_DROP,
        lost_response_rate=RATE_LOST,
        seed=seed,
    )
    return TimedEmulator(token=token, faults=faults)


@dataclass
class StepResult:
    name: str
    seconds: float
    returncode: int
    summary: Counter[str]
    requests: int
    minimum: int
    outcomes: Counter[str]
    logged_retries: int
    failed: int
    duplicates: int
    orphans: int
    mismatches: int
    mismatch_examples: list[str]


def _check(
    bench: BenchStack, emulator: TimedEmulator, variant: str | None
) -> tuple[int, int, list[str]]:
    """(orphans, mismatches, examples): server vs state after a step."""
    state = {r["id"]: r["outputs"] for r in bench.metric_resources()}
    server = {f"{PROJECT_KEY}/{m['key']}": m for m in emulator.metrics().get(PROJECT_KEY, [])}
    orphans = sorted(set(server) - set(state))
    examples = [f"orphan {k}" for k in orphans[:3]]
    mismatches = 0
    for id_, outs in state.items():
        live = server.get(id_)
        problem = None
        if live is None:
            problem = "in state, not on the server"
        elif outs.get("metric_id") != live.get("_id"):
            problem = "state metric_id != server _id"
        elif outs.get("version") != live.get("_version"):
            problem = f"version {outs.get('version')} != {live.get('_version')}"
        elif outs.get("description") != live.get("description"):
            problem = "description differs"
        elif variant and not str(live.get("description", "")).endswith(f"({variant})"):
            problem = f"server description is not the {variant} one"
        if problem:
            mismatches += 1
            if len(examples) < 6:
                examples.append(f"{id_}: {problem}")
    return len(orphans), mismatches, examples


def run_steps(n: int, seed: int | None) -> list[StepResult]:
    token = new_token()
    emulator = soak_emulator(token, seed) if seed is not None else TimedEmulator(token=token)
    label = "soak" if seed is not None else "soak-baseline"
    results = []
    with (
        running_emulator(emulator) as server,
        bench_stack(label, n=n, token=token, api_host=server.url) as bench,
    ):
        steps: list[tuple[str, Any, str | None]] = [
            ("up (create)", bench.stack.up, "v1"),
            ("up (change all)", bench.stack.up, "v2"),
            ("destroy", bench.stack.destroy, None),
        ]
        for name, command, variant in steps:
            if variant:
                bench.set_config("bench:variant", variant)
            emulator.clear_log()
            emulator.clear_arrivals()
            bench.clear_provider_logs()
            seconds, proc = bench.cmd(command, check=False)
            log = emulator.request_log()
            summary = Counter(summary_counts(proc.stdout))
            applied = Counter(
                w.key for w in emulator.posts if w.status == 201
            )  # delivered or lost: both created the metric
            duplicates = sum(c - 1 for c in applied.values() if c > 1)
            orphans, mismatches, examples = _check(bench, emulator, variant)
            failed = summary.get("failed", 0) + summary.get("errored", 0)
            if proc.returncode != 0 and not failed:
                failed = 1
            results.append(
                StepResult(
                    name=name,
                    seconds=seconds,
                    returncode=proc.returncode,
                    summary=summary,
                    requests=len(log),
                    minimum=n,
                    outcomes=outcome_counts(log),
                    logged_retries=bench.provider_logs().count("Retrying "),
                    failed=failed,
                    duplicates=duplicates,
                    orphans=orphans,
                    mismatches=mismatches,
                    mismatch_examples=examples,
                )
            )
            if proc.returncode != 0:
                examples.append(_first_error(proc.stdout + proc.stderr))
    return results


def _first_error(output: str) -> str:
    for line in output.splitlines():
        if "error:" in line:
            return line.strip()[:300]
    return output.strip().splitlines()[-1][:300] if output.strip() else ""


def run(n: int = 100, seed: int = 20240415) -> Section:
    baseline = run_steps(n, None)
    faulted = run_steps(n, seed)
    rows = []
    missed = []
    notes = []
    for base, step in zip(baseline, faulted, strict=True):
        ok = not (step.failed or step.duplicates or step.orphans or step.mismatches)
        if not ok:
            missed.append(
                f"soak {step.name}: failed {step.failed}, duplicates {step.duplicates}, "
                f"orphans {step.orphans}, mismatches {step.mismatches}"
            )
            notes += [f"- {step.name}: {e}" for e in step.mismatch_examples if e]
        overhead = step.seconds - base.seconds
        rows.append(
            [
                step.name,
                step.failed,
                step.duplicates,
                step.orphans,
                step.mismatches,
                step.requests,
                step.requests - step.minimum,
                step.logged_retries,
                fmt_counts(step.outcomes),
                f"{base.seconds:.1f}",
                f"{step.seconds:.1f}",
                f"{overhead:+.1f} ({overhead / base.seconds:+.0%})",
                verdict(ok),
            ]
        )
    body = table(
        [
            f"step (N={n})",
            "failed ops",
            "duplicates",
            "orphans",
            "state/server mismatches",
            "requests",
            "retries (requests - N)",
            "retries in provider debug log",
            "emulator outcomes",
            "fault-free s",
            "with faults s",
            "overhead",
            "target 0/0/0/0",
        ],
        rows,
    )
    total_retries = sum(s.requests - s.minimum for s in faulted)
    base_total = sum(s.seconds for s in baseline)
    fault_total = sum(s.seconds for s in faulted)
    body += (
        f"\n\nTotal retries: {total_retries} over {sum(s.requests for s in faulted)} requests; "
        f"total time {fault_total:.1f} s with faults vs {base_total:.1f} s fault-free "
        f"({fault_total - base_total:+.1f} s, {(fault_total - base_total) / base_total:+.0%}). "
        f"Faults: {RATE_5XX:.0%} 5xx (503), {RATE_429:.0%} 429 "
        f"with `X-Ratelimit-Reset` {RESET_MS} ms ahead, {RATE_DROP:.0%} dropped connections "
        f"(before applying), {RATE_LOST:.0%} lost responses (after applying); seed {seed}. "
        "*Retries in provider debug log*: "
        "`Retrying ...` lines of `pulumi_ldmetrics.client` from the provider hosts "
        "(captured through a benchmark-only `sitecustomize`). A lost POST retried into 409 is "
        "absorbed (the client reads the metric back with a GET), so a lost create costs 2 "
        "extra requests. *Duplicates*: keys created (201) more than once; *orphans*: metrics on "
        "the server but not in state; *mismatches*: state entries missing on the server or "
        "whose `_id`, `_version` or description differ from the server's."
    )
    if notes:
        body += "\n\nDetails of misses:\n" + "\n".join(notes)
    return Section("6. Fault soak", body, missed)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main_for(lambda: run(*args))
