"""CPU and wall time of every process of one CLI command, read from /proc while it runs.

Why from outside: the engine stops its plugins (the provider and language hosts) by signal, so a
process cannot be trusted to report its own totals at exit; the Go CLI cannot be hooked at all.
A poller that walks the command's process tree every `interval` seconds sees each process's
start and its CPU until the last poll before it exits (the rest, at most one interval per
process, shows up only in the exact total, `RUSAGE_CHILDREN`, which `run` also returns).
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    """One process as last polled."""

    pid: int
    ppid: int
    argv: list[str]
    started: float
    """Monotonic seconds (from /proc/<pid>/stat starttime)."""
    last_seen: float
    cpu_s: float
    """user + system CPU seconds at the last poll."""


@dataclass
class TreeRun:
    """One command: wall seconds, exact CPU of all descendants, and the polled processes."""

    wall_s: float
    started: float
    children_cpu_s: float
    procs: dict[int, Proc]
    returncode: int
    stdout: str
    stderr: str


def read_proc_file(path: str) -> str:
    """A /proc file's text, or "" once the process is gone (or the file cannot be read)."""
    try:
        with open(path, "rb") as fh:
            return fh.read().decode(errors="replace")
    except OSError:
        return ""


def _argv(pid: int) -> list[str]:
    return [a for a in read_proc_file(f"/proc/{pid}/cmdline").split("\0") if a]


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(ppid, cpu seconds, start as monotonic seconds) of `pid`, or None once it is gone."""
    raw = read_proc_file(f"/proc/{pid}/stat")
    if not raw:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = raw[raw.rfind(")") + 2 :].split()
    ppid, utime, stime, start = int(fields[1]), int(fields[11]), int(fields[12]), int(fields[19])
    return ppid, (utime + stime) / _TICK, start / _TICK


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else []:
        kids += [int(c) for c in read_proc_file(f"/proc/{pid}/task/{task}/children").split()]
    return kids


def run_tree(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    interval: float = 0.02,
    timeout: float = 900.0,
) -> TreeRun:
    """Run `argv` to completion, polling its process tree."""
    procs: dict[int, Proc] = {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    child = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            now = time.monotonic()
            todo = [child.pid]
            while todo:
                pid = todo.pop()
                stat = _stat(pid)
                if stat is None:
                    continue
                ppid, cpu, start = stat
                known = procs.get(pid)
                if known is None:
                    known = procs[pid] = Proc(pid, ppid, _argv(pid), start, now, cpu)
                known.last_seen, known.cpu_s = now, cpu
                if len(known.argv) <= 1:  # an exec since the last poll (shell scripts)
                    known.argv = _argv(pid)
                todo += _children(pid)
            done.wait(interval)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    finally:
        done.set()
        poller.join()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return TreeRun(wall, started, cpu, procs, child.returncode, stdout, stderr)


def role(proc: Proc) -> str:
    """Which part of a Pulumi deployment a process is, from its command line."""
    text = " ".join(proc.argv)
    if "pulumi.dynamic" in text or "pulumi-resource-pulumi-python" in text:
        return "provider host"
    if "pulumi_language_python" in text:  # before -exec, which its command line names too
        return "language host"
    if "pulumi-language-python-exec" in text:
        return "program"
    if "pulumi-language-python" in text:
        return "language host"
    if proc.argv and Path(proc.argv[0]).name == "pulumi":
        return "CLI/engine"
    return "other (" + (Path(proc.argv[0]).name if proc.argv else "?") + ")"
