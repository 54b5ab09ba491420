"""Fixtures for `ldmetrics import` tests: a loopback emulator and an in-process CLI runner."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pulumi_ldmetrics.cli import Seams, run
from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.settings import ClientSettings

from .seed import seed_project, seed_specs

TOKEN = "api-import-tests-0000-0000-000000000000"
READER_TOKEN = "api-import-reader-0000-0000-00000000000"
PROJECT = "web"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str
    sleeps: list[float] = field(default_factory=list)


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(token=TOKEN, reader_token=READER_TOKEN, projects=[PROJECT, "empty"])


@pytest.fixture
def server(emulator: Emulator) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator) as running:
        yield running
    emulator.close()


def client_for(server: EmulatorServer) -> LDMetricsClient:
    return LDMetricsClient(
        ClientSettings.resolve(
            {}, {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN, "LAUNCHDARKLY_API_HOST": server.url}
        )
    )


@pytest.fixture
def seeded(server: EmulatorServer) -> EmulatorServer:
    """The server with 24 metrics of every variant in PROJECT, request log cleared."""
    with client_for(server) as client:
        seed_project(client, seed_specs(24, PROJECT))
    server.emulator.clear_log()
    return server


_NO_PROJECT = Path(tempfile.mkdtemp(prefix="ldmetrics-no-project-"))
"""A directory with no Pulumi project above it (the system temp directory has none)."""


def run_cli(
    args: list[str],
    *,
    token: str | None = TOKEN,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> CliResult:
    """Run `ldmetrics` in-process with captured output; sleeps are recorded, not slept."""
    environ = {"LAUNCHDARKLY_ACCESS_TOKEN": token} if token is not None else {}
    environ.update(env or {})
    stdout, stderr = io.StringIO(), io.StringIO()
    sleeps: list[float] = []
    # Outside any Pulumi project (the repository root is one): stack config is tested apart.
    code = run(args, Seams(stdout, stderr, environ, sleep=sleeps.append, cwd=cwd or _NO_PROJECT))
    return CliResult(code, stdout.getvalue(), stderr.getvalue(), sleeps)


def exec_declarations(text: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """Execute a generated module with `pulumi_ldmetrics.Metric` replaced by a recorder.

    Returns {resource name: keyword arguments}; checks names are unique and `METRICS` lists all.
    """
    import pulumi_ldmetrics

    captured: dict[str, dict[str, Any]] = {}

    class Recorder:
        def __init__(self, resource_name: str, **kwargs: Any) -> None:
            assert resource_name not in captured, f"duplicate resource name {resource_name}"
            captured[resource_name] = kwargs

    with monkeypatch.context() as patch:
        patch.setattr(pulumi_ldmetrics, "Metric", Recorder)
        namespace: dict[str, Any] = {"__name__": "generated"}
        exec(compile(text, "generated.py", "exec"), namespace)  # our own output, under test
    assert set(namespace["METRICS"]) == {kwargs["key"] for kwargs in captured.values()}
    return captured
