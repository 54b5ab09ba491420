"""Shared plumbing of the benchmarks: emulator, throw-away stacks, timing, RSS, log capture.

Every benchmark drives the real `pulumi` CLI (``tests/e2e/pulumi_runner.py``) against an
in-process emulator on loopback, and reads request counts from the emulator's log.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.proc_tree import read_proc_file  # noqa: E402
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer  # noqa: E402
from tests.e2e.pulumi_runner import (  # noqa: E402
    PulumiStack,
    find_pulumi_cli,
    pulumi_env,
    write_project,
)

PROJECT_KEY = "bench"
STACK = "bench"
MARKER_ENV = "LDMETRICS_BENCH_RUN"
LOG_DIR_ENV = "LDMETRICS_BENCH_LOG_DIR"
COMMAND_TIMEOUT = 600.0

PROGRAM = textwrap.dedent(
    """
    import pulumi
    from pulumi_ldmetrics import Metric

    cfg = pulumi.Config("bench")
    n = cfg.require_int("n")
    variant = cfg.get("variant") or "v1"
    project = cfg.get("project") or "bench"
    for i in range(n):
        Metric(
            f"m{i:04d}",
            project_key=project,
            key=f"m{i:04d}",
            name=f"Metric {i}",
            kind="custom",
            event_key=f"event-{i}",
            description=f"benchmark metric {i} ({variant})",
            tags=["benchmark"],
        )
    """
)

# Written into a directory on PYTHONPATH of every process the CLI starts, so the provider
# host (`python -m pulumi.dynamic`) sends `pulumi_ldmetrics` debug logs to a file per process.
# Benchmark-only: `LDMETRICS_LOG` would log to stderr (mixed into the CLI output).
SITECUSTOMIZE = textwrap.dedent(
    """
    import logging
    import os

    _dir = os.environ.get("LDMETRICS_BENCH_LOG_DIR")
    if _dir:
        _handler = logging.FileHandler(
            os.path.join(_dir, "provider-%d.log" % os.getpid()), delay=True
        )
        _handler.setFormatter(
            logging.Formatter("%(asctime)s %(threadName)s %(name)s %(levelname)s %(message)s")
        )
        _logger = logging.getLogger("pulumi_ldmetrics")
        _logger.setLevel(logging.DEBUG)
        _logger.addHandler(_handler)
    """
)


SCANS: list[tuple[str, dict[str, int], int]] = []
"""(stack name, hits per place, provider log lines) of every bench stack, scanned at teardown."""


def new_token() -> str:
    """A token unique to one run, so the secret scan cannot match anything else."""
    return f"api-bench-{uuid.uuid4()}"


# -- markdown --------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table; cells are str()-ed and pipes escaped."""

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


@dataclass
class Section:
    """One benchmark's output: a title and markdown body (tables and notes)."""

    title: str
    body: str
    missed: list[str] = field(default_factory=list)
    """One line per missed target, for the closing note."""

    def markdown(self) -> str:
        return f"## {self.title}\n\n{self.body.strip()}\n"


# -- emulator --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """A POST as the emulator answered it: the metric key from the body, status, delivery."""

    key: str | None
    status: int
    delivery: str


class TimedEmulator(Emulator):
    """An `Emulator` that also records when each metrics request arrived (monotonic) and the
    metric key of every POST (the request log has no bodies), to count duplicate creates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: list[float] = []
        self.posts: list[Write] = []
        self._arrivals_lock = threading.Lock()

    def handle(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Any:
        if path.startswith("/_emulator/"):
            return super().handle(method, path, query, headers, body)
        with self._arrivals_lock:
            self.arrivals.append(time.monotonic())
        response = super().handle(method, path, query, headers, body)
        if method.upper() == "POST":
            try:
                key = json.loads(body).get("key")
            except (ValueError, AttributeError):
                key = None
            with self._arrivals_lock:
                self.posts.append(Write(key, response.status, response.delivery))
        return response

    def clear_arrivals(self) -> None:
        with self._arrivals_lock:
            self.arrivals.clear()
            self.posts.clear()


def method_counts(log: Sequence[Mapping[str, Any]]) -> Counter[str]:
    return Counter(str(e["method"]) for e in log)


def outcome_counts(log: Sequence[Mapping[str, Any]]) -> Counter[str]:
    return Counter(str(e["outcome"]) for e in log)


def fmt_counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


# -- stacks ----------------------------------------------------------------------------------


@dataclass
class BenchStack:
    """One project + stack + backend under a temp dir, configured against an emulator."""

    root: Path
    stack: PulumiStack
    log_dir: Path
    marker: str
    outputs: list[str] = field(default_factory=list)
    """stdout + stderr of every CLI command run through `cmd`, for the secret scan."""

    def cmd(
        self, fn: Callable[..., subprocess.CompletedProcess[str]], *args: str, check: bool = True
    ) -> tuple[float, subprocess.CompletedProcess[str]]:
        """Run one PulumiStack method; return (wall seconds, completed process)."""
        started = time.monotonic()
        proc = fn(*args, check=False)
        elapsed = time.monotonic() - started
        self.outputs += [proc.stdout, proc.stderr]
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"pulumi {fn.__name__} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return elapsed, proc

    def set_config(self, key: str, value: str, secret: bool = False) -> None:
        proc = self.stack.config_set(key, value, secret=secret)
        self.outputs += [proc.stdout, proc.stderr]

    def export_text(self) -> str:
        """`pulumi stack export` exactly as the CLI prints it."""
        proc = self.stack.run("stack", "export", "--stack", self.stack.stack)
        self.outputs += [proc.stdout, proc.stderr]
        return proc.stdout

    def export(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.export_text())
        return data

    def metric_resources(self) -> list[dict[str, Any]]:
        resources = self.export()["deployment"].get("resources") or []
        return [r for r in resources if r["type"].endswith("ldmetrics:Metric")]

    def state_files(self) -> list[Path]:
        """Every file of the local backend (stacks, history, backups, locks)."""
        return sorted(p for p in (self.root / "pulumi" / "state").rglob("*") if p.is_file())

    def scan(self, token: str) -> dict[str, int]:
        """Occurrences of `token` (plain or base64) per place: export (also with
        --show-secrets), state files, CLI output, provider debug logs."""
        needles = [token.encode(), base64.b64encode(token.encode())]

        def hits(data: bytes) -> int:
            return sum(data.count(n) for n in needles)

        export = self.export_text()
        shown = json.loads(
            self.stack.run("stack", "export", "--show-secrets", "--stack", self.stack.stack).stdout
        )
        resources = shown["deployment"].get("resources") or []
        # The engine keeps the stack config, secrets encrypted, as the default provider's
        # inputs (refresh/destroy rebuild the provider from it); --show-secrets decrypts it.
        engine_copy = [r for r in resources if r["type"].startswith("pulumi:providers:")]
        shown["deployment"]["resources"] = [r for r in resources if r not in engine_copy]
        return {
            "stack export": hits(export.encode()),
            "stack export --show-secrets, outside the provider config": hits(
                json.dumps(shown).encode()
            ),
            f"state files ({len(self.state_files())})": sum(
                hits(p.read_bytes()) for p in self.state_files()
            ),
            f"CLI output ({len(self.outputs)} streams)": hits("".join(self.outputs).encode()),
            "provider debug logs": hits(self.provider_logs().encode()),
        }

    def provider_logs(self) -> str:
        return "".join(p.read_text() for p in sorted(self.log_dir.glob("provider-*.log")))

    def clear_provider_logs(self) -> None:
        for p in self.log_dir.glob("provider-*.log"):
            p.unlink()


@contextlib.contextmanager
def bench_stack(
    name: str,
    *,
    n: int,
    token: str,
    api_host: str,
    max_retries: int | None = None,
    program: str = PROGRAM,
    keep: bool = False,
) -> Iterator[BenchStack]:
    """A fresh project/stack in a temp dir, config set, stack initialised; removed after."""
    cli = find_pulumi_cli()
    if cli is None:
        raise SystemExit("pulumi CLI not found: run scripts/install-pulumi.sh")
    root = Path(tempfile.mkdtemp(prefix=f"ldm-bench-{name}-"))
    try:
        log_dir = root / "logs"
        site = root / "site"
        log_dir.mkdir()
        site.mkdir()
        (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
        marker = uuid.uuid4().hex
        python_path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
        env = pulumi_env(
            cli,
            root / "pulumi",
            {
                "PYTHONPATH": python_path,
                LOG_DIR_ENV: str(log_dir),
                MARKER_ENV: marker,
                # The provider must take its settings from stack config only.
                "LAUNCHDARKLY_ACCESS_TOKEN": "",
                "LAUNCHDARKLY_API_HOST": "",
            },
        )
        for key in ("LAUNCHDARKLY_ACCESS_TOKEN", "LAUNCHDARKLY_API_HOST"):
            env.pop(key, None)
        workdir = write_project(root / "proj", f"ldm-bench-{name}", program)
        stack = PulumiStack(workdir, STACK, env, cli, timeout=COMMAND_TIMEOUT)
        bench = BenchStack(root, stack, log_dir, marker)
        bench.outputs.append(stack.stack_init().stdout)
        bench.set_config("ldmetrics:accessToken", token, secret=True)
        bench.set_config("ldmetrics:apiHost", api_host)
        if max_retries is not None:
            bench.set_config("ldmetrics:maxRetries", str(max_retries))
        bench.set_config("bench:n", str(n))
        bench.set_config("bench:project", PROJECT_KEY)
        yield bench
        try:
            SCANS.append((name, bench.scan(token), len(bench.provider_logs().splitlines())))
        except Exception as err:  # noqa: BLE001 - a scan failure must not hide the benchmark
            SCANS.append((name, {f"scan failed: {err}": 0}, 0))
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def running_emulator(emulator: Emulator) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator) as server:
        yield server
    emulator.close()


def summary_counts(output: str) -> dict[str, int]:
    """Counts of the `Resources:` block at the end of CLI output, e.g. {"created": 100}."""
    idx = output.rfind("Resources:")
    block = output[idx:] if idx >= 0 else ""
    out: dict[str, int] = {}
    for num, word in re.findall(
        r"(\d+) (to create|created|to update|updated|unchanged|"
        r"to delete|deleted|failed|errored|to replace|replaced)",
        block,
    ):
        out[word] = out.get(word, 0) + int(num)
    return out


# -- provider host processes ------------------------------------------------------------------


def provider_hosts(marker: str) -> list[int]:
    """Pids of live `python -m pulumi.dynamic` processes started for one bench stack."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        cmdline = read_proc_file(f"/proc/{entry}/cmdline").split("\0")
        if "pulumi.dynamic" not in cmdline:
            continue
        if f"{MARKER_ENV}={marker}" in read_proc_file(f"/proc/{entry}/environ").split("\0"):
            pids.append(int(entry))
    return pids


def _kib(status: str, name: str) -> int:
    match = re.search(rf"^{name}:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) if match else 0


class RssPoller:
    """Polls /proc for the provider hosts of one stack; keeps each one's last VmHWM/VmRSS."""

    def __init__(self, marker: str, interval: float = 0.05) -> None:
        self.marker = marker
        self.interval = interval
        self.peak_kib: dict[int, int] = {}
        self.seen_at: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in provider_hosts(self.marker):
                status = read_proc_file(f"/proc/{pid}/status")
                peak = max(_kib(status, "VmHWM"), _kib(status, "VmRSS"))
                self.seen_at.setdefault(pid, time.monotonic())
                self.peak_kib[pid] = max(self.peak_kib.get(pid, 0), peak)
            self._stop.wait(self.interval)

    def __enter__(self) -> RssPoller:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- misc ------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine_description() -> str:
    """Cores, RAM, Python, pulumi version and load, as a short markdown list."""
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    free = subprocess.run(["free", "-g"], capture_output=True, text=True, check=False).stdout
    mem = next((line.split()[1] for line in free.splitlines() if line.startswith("Mem:")), "?")
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in read_proc_file("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    cli = find_pulumi_cli()
    version = (
        subprocess.run(
            [str(cli), "version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if cli
        else "not found"
    )
    import pulumi  # noqa: PLC0415 - only for its version

    sdk = getattr(pulumi, "__version__", None) or _pulumi_sdk_version()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            f"- CPU: {cpu}; `nproc` = {nproc}; RAM (`free -g` total) = {mem} GiB",
            f"- Python {sys.version.split()[0]}; pulumi CLI {version}; pulumi SDK {sdk}",
            f"- Load average (1/5/15 min) at the end of the run: {load}",
        ]
    )


def _pulumi_sdk_version() -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version("pulumi")


def load_now() -> float:
    return os.getloadavg()[0]


def main_for(run: Callable[[], Section]) -> None:
    """`python -m benchmarks.<name>`: run one benchmark and print its section."""
    started = time.monotonic()
    section = run()
    print(section.markdown())
    print(f"_({time.monotonic() - started:.0f} s)_")
