"""Benchmark 8: the bad-input corpus (`tests/benchmarks_corpus/corpus.py`), each spec run through
`pulumi preview` on its own (the engine stops a preview at the first failed Check). Each must
fail with its field message and make 0 API calls.

`python -m benchmarks.bad_inputs [--fast]` (`--fast`: in-process `check` only, no CLI)
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
import time

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
from pulumi_ldmetrics.provider import MetricProvider
from tests.benchmarks_corpus.corpus import CORPUS, BadSpec

PROGRAM = textwrap.dedent(
    """
    import json
    import pathlib

    from pulumi_ldmetrics import Metric

    for case in json.loads(pathlib.Path("cases.json").read_text()):
        Metric(case["id"], **case["spec"])
    """
)
PROBLEM = re.compile(r"resource '([^']+)': property (\S+) value .*? has a problem: (.*)$", re.M)


def check_messages(case: BadSpec) -> list[tuple[str, str]]:
    result = MetricProvider().check({}, dict(case.spec))
    return [(f.property, f.reason) for f in result.failures]


def preview_messages(cases: list[BadSpec]) -> dict[str, tuple[list[tuple[str, str]], int, int]]:
    """id -> (CLI (field, message) pairs, emulator requests, preview exit code)."""
    token = new_token()
    emulator = TimedEmulator(token=token)
    out: dict[str, tuple[list[tuple[str, str]], int, int]] = {}
    with (
        running_emulator(emulator) as server,
        bench_stack("badinput", n=0, token=token, api_host=server.url, program=PROGRAM) as bench,
    ):
        for case in cases:
            cases_file = bench.stack.workdir / "cases.json"
            cases_file.write_text(json.dumps([{"id": case.id, "spec": case.spec}]))
            emulator.clear_log()
            _, proc = bench.cmd(bench.stack.preview, check=False)
            found = [
                (field, message.strip())
                for rid, field, message in PROBLEM.findall(proc.stdout)
                if rid == case.id
            ]
            out[case.id] = (sorted(set(found)), len(emulator.request_log()), proc.returncode)
    return out


def run(fast: bool = False) -> Section:
    started = time.monotonic()
    cli = {} if fast else preview_messages(CORPUS)
    rows, missed = [], []
    for case in CORPUS:
        checked = check_messages(case)
        check_ok = any(case.matches(f, m) for f, m in checked)
        if fast:
            shown, requests, cli_ok = checked, 0, True
        else:
            shown, requests, code = cli[case.id]
            cli_ok = code != 0 and any(case.matches(f, m) for f, m in shown) and requests == 0
        ok = check_ok and cli_ok
        if not ok:
            missed.append(f"bad input {case.id}: got {shown or checked}, {requests} requests")
        spec = json.dumps(case.changes(), separators=(",", ":"))
        rows.append(
            [
                case.id,
                f"`{case.spec.get('kind')}` {spec}",
                "; ".join(f"`{f}`: {m}" for f, m in shown),
                requests,
                verdict(ok),
            ]
        )
    where = "in-process `check` only" if fast else "`pulumi preview`, one spec per preview"
    body = (
        f"{len(CORPUS)} invalid specs (target ≥ 40), {sum(r[-1] == 'met' for r in rows)} "
        f"rejected with their field message and 0 API calls ({where}; "
        f"{time.monotonic() - started:.0f} s). *spec* shows what differs from a valid base "
        "metric of the same kind (`null` = removed).\n\n"
    )
    body += table(["case", "spec", "message at preview", "API requests", ""], rows)
    if len(CORPUS) < 40:
        missed.append(f"bad-input corpus has only {len(CORPUS)} specs")
    return Section("8. Bad-input corpus", body, missed)


if __name__ == "__main__":
    main_for(lambda: run(fast="--fast" in sys.argv[1:]))
