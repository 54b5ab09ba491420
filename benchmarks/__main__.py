"""Run every benchmark against the emulator and the real CLI; print markdown (and write it).

    .venv/bin/python -m benchmarks                      # everything, print markdown
    .venv/bin/python -m benchmarks --write benchmarks/RESULTS.md
    .venv/bin/python -m benchmarks --only requests soak # a subset
    .venv/bin/python -m benchmarks --quick              # smaller N, for a smoke run

Each benchmark also runs alone: `python -m benchmarks.<module>` (see `BENCHMARKS`).
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    bad_inputs,
    cold_start,
    events_import,
    lost_response_soak,
    memory,
    preview_split,
    rate_limit,
    refresh_requests,
    requests_per_op,
    secret_scan,
    soak,
    state_size,
    wall_time,
)
from benchmarks.common import Section, load_now, machine_description

BENCHMARKS: dict[str, tuple[Callable[[bool], Section], bool]] = {
    # name: (run(quick), timing-sensitive)
    "requests": (lambda q: requests_per_op.run(20 if q else 100), False),
    "wall_time": (lambda q: wall_time.run((20,) if q else (50, 200)), True),
    "cold_start": (lambda q: cold_start.run(3 if q else cold_start.RUNS), True),
    "state_size": (lambda q: state_size.run(20 if q else 100), False),
    "memory": (lambda q: memory.run(50 if q else 200), False),
    "soak": (lambda q: soak.run(30 if q else 100), False),
    "lost_soak": (lambda q: lost_response_soak.run(40 if q else 200), False),
    "refresh": (lambda q: refresh_requests.run((50,) if q else (50, 200, 1000)), False),
    "rate_limit": (lambda q: rate_limit.run(30 if q else 100), False),
    "bad_inputs": (lambda q: bad_inputs.run(fast=q), False),
    "secret_scan": (lambda q: secret_scan.run(10 if q else 20), False),
    "events_import": (lambda q: events_import.run(20_000 if q else 100_000), True),
    "preview_split": (lambda q: preview_split.run(50 if q else 200, 1 if q else 3), True),
}


def wait_for_quiet(max_load: float, max_wait: float) -> str:
    """Wait (up to `max_wait` s) for the 1-minute load average to drop below `max_load`."""
    started = time.monotonic()
    while load_now() > max_load and time.monotonic() - started < max_wait:
        time.sleep(10)
    waited = time.monotonic() - started
    return f"load {load_now():.2f} at start (waited {waited:.0f} s for < {max_load:g})"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="a subset")
    parser.add_argument("--quick", action="store_true", help="smaller N (smoke run)")
    parser.add_argument("--write", type=Path, help="also write the markdown to this file")
    parser.add_argument(
        "--max-load",
        type=float,
        default=2.5,
        help="before each timing benchmark, wait up to --max-wait s for the load to drop below",
    )
    parser.add_argument("--max-wait", type=float, default=120.0)
    args = parser.parse_args()

    started = time.monotonic()
    names = args.only or list(BENCHMARKS)
    sections: list[Section] = []
    loads: list[str] = []
    for name in names:
        run, timing = BENCHMARKS[name]
        if timing:
            loads.append(f"{name}: {wait_for_quiet(args.max_load, args.max_wait)}")
        t0 = time.monotonic()
        section = run(args.quick)
        section.body += f"\n\n_{name}: {time.monotonic() - t0:.0f} s._"
        sections.append(section)
        print(section.markdown(), flush=True)

    body, missed = secret_scan.other_stacks()
    scans = Section(
        "9b. Secret scan of every other benchmark's stack",
        "Each stack above was scanned at teardown like 9 (export, export --show-secrets "
        "outside the engine's provider config, state files, CLI output, provider debug "
        "logs).\n\n" + body,
        missed,
    )
    sections.append(scans)
    print(scans.markdown())

    all_missed = [m for s in sections for m in s.missed]
    closing = "\n".join(f"- {m}" for m in all_missed) or "- none"
    doc = "\n".join(
        [
            "# Benchmark results",
            "",
            "Produced by `.venv/bin/python -m benchmarks"
            + (" --quick" if args.quick else "")
            + (f" --only {' '.join(names)}" if args.only else "")
            + "`; every figure is from the real `pulumi` CLI (local file backend) against the "
            "in-process LaunchDarkly emulator on loopback.",
            "",
            "## Machine",
            "",
            machine_description(),
            "- Load before the timing benchmarks: " + ("; ".join(loads) or "n/a"),
            f"- Whole run: {time.monotonic() - started:.0f} s",
            "",
            *(s.markdown() for s in sections),
            "## Missed targets (this run)",
            "",
            closing,
            "",
        ]
    )
    print("## Missed targets (this run)\n\n" + closing)
    if args.write and args.only and args.write.exists():
        doc = merge(args.write.read_text(), sections, loads)
    if args.write:
        args.write.write_text(doc)


def _blocks(text: str) -> list[str]:
    """Split markdown at its `## ` headings (the first block is everything before)."""
    return re.split(r"(?m)^(?=## )", text)


def merge(old: str, sections: list[Section], loads: list[str]) -> str:
    """`--only ... --write FILE`: replace those sections in an earlier full run's file and
    note the rerun under Machine; everything else is kept."""
    fresh = {s.markdown().splitlines()[0]: s.markdown() for s in sections}
    out = []
    for block in _blocks(old):
        title = block.splitlines()[0] if block else ""
        if title.startswith("## 9b.") and title in fresh:
            # Keep the earlier scans and add this rerun's rows.
            rows = [line for line in fresh[title].splitlines() if line.startswith("| ")][2:]
            block = block.rstrip("\n") + "\n" + "\n".join(rows) + "\n\n"
        elif title in fresh:
            block = fresh[title] + "\n"
        elif title == "## Machine":
            stamp = time.strftime("%Y-%m-%d %H:%M")
            block = block.rstrip("\n") + (
                f"\n- Rerun at {stamp} of: {', '.join(s.title for s in sections)}; "
                + ("; ".join(loads) or f"load {load_now():.2f}")
                + "\n\n"
            )
        out.append(block)
    return "".join(out)


if __name__ == "__main__":
    main()
