"""Benchmark 6b: lost-response soak of the provider's writes (issue 9).

Cycles of create -> update (add a field, replace a field, remove a field) -> delete through
`MetricProvider` (the product's own class, in process) against the emulator over loopback,
with the emulator drawing faults on every request: 25 % lost responses (applied, then the
connection closed unanswered), 10 % dropped connections (closed before applying) and 10 % 5xx
(answered before applying). Every fault is transient, so every operation must succeed.

Counted: false errors (an operation that raised), duplicates (a key created twice), orphans
(metrics on the server that no cycle declares), mismatches (a server metric that differs from
its declaration after an update, or at the end), and the requests and retries it took. Every
fourth cycle keeps its metric, so the end state is compared with declarations too.

Retries sleep at most 10 ms here: the emulator's fault draw does not depend on time, and the
soak measures convergence, not waiting.

`python -m benchmarks.lost_response_soak [CYCLES] [SEED]`
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import Config, ConfigureRequest

from benchmarks.common import (
    PROJECT_KEY,
    Section,
    TimedEmulator,
    fmt_counts,
    main_for,
    table,
    verdict,
)
from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.emulator.faults import FaultConfig
from pulumi_ldmetrics.models import MetricRep, changed_fields, spec_from_inputs, spec_from_rep
from pulumi_ldmetrics.provider import MetricProvider
from pulumi_ldmetrics.settings import ClientSettings

RATE_LOST = 0.25
RATE_DROP = 0.10
RATE_5XX = 0.10
TOKEN = "api-soak-7c1e4a92-5b3d-4f60-8e2a-d19c3b7f0a64"


@dataclass
class SoakResult:
    cycles: int
    seed: int
    max_retries: int
    operations: int = 0
    false_errors: list[str] = field(default_factory=list)
    duplicates: int = 0
    orphans: int = 0
    mismatches: list[str] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.false_errors or self.duplicates or self.orphans or self.mismatches)


def declaration(index: int, step: int) -> dict[str, Any]:
    """Cycle `index`'s inputs after `step` updates: 0 created, 1 a field added, 2 a field
    replaced, 3 a field removed."""
    inputs: dict[str, Any] = {
        "project_key": PROJECT_KEY,
        "key": f"soak-{index:04d}",
        "name": f"Soak {index}",
        "kind": "custom",
        "event_key": f"soak-event-{index}",
        "description": "removed in step 3",
        "tags": ["soak"],
    }
    if step >= 1:
        inputs["unit"], inputs["is_numeric"] = "ms", True  # added
    if step >= 2:
        inputs["name"] = f"Soak {index} renamed"  # replaced
    if step >= 3:
        del inputs["description"]  # removed
    return inputs


def _provider(url: str, max_retries: int) -> MetricProvider:
    provider = MetricProvider()
    config = {"ldmetrics:accessToken": TOKEN, "ldmetrics:apiHost": url}
    provider.configure(ConfigureRequest(config=Config(config, "soak")))
    settings = ClientSettings(
        access_token=TOKEN, api_host=url, max_retries=max_retries, timeout_seconds=10
    )
    # The product's client with its own retry policy; only the waits are shortened.
    provider._client = LDMetricsClient(settings, sleep=lambda s: time.sleep(min(s, 0.01)))
    return provider


def _differs(emulator: Emulator, inputs: dict[str, Any]) -> list[str]:
    stored = {m["key"]: m for m in emulator.metrics().get(PROJECT_KEY, [])}
    live = stored.get(inputs["key"])
    if live is None:
        return ["missing"]
    return changed_fields(
        spec_from_rep(MetricRep.model_validate(live), PROJECT_KEY), spec_from_inputs(inputs)
    )


def run_cycles(cycles: int, seed: int = 20261130, max_retries: int = 8) -> SoakResult:
    faults = FaultConfig(
        lost_response_rate=RATE_LOST, drop_rate=RATE_DROP, error_rate=RATE_5XX, seed=seed
    )
    emulator = TimedEmulator(token=TOKEN, faults=faults)
    result = SoakResult(cycles=cycles, seed=seed, max_retries=max_retries)
    kept: dict[str, dict[str, Any]] = {}
    started = time.monotonic()
    with EmulatorServer(emulator) as server:
        provider = _provider(server.url, max_retries)

        def attempt(name: str, call: Any) -> Any:
            result.operations += 1
            try:
                return call()
            except Exception as err:  # noqa: BLE001 - every failure is counted, not raised
                result.false_errors.append(f"{name}: {err}")
                return None

        for index in range(cycles):
            olds: dict[str, Any] | None = None
            for step in range(4):
                checked = provider.check({}, declaration(index, step))
                assert not checked.failures, checked.failures
                news = dict(checked.inputs or {})
                if olds is None:
                    created = attempt(f"create {index}", lambda n=news: provider.create(n))
                    olds = None if created is None else {**news, **created.outs}
                else:
                    old = olds
                    updated = attempt(
                        f"update {index}.{step}",
                        lambda o=old, n=news: provider.update(n["key"], o, n),
                    )
                    olds = None if updated is None else {**news, **(updated.outs or {})}
                if olds is None:
                    break
                differing = _differs(emulator, declaration(index, step))
                if differing:
                    result.mismatches.append(f"soak-{index:04d} step {step}: {differing}")
            if index % 4 == 0:
                kept[f"soak-{index:04d}"] = declaration(index, 3)
            else:
                metric_id = f"{PROJECT_KEY}/soak-{index:04d}"
                attempt(f"delete {index}", lambda i=metric_id: provider.delete(i, {}))
        provider._api().close()
        log = emulator.request_log()
    result.seconds = time.monotonic() - started
    result.requests = Counter(entry["method"] for entry in log)
    result.outcomes = Counter(entry["outcome"] for entry in log)
    # Created means answered 201, whether or not the answer was delivered.
    created = Counter(write.key for write in emulator.posts if write.status == 201)
    result.duplicates = sum(n - 1 for n in created.values() if n > 1)
    stored = {m["key"] for m in emulator.metrics().get(PROJECT_KEY, [])}
    result.orphans = len(stored - kept.keys())
    for key, inputs in kept.items():
        differing = _differs(emulator, inputs)
        if differing:
            result.mismatches.append(f"{key} at the end: {differing}")
    emulator.close()
    return result


def run(cycles: int = 200, seed: int = 20261130) -> Section:
    results = [run_cycles(cycles, seed, retries) for retries in (8, 16)]
    rows = [
        [
            r.cycles,
            r.max_retries,
            r.operations,
            len(r.false_errors),
            r.duplicates,
            r.orphans,
            len(r.mismatches),
            sum(r.requests.values()),
            fmt_counts(r.requests),
            fmt_counts(r.outcomes),
            f"{r.seconds:.1f}",
            verdict(r.ok),
        ]
        for r in results
    ]
    body = table(
        [
            "cycles",
            "max retries",
            "operations",
            "false errors",
            "duplicates",
            "orphans",
            "mismatches",
            "requests",
            "by method",
            "emulator outcomes",
            "seconds",
            "target (all 0)",
        ],
        rows,
    )
    notes = [
        f"Faults drawn per request (seed {seed}): {RATE_LOST:.0%} lost responses (applied, "
        f"unanswered), {RATE_DROP:.0%} dropped connections, {RATE_5XX:.0%} 5xx. Each cycle: "
        "create, update adding `unit`/`is_numeric`, update replacing `name`, update removing "
        "`description`, delete (every fourth metric is kept and compared at the end).",
        "Replayed blindly, a lost `remove` fails on any server that applies RFC 6902 strictly "
        '("can\'t remove a non-existent object") '
        'and a lost create with "already exists"; here a PATCH re-reads and sends only what '
        "is not applied yet, and a create's 409 after an ambiguous attempt is adopted only when "
        "the metric holds what was sent.",
    ]
    for r in results:
        notes += [f"- false error: {e}" for e in r.false_errors[:5]]
        notes += [f"- mismatch: {m}" for m in r.mismatches[:5]]
    missed = [
        f"lost-response soak (retries {r.max_retries}): {len(r.false_errors)} false errors, "
        f"{r.duplicates} duplicates, {r.orphans} orphans, {len(r.mismatches)} mismatches"
        for r in results
        if not r.ok
    ]
    return Section(
        "6b. Lost-response soak (provider writes)", body + "\n\n" + "\n".join(notes), missed
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    main_for(
        lambda: run(int(args[0]) if args else 200, int(args[1]) if len(args) > 1 else 20261130)
    )
