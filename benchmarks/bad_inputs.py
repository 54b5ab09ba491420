"""Benchmark 8: the bad-input corpus (`tests/benchmarks_corpus/corpus.py`) through `pulumi preview`.

- **Refused** (`CORPUS`): each invalid spec through a preview of its own, so each refusal and
  its 0 requests stand alone. Each must fail the preview with its field message, also be
  refused by the provider's `check` in process, and make 0 API calls. Target: ≥ 40 specs.
- **Advisory** (`ADVISORY`): specs that break only an advisory rule (docs/rules.md). All of
  them in one preview of a program declaring every one (the program checks each declaration;
  each accepted one is registered and goes through the provider's `check`); per resource, the
  preview must plan it for create with its warning on the right field and refuse nothing, with
  exit code 0 and 0 API calls for the whole preview. In process, `check` must accept each.

`python -m benchmarks.bad_inputs [--fast]` (`--fast`: in-process checks only, no CLI)
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from benchmarks.common import (
    BenchStack,
    Section,
    TimedEmulator,
    bench_stack,
    main_for,
    new_token,
    running_emulator,
    table,
    verdict,
)
from pulumi_ldmetrics.models.rules import assess
from pulumi_ldmetrics.provider import MetricProvider
from tests.benchmarks_corpus.corpus import (
    ADVISORY,
    CORPUS,
    PROGRAM,
    BadSpec,
    cases_json,
    cli_planned_creates,
    cli_problems,
    cli_warnings,
)

Pairs = list[tuple[str, str]]


@dataclass
class Preview:
    """What one `pulumi preview` printed for one resource."""

    problems: Pairs = field(default_factory=list)
    warnings: Pairs = field(default_factory=list)
    planned: bool = False
    requests: int = 0
    """API requests of the whole preview."""
    code: int = 0


def check_messages(case: BadSpec) -> Pairs:
    result = MetricProvider().check({}, dict(case.spec))
    return [(f.property, f.reason) for f in result.failures]


def _preview(
    bench: BenchStack, emulator: TimedEmulator, cases: list[BadSpec]
) -> dict[str, Preview]:
    (bench.stack.workdir / "cases.json").write_text(cases_json(cases))
    emulator.clear_log()
    _, proc = bench.cmd(bench.stack.preview, check=False)
    problems, warnings = cli_problems(proc.stdout), cli_warnings(proc.stdout)
    planned, requests = cli_planned_creates(proc.stdout), len(emulator.request_log())
    return {
        case.id: Preview(
            sorted(problems.get(case.id, set())),
            sorted(warnings.get(case.id, set())),
            case.id in planned,
            requests,
            proc.returncode,
        )
        for case in cases
    }


def run_previews() -> tuple[dict[str, Preview], dict[str, Preview]]:
    """(refused: id -> its own preview, advisory: id -> its part of the one shared preview)."""
    token = new_token()
    emulator = TimedEmulator(token=token)
    refused: dict[str, Preview] = {}
    with (
        running_emulator(emulator) as server,
        bench_stack("badinput", n=0, token=token, api_host=server.url, program=PROGRAM) as bench,
    ):
        for case in CORPUS:
            refused.update(_preview(bench, emulator, [case]))
        advisory = _preview(bench, emulator, ADVISORY)
    return refused, advisory


def _pairs(pairs: Pairs) -> str:
    return "; ".join(f"`{f}`: {m}" for f, m in pairs)


def run(fast: bool = False) -> Section:
    started = time.monotonic()
    refused, advisory = ({}, {}) if fast else run_previews()
    rows, missed = [], []
    for case in CORPUS:
        checked = check_messages(case)
        check_ok = any(case.matches(f, m) for f, m in checked)
        cli = refused.get(case.id, Preview(checked))
        cli_ok = fast or (
            cli.code != 0 and any(case.matches(f, m) for f, m in cli.problems) and cli.requests == 0
        )
        ok = check_ok and cli_ok
        if not ok:
            missed.append(
                f"bad input {case.id}: got {cli.problems or checked}, {cli.requests} requests"
            )
        rows.append(
            [
                case.id,
                f"`{case.spec.get('kind')}` {case.describe()}",
                _pairs(cli.problems),
                cli.requests,
                verdict(ok),
            ]
        )
    advisory_rows = []
    for case in ADVISORY:
        in_process = [(w.path, w.message) for w in assess(case.spec).warnings]
        accepted = check_messages(case) == [] and any(case.matches(f, m) for f, m in in_process)
        cli = advisory.get(case.id, Preview(warnings=in_process))
        cli_ok = fast or (
            cli.code == 0
            and cli.planned
            and not cli.problems
            and any(case.matches(f, m) for f, m in cli.warnings)
            and cli.requests == 0
        )
        ok = accepted and cli_ok
        if not ok:
            missed.append(
                f"advisory input {case.id}: warnings {cli.warnings}, problems {cli.problems}, "
                f"planned {cli.planned}, exit {cli.code}, {cli.requests} requests"
            )
        advisory_rows.append(
            [
                case.id,
                f"`{case.spec.get('kind')}` {case.describe()}",
                _pairs(cli.warnings),
                "n/a" if fast else "create" if cli.planned else "-",
                _pairs(cli.problems) or "none",
                verdict(ok),
            ]
        )
    advisory_met = sum(r[-1] == "met" for r in advisory_rows)
    if fast:
        where = "the provider's `check` in process only, `--fast`: no preview was run"
        advisory_text = (
            f"{advisory_met} accepted by the provider's `check` in process with their warning "
            "from the rules (`--fast`: no preview was run)"
        )
    else:
        where = "`pulumi preview`, one spec per preview, and the provider's `check` in process"
        shared = next(iter(advisory.values()), Preview())
        advisory_text = (
            f"{advisory_met} accepted by `pulumi preview` (planned for create, nothing refused) "
            "with their warning on their field and 0 API calls, and by the provider's `check` "
            f"in process. All {len(ADVISORY)} go through one preview of a program declaring "
            f"every one (exit code {shared.code}, {shared.requests} API requests): the program "
            "checks each declaration and the provider's `check` runs for each registered one; "
            "each resource's warnings are read under its own heading in the CLI's "
            "`Diagnostics:` and its plan from its `+ ... create` line"
        )
    body = (
        f"{len(CORPUS)} invalid specs (target ≥ 40), {sum(r[-1] == 'met' for r in rows)} "
        f"refused with their field message and 0 API calls ({where}; "
        f"{time.monotonic() - started:.0f} s for the section). "
        "*spec* shows what differs from a valid base metric of the same kind (`null` = "
        "removed). Specs go to the program as JSON written and read by Python's `json`, which "
        "carries NaN and Infinity; the program refuses them before the engine sees them.\n\n"
    )
    body += table(["case", "spec", "message at preview", "API requests", ""], rows)
    body += (
        "\n\n**Advisory specs** (accepted with a warning, never refused): "
        f"{len(ADVISORY)} specs that break only an advisory rule (docs/rules.md); "
        f"{advisory_text}.\n\n"
    )
    body += table(
        ["case", "spec", "warning at preview", "planned", "refused for", ""], advisory_rows
    )
    if len(CORPUS) < 40:
        missed.append(f"bad-input corpus has only {len(CORPUS)} specs")
    return Section("8. Bad-input corpus", body, missed)


if __name__ == "__main__":
    main_for(lambda: run(fast="--fast" in sys.argv[1:]))
