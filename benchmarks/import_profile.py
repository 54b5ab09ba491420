"""Where the time of `pulumi import --file` of N metrics goes (issue 13; not in `run_all`).

    .venv/bin/python -m benchmarks.import_profile [N] [--go-profile] [--with-checkpoints]
                                                  [--with-preview]

Seeds N metrics (every kind, `tests/importer/seed.py`) into a loopback emulator, writes the
program and import file with `ldmetrics import` as a user would, then runs the printed
`PULUMI_SKIP_CHECKPOINTS=true pulumi import --file ... --skip-preview --yes` (its variable
assignments in the environment, as a shell would; `--with-checkpoints` / `--with-preview` drop
the variable / the flag, for the variants measured before they were printed) under
`proc_tree.run_tree` (CPU and lifetime per process) with `split_hooks` (time inside the
provider host's handlers). `--go-profile` adds the CLI's own `--profiling` CPU profile, read
with `go tool pprof -top`: which parts of the engine burn its CPU.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO_ROOT, load_now, table
from benchmarks.preview_split import PARTS, SPLIT_ENV, Split, take_apart
from benchmarks.proc_tree import run_tree
from pulumi_ldmetrics.cli import Seams, run
from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.settings import ClientSettings
from tests.e2e.pulumi_runner import find_pulumi_cli, printed_steps, pulumi_env, write_project
from tests.importer.seed import seed_project, seed_specs

TOKEN = "api-bench-import-profile-0000-000000000000"
PROJECT = "bench"


def profile_import(
    count: int, go_profile: bool, with_checkpoints: bool = False, with_preview: bool = False
) -> tuple[Split, str, float]:
    """(the split, `go tool pprof -top` text or "", state file size in MiB)."""
    cli = find_pulumi_cli()
    if cli is None:
        raise SystemExit("pulumi CLI not found: run scripts/install-pulumi.sh")
    emulator = Emulator(token=TOKEN)
    with EmulatorServer(emulator) as server, tempfile.TemporaryDirectory() as tmp:
        env = {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN, "LAUNCHDARKLY_API_HOST": server.url}
        with LDMetricsClient(ClientSettings.resolve({}, env)) as client:
            seed_project(client, seed_specs(count, PROJECT))
        emulator.clear_log()
        workdir = Path(tmp, "project")
        workdir.mkdir()
        out = io.StringIO()
        argv = ["import", "--project", PROJECT, "--out", str(workdir / "bench_metrics.py")]
        if run(argv, Seams(out, io.StringIO(), env)) != 0:
            raise RuntimeError("ldmetrics import failed")
        program, commands = printed_steps(out.getvalue())
        command = next(c for c in commands if c.argv[:2] == ["pulumi", "import"])
        write_project(workdir, "bench", "\n".join(program) + "\n")

        site, split_dir = Path(tmp, "site"), Path(tmp, "split")
        site.mkdir()
        split_dir.mkdir()
        (site / "sitecustomize.py").write_text(
            Path(__file__).with_name("split_hooks.py").read_text()
        )
        cli_env = pulumi_env(cli, Path(tmp, "pulumi"), {**env, "PYTHONPATH": str(site)})
        cli_env[SPLIT_ENV] = str(split_dir)
        cli_env.update(command.env)  # PULUMI_SKIP_CHECKPOINTS=true: the state written once
        if with_checkpoints:
            cli_env.pop("PULUMI_SKIP_CHECKPOINTS", None)  # written after every step
        init = [str(cli), "stack", "init", "bench", "--non-interactive"]
        subprocess.run(init, cwd=workdir, env=cli_env, check=True, capture_output=True)
        extra = ["--profiling", str(Path(tmp, "engine"))] if go_profile else []
        flags = [a for a in command.argv[1:] if not (with_preview and a == "--skip-preview")]
        args = [str(cli), *flags, "--stack", "bench", "--non-interactive", *extra]
        tree = run_tree(args, cwd=workdir, env=cli_env)
        if tree.returncode != 0:
            raise RuntimeError(f"pulumi import failed:\n{tree.stdout[-3000:]}\n{tree.stderr}")
        split = take_apart(tree, split_dir)
        top = ""
        cpu_profiles = sorted(Path(tmp).glob("engine*.cpu"))
        go = shutil.which("go") or "/usr/local/go/bin/go"
        if cpu_profiles and Path(go).exists():
            pprof = [go, "tool", "pprof", "-top", "-cum", "-nodecount=60", str(cli.resolve())]
            top = subprocess.run(
                [*pprof, str(cpu_profiles[0])], capture_output=True, text=True, check=False
            ).stdout
            keep = Path("/tmp/import_profile_engine.cpu")  # for a closer look with pprof
            shutil.copy(cpu_profiles[0], keep)
        states = list(Path(tmp, "pulumi", "state").rglob("bench.json"))
        mib = states[0].stat().st_size / 2**20 if states else 0.0
        writes = [e for e in emulator.request_log() if e["write"]]
        if writes:
            raise RuntimeError(f"{len(writes)} write requests during the import")
    emulator.close()
    return split, top, mib


def report(split: Split, count: int, mib: float) -> str:
    rows = [[part, f"{split.cpu.get(part, 0.0):.1f}"] for part in PARTS]
    rows.append(["all processes (exact)", f"{split.cpu_total_s:.1f}"])
    handler_rows = [
        [name, f"{v[0]:.0f}", f"{v[1]:.2f}", f"{v[2]:.2f}"]
        for name, v in sorted(split.provider.items())
    ]
    return "\n\n".join(
        [
            f"`pulumi import --file` of {count} metrics: **{split.wall_s:.1f} s** wall, "
            f"{split.cpu_total_s:.1f} s CPU; state file after it: {mib:.1f} MiB.",
            table(["part", "CPU s"], rows),
            table(
                ["provider host handler / method", "calls", "wall s", "thread CPU s"], handler_rows
            ),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_profile")
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--go-profile", action="store_true")
    parser.add_argument(
        "--with-checkpoints", action="store_true", help="without PULUMI_SKIP_CHECKPOINTS"
    )
    parser.add_argument("--with-preview", action="store_true", help="without --skip-preview")
    args = parser.parse_args()
    load = load_now()
    started = time.monotonic()
    split, top, mib = profile_import(
        args.count, args.go_profile, args.with_checkpoints, args.with_preview
    )
    print(report(split, args.count, mib))
    print(f"\nload {load:.2f} at the start; {time.monotonic() - started:.0f} s in all")
    if top:
        print("\n```\n" + top.strip() + "\n```")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT))
    main()
