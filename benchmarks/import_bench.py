"""Benchmark of `ldmetrics import` on 1,000 metrics (not run in CI; needs the Pulumi CLI).

    .venv/bin/python benchmarks/import_bench.py [--count 1000] [--out benchmarks/results/import.md]

1. Seeds a loopback emulator with COUNT metrics of every kind and field group (over HTTP).
2. Runs `ldmetrics import` in-process and counts the list requests the emulator saw.
3. Times the generation alone (plan + Python + import file, from the listed metrics).
4. Runs the printed adoption commands with the real CLI in a throw-away project and backend,
   timing `pulumi import --file`, then `pulumi preview --expect-no-changes`.
5. Prints a markdown table and writes it to `--out`.

Targets (issue #5): list requests <= 20, generation <= 5 s, the preview shows no changes, and
no write request reaches the API.
"""

from __future__ import annotations

import argparse
import io
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # for tests.* (seed data and the Pulumi harness)

from pulumi_ldmetrics.cli import Seams, run  # noqa: E402
from pulumi_ldmetrics.client import LDMetricsClient  # noqa: E402
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer  # noqa: E402
from pulumi_ldmetrics.importer.codegen_python import render_python  # noqa: E402
from pulumi_ldmetrics.importer.import_file import render_import_file  # noqa: E402
from pulumi_ldmetrics.importer.plan import build_plan  # noqa: E402
from pulumi_ldmetrics.settings import ClientSettings  # noqa: E402
from tests.e2e.pulumi_runner import (  # noqa: E402
    PulumiStack,
    find_pulumi_cli,
    printed_steps,
    pulumi_env,
    write_project,
)
from tests.importer.seed import seed_project, seed_specs  # noqa: E402

TOKEN = "api-bench-import-0000-0000-000000000000"

PROJECT = "bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks/results/import.md")
    args = parser.parse_args()
    cli = find_pulumi_cli()
    if cli is None:
        print("pulumi CLI not found; run scripts/install-pulumi.sh", file=sys.stderr)
        return 1

    emulator = Emulator(token=TOKEN)
    with EmulatorServer(emulator) as server, tempfile.TemporaryDirectory() as tmp:
        env = {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN, "LAUNCHDARKLY_API_HOST": server.url}
        settings = ClientSettings.resolve({}, env)
        started = time.perf_counter()
        with LDMetricsClient(settings) as client:
            seed_project(client, seed_specs(args.count, PROJECT))
        seed_seconds = time.perf_counter() - started
        emulator.clear_log()

        # The command, as a user runs it.
        workdir = Path(tmp, "project")
        workdir.mkdir()
        stdout, stderr = io.StringIO(), io.StringIO()
        argv = ["import", "--project", PROJECT, "--out", str(workdir / "bench_metrics.py")]
        started = time.perf_counter()
        code = run(argv, Seams(stdout, stderr, env))
        command_seconds = time.perf_counter() - started
        if code != 0:
            print(stderr.getvalue(), file=sys.stderr)
            return code
        log = emulator.request_log()
        list_requests = sum(1 for e in log if e["method"] == "GET" and e["query"])

        # Generation alone, from already listed metrics.
        with LDMetricsClient(settings) as client:
            listed = client.list_metrics(PROJECT)
        started = time.perf_counter()
        plan = build_plan(listed, PROJECT, site_base_url=settings.api_host)
        module, import_file = render_python(plan), render_import_file(plan)
        generate_seconds = time.perf_counter() - started
        emulator.clear_log()

        # Adoption with the real CLI, running the printed commands.
        program, commands = printed_steps(stdout.getvalue())
        write_project(workdir, "bench", "\n".join(program) + "\n")
        stack = PulumiStack(workdir, "bench", pulumi_env(cli, Path(tmp, "pulumi"), env), cli)
        stack.stack_init()
        timings: dict[str, float] = {}
        preview_ok = False
        for command in commands:
            started = time.perf_counter()
            proc = stack.run_printed(command, check=False)
            timings[command.argv[1]] = time.perf_counter() - started
            if command.argv[1] == "preview":
                preview_ok = proc.returncode == 0
                if not preview_ok:
                    print(proc.stdout[-4000:], proc.stderr[-4000:], file=sys.stderr)
            elif proc.returncode != 0:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                return 1
        writes = [e for e in emulator.request_log() if e["write"]]
        adopted = sum(1 for r in stack.resources() if r["type"].endswith("ldmetrics:Metric"))
    emulator.close()

    rows = [
        (
            "Metrics seeded (every kind and field group)",
            f"{args.count}",
            f"seeded in {seed_seconds:.1f} s",
        ),
        ("List requests (pages of 50)", f"{list_requests}", "target <= 20"),
        ("`ldmetrics import` wall time (list + generate + write)", f"{command_seconds:.2f} s", ""),
        ("Generation (plan + module + import file)", f"{generate_seconds:.2f} s", "target <= 5 s"),
        (
            "Generated module / import file",
            f"{len(module) // 1024} KiB / {len(import_file) // 1024} KiB",
            "",
        ),
        (
            "Adoption: `pulumi import --file … --generate-code=false --yes`",
            f"{timings['import']:.1f} s",
            f"{adopted} resources in state",
        ),
        (
            "`pulumi preview --expect-no-changes`",
            "passed" if preview_ok else "FAILED",
            f"{timings['preview']:.1f} s",
        ),
        ("Write requests (POST/PATCH/DELETE) during adoption", f"{len(writes)}", "target 0"),
    ]
    table = [
        f"# `ldmetrics import` benchmark ({args.count} metrics)",
        "",
        f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()};"
        f" Pulumi CLI at {cli.name}, local file backend; emulator on loopback.",
        "",
        "| Measure | Result | Note |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        "A program of 1,000 metrics needs `Metric`'s guard against a Pulumi Python SDK bug: the",
        "SDK wraps `pickle._Pickler._batch_setitems` once more on every dynamic resource and",
        "never restores it, so past ~950 resources the preview failed with `RecursionError`.",
        "",
    ]
    text = "\n".join(table)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    ok = list_requests <= 20 and generate_seconds <= 5 and preview_ok and not writes
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
