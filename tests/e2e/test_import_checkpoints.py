"""The `pulumi import` step `ldmetrics import` prints, `PULUMI_SKIP_CHECKPOINTS=true pulumi import
--file …`, run as printed through a POSIX shell, with the real CLI against the emulator.

`PULUMI_SKIP_CHECKPOINTS=true` makes the engine write the state once at the end of the import
instead of after every step (the O(N²) rewrites that took 1,000 metrics 111 s). It is safe for
this command because the import sends nothing to LaunchDarkly. Measured with the 3.274 CLI on
300 metrics (the tests below pin the SIGINT and SIGKILL cases on 200):

- Ctrl-C (SIGINT; SIGTERM alike) midway: the engine cancels, then writes the state once, holding
  the metrics imported so far and no pending operation. One resource failing its `Check` midway
  (a broken `__provider`) ends the same way: every other metric imported, written once.
- SIGKILL midway: the state file is left byte for byte as before and the stack locked; every
  command says to run `pulumi cancel`.
- Either way, running the printed command again (after `pulumi cancel` when locked) imports the
  rest, and the printed `pulumi preview --expect-no-changes` passes. LaunchDarkly receives no
  write at any point.

The state backend keeps every checkpoint it writes (`PULUMI_RETAIN_CHECKPOINTS=true`), so the
tests count the engine's state writes: one per import with the prefix honoured, against about two
per metric without it (44 for 20 metrics).
"""

from __future__ import annotations

import io
import os
import re
import shlex
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from pulumi_ldmetrics.cli import Seams, run
from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.importer.import_file import METRIC_TYPE
from pulumi_ldmetrics.settings import ClientSettings
from tests.importer.seed import seed_project, seed_specs

from .conftest import StackFactory
from .pulumi_runner import (
    DEFAULT_TIMEOUT,
    PulumiCommandError,
    PulumiStack,
    printed_steps,
    split_command,
    write_project,
)

pytestmark = pytest.mark.e2e

TOKEN = "api-e2e-import-checkpoints-0000-00000000"
PROJECT = "shop"
ENV_PREFIX = "PULUMI_SKIP_CHECKPOINTS=true "
IMPORTED = re.compile(r"ldmetrics:Metric (\S+) imported\b")


# -- the printed steps ------------------------------------------------------------------------


def run_in_shell(
    stack: PulumiStack, line: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`sh -c <line>` in the project directory: the line exactly as the user pastes it (the
    stack is the one `stack init` selected; the CLI is on the environment's PATH)."""
    proc = subprocess.run(
        ["sh", "-c", line],
        cwd=stack.workdir,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=DEFAULT_TIMEOUT,
        check=False,
    )
    if check and proc.returncode != 0:
        raise PulumiCommandError(proc)
    return proc


# -- setup ------------------------------------------------------------------------------------


@contextmanager
def seeded(count: int) -> Iterator[EmulatorServer]:
    """A loopback emulator holding `count` metrics of PROJECT, its request log cleared."""
    emulator = Emulator(token=TOKEN)
    try:
        with EmulatorServer(emulator) as server:
            env = {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN, "LAUNCHDARKLY_API_HOST": server.url}
            with LDMetricsClient(ClientSettings.resolve({}, env)) as client:
                seed_project(client, seed_specs(count, PROJECT))
            emulator.clear_log()
            yield server
    finally:
        emulator.close()


def import_project(
    server: EmulatorServer, pulumi_stack: StackFactory, tmp_path: Path
) -> tuple[PulumiStack, list[str]]:
    """`ldmetrics import` (in process, outside any Pulumi project), then a project whose
    program is the printed program lines and a new stack; returns it and the printed
    commands. The backend keeps every checkpoint the engine writes."""
    workdir = tmp_path / "proj"
    workdir.mkdir()
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["import", "--project", PROJECT, "--api-host", server.url]
    argv += ["--out", str(workdir / "shop_metrics.py")]
    env = {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN}
    assert run(argv, Seams(stdout, stderr, env, cwd=tmp_path)) == 0, stderr.getvalue()
    program, printed = printed_steps(stdout.getvalue())
    commands = [command.line for command in printed]
    assert program == ["import shop_metrics  # noqa: F401"], stdout.getvalue()
    assert [command.argv[:2] for command in printed] == [
        ["pulumi", "config"],
        ["pulumi", "import"],
        ["pulumi", "preview"],
    ], stdout.getvalue()
    import_file = shlex.quote(str((workdir / "shop_metrics.import.json").resolve()))
    assert commands[1] == (
        f"{ENV_PREFIX}pulumi import --file {import_file} --generate-code=false"
        " --protect=false --skip-preview --yes"
    )
    assert commands[2] == "pulumi preview --expect-no-changes"

    write_project(workdir, "imported", "\n".join(program) + "\n")
    stack = pulumi_stack(
        workdir, env={"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN, "PULUMI_RETAIN_CHECKPOINTS": "true"}
    )
    stack.stack_init()
    return stack, commands


# -- the state --------------------------------------------------------------------------------


def state_file(stack: PulumiStack) -> Path:
    backend = Path(urlparse(stack.env["PULUMI_BACKEND_URL"]).path)
    found = list(backend.rglob(f"{stack.stack}.json"))
    assert len(found) == 1, found
    return found[0]


def checkpoints(stack: PulumiStack) -> int:
    """How many states the backend has written (each kept as `<stack>.json.<time>`)."""
    pattern = re.compile(rf"{re.escape(stack.stack)}\.json\.\d+")
    return sum(1 for p in state_file(stack).parent.iterdir() if pattern.fullmatch(p.name))


def metric_ids(stack: PulumiStack) -> set[str]:
    return {r["id"] for r in stack.resources() if r["type"] == METRIC_TYPE}


def writes(server: EmulatorServer) -> list[str]:
    return [f"{e['method']} {e['path']}" for e in server.emulator.request_log() if e["write"]]


# -- processes --------------------------------------------------------------------------------


def _descendants(root: int) -> set[int]:
    """Every process below `root` (Linux `/proc`): the CLI starts the language host and the
    provider plugin in process groups of their own."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - tree
        tree |= frontier
    return tree - {root}


def _kill_tree(root: int) -> None:
    below = _descendants(root)
    for pid in (root, *below):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def interrupt_import(stack: PulumiStack, line: str, sig: signal.Signals, after: int) -> str:
    """Start the printed import (its assignments in the environment, as a shell would), send
    `sig` once it has reported `after` metrics imported (SIGKILL: to the CLI and every process
    below it), and return its output."""
    command = split_command(line)
    assignments, argv = command.env, command.argv
    lines: list[str] = []
    sent = False
    with subprocess.Popen(
        argv,
        cwd=stack.workdir,
        env={**stack.env, **assignments},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as proc:
        watchdog = threading.Timer(DEFAULT_TIMEOUT, _kill_tree, (proc.pid,))
        watchdog.start()
        try:
            assert proc.stdout is not None
            seen = 0
            for text in proc.stdout:
                lines.append(text)
                seen += bool(IMPORTED.search(text))
                if seen >= after and not sent:
                    sent = True
                    if sig == signal.SIGKILL:
                        _kill_tree(proc.pid)
                    else:
                        os.kill(proc.pid, sig)
            proc.wait()
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                _kill_tree(proc.pid)
    assert sent, "".join(lines)
    output = "".join(lines)
    assert proc.returncode != 0, f"the import ended before the signal took effect:\n{output}"
    return output


# -- tests ------------------------------------------------------------------------------------


def test_printed_steps_run_as_printed(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    count = 20
    with seeded(count) as server:
        stack, commands = import_project(server, pulumi_stack, tmp_path)
        for line in commands:
            before = checkpoints(stack)
            proc = run_in_shell(stack, line)  # config set apiHost; import; preview --expect...
            if " pulumi import " in f" {line}":
                # The shell handed the variable to the engine: one state write in all, where
                # without it the engine writes after every one of the `count` steps.
                assert checkpoints(stack) - before == 1, proc.stdout
                assert f"= {count} imported" in proc.stdout, proc.stdout
        sent = writes(server)

    assert sent == []
    assert metric_ids(stack) == {f"{PROJECT}/m-{i:04d}" for i in range(count)}
    assert not any(r.get("protect") for r in stack.resources())
    # The variable was the import's alone: nothing of it is left for a later `pulumi up`.
    assert "PULUMI_SKIP_CHECKPOINTS" not in stack.env


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["sigint", "sigkill"])
def test_an_interrupted_import_converges_when_run_again(
    sig: signal.Signals, pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    count = 200
    with seeded(count) as server:
        stack, commands = import_project(server, pulumi_stack, tmp_path)
        config, import_line, preview_line = commands
        run_in_shell(stack, config)
        state_before = state_file(stack).read_bytes()
        written_before = checkpoints(stack)

        output = interrupt_import(stack, import_line, sig, after=20)
        deployment = stack.stack_export()["deployment"]
        assert not deployment.get("pending_operations"), deployment["pending_operations"]
        if sig == signal.SIGKILL:
            # Nothing was written: the state is as before, and the stack locked.
            assert state_file(stack).read_bytes() == state_before
            assert checkpoints(stack) == written_before
            assert metric_ids(stack) == set()
            locked = run_in_shell(stack, import_line, check=False)
            assert locked.returncode != 0
            assert "pulumi cancel" in locked.stdout + locked.stderr
            stack.run("cancel", "--yes", "--stack", stack.stack)
        else:
            # Cancelled: the state holds exactly what it reported imported, written once.
            assert "update canceled" in output, output
            assert checkpoints(stack) - written_before == 1
            reported = {f"{PROJECT}/{name}" for name in IMPORTED.findall(output)}
            assert metric_ids(stack) == reported
            assert 20 <= len(reported) < count, output

        again = run_in_shell(stack, import_line)  # the recovery: the same command again
        preview = run_in_shell(stack, preview_line)  # --expect-no-changes
        sent = writes(server)

    assert again.returncode == 0 and preview.returncode == 0
    assert metric_ids(stack) == {f"{PROJECT}/m-{i:04d}" for i in range(count)}
    assert sent == []
