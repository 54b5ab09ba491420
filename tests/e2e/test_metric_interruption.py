"""``pulumi up`` killed in the middle of 32 creates (issue 4, item 10), then repaired the way
the CLI says, converging with no duplicate, no orphan, nothing deleted.

Measured with the 3.259 CLI (the recovery below follows from it):
- SIGKILL leaves the stack locked; every command then says to run ``pulumi cancel``.
- The next ``pulumi up`` only warns "Attempting to deploy or update resources with N pending
  operations from previous deployment" and re-creates them: 409 for each create that had
  reached the server. ``pulumi refresh`` without flags leaves pending creates untouched
  (non-interactive), and ``--import-pending-creates <urn> <id>`` drops them from the
  checkpoint without adopting the resource, which ends the same way.
- What works: check each pending create against the API; ``pulumi refresh
  --clear-pending-creates``; ``pulumi import --file`` (inputs + outputs) for the ones that
  exist (the id is deterministic, ``project/key``); then ``pulumi up`` creates the rest.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from pulumi_ldmetrics.emulator import EmulatorServer

from .conftest import StackFactory
from .ldm import (
    assert_emulator_holds,
    calls,
    count,
    emulator_server,
    http,
    import_file,
    init_stack,
    live_ids,
    log,
    run_import,
    state_metrics,
    write_metrics_project as write_project,
    writes,
)
from .programs.catalog import catalog, resource_name

pytestmark = pytest.mark.e2e


def _children(pids: set[int]) -> set[int]:
    """Direct children of ``pids`` (Linux ``/proc``)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) in pids:
            found.add(int(stat.parent.name))
    return found


def _kill_tree(root: int) -> None:
    """SIGKILL the CLI's process group and every process below it.

    The CLI starts the language host and the provider plugin in process groups of their own,
    so killing the CLI's group alone leaves them running (reparented to init) for good.
    """
    tree, frontier = {root}, {root}
    while frontier:
        frontier = _children(frontier) - tree
        tree |= frontier
    os.killpg(root, signal.SIGKILL)
    tree |= _children(tree)
    for pid in tree - {root}:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _settle(server: EmulatorServer, quiet: float = 1.0, limit: float = 15.0) -> None:
    """Wait until the emulator's log stops growing (requests in flight at the kill finish)."""
    deadline, seen, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = len(log(server))
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)


def test_killed_up_recovers_without_duplicates(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    declared = catalog()
    by_name = {resource_name(e): e for e in declared}
    with emulator_server() as server:
        stack = pulumi_stack(write_project(tmp_path / "proj", declared))
        init_stack(stack, server)
        server.emulator.set_faults(latency_ms=300)
        cmd = [str(stack.cli), "up", "--yes", "--non-interactive", "--stack", stack.stack]
        proc = subprocess.Popen(
            cmd,
            cwd=stack.workdir,
            env=stack.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the CLI in a process group of its own
        )
        try:
            deadline = time.monotonic() + 120
            while count(server, "POST") < 8 and time.monotonic() < deadline:
                assert proc.poll() is None, "pulumi up ended before it could be interrupted"
                time.sleep(0.02)
        finally:
            _kill_tree(proc.pid)
            proc.wait()
        _settle(server)
        server.emulator.set_faults(latency_ms=0)
        created = live_ids(server)
        assert 8 <= len(created) < len(declared), created

        # The CLI's instruction for the lock left behind (preview takes no lock; up does).
        locked = stack.up(check=False)
        assert locked.returncode != 0 and "pulumi cancel" in locked.stdout + locked.stderr
        stack.run("cancel", "--yes", "--stack", stack.stack)

        deployment = stack.stack_export()["deployment"]
        pending = [op for op in deployment.get("pending_operations") or []]
        assert pending and {op["type"] for op in pending} == {"creating"}, pending
        in_state = {r["id"] for r in state_metrics(stack)}
        pending_names = [op["resource"]["urn"].rsplit("::", 1)[1] for op in pending]
        pending_ids = {f"{by_name[n]['project_key']}/{by_name[n]['key']}": n for n in pending_names}
        assert created <= in_state | set(pending_ids), "a created metric is neither in state "
        "nor pending: it would be an orphan"

        # "Confirm whether the operations completed by checking the provider": ask the API.
        with http(server) as api:
            completed = [n for i, n in pending_ids.items() if api.get(f"/{i}").status_code == 200]
        server.emulator.clear_log()

        stack.refresh("--clear-pending-creates")
        assert not stack.stack_export()["deployment"].get("pending_operations")
        if completed:
            document = import_file(server, [by_name[n] for n in completed])
            run_import(stack, document, tmp_path / "import.json")
        assert writes(server) == [], calls(server)

        stack.up()
        assert all(e["status"] != 409 for e in log(server)), calls(server)
        assert count(server, "DELETE") == 0
        assert count(server, "POST") == len(declared) - len(created), calls(server)
        assert_emulator_holds(server, declared)
        ids = [r["id"] for r in state_metrics(stack)]
        assert sorted(ids) == sorted(set(ids)) and set(ids) == live_ids(server)
        server.emulator.clear_log()
        stack.preview("--expect-no-changes")
        stack.refresh("--expect-no-changes")
        assert writes(server) == []

        stack.destroy()
        assert live_ids(server) == set()
