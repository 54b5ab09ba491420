"""The access token (issue 4, item 8): set as a secret config value or through the
environment, it reaches the emulator but appears nowhere in ``stack export``, the backend's
files, or any captured CLI output."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import StackFactory
from .ldm import TOKEN, emulator_server, init_stack, live_ids, log, write_metrics_project
from .programs.catalog import catalog

pytestmark = pytest.mark.e2e

KEYS = ("signup-completed", "checkout-latency", "buy-clicked", "api-error-duration")


@pytest.mark.parametrize("route", ["config-secret", "environment"])
def test_token_never_leaks(pulumi_stack: StackFactory, tmp_path: Path, route: str) -> None:
    declared = [e for e in catalog() if e["key"] in KEYS]
    captured: list[subprocess.CompletedProcess[str]] = []
    with emulator_server() as server:
        env = {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN} if route == "environment" else None
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", declared), env=env)
        init_stack(stack, server, token=TOKEN if route == "config-secret" else None)
        if route == "environment":
            assert "accessToken" not in (stack.workdir / "Pulumi.dev.yaml").read_text()
        else:
            assert "secure:" in (stack.workdir / "Pulumi.dev.yaml").read_text()

        for args in (
            ("preview", "--diff"),
            ("up", "--yes", "--diff"),
            ("refresh", "--yes", "--diff"),
            ("stack", "export"),
            ("stack", "output", "--json"),
            ("config",),
            ("stack", "history"),
        ):
            captured.append(stack.run(*args, "--stack", stack.stack))
        # Every request carried the token (the emulator answers 401 otherwise).
        assert live_ids(server) == {f"{e['project_key']}/{e['key']}" for e in declared}
        assert log(server) and all(e["status"] in (200, 201) for e in log(server))
        captured.append(stack.destroy())
        assert live_ids(server) == set()

    for proc in captured:
        assert TOKEN not in proc.stdout + proc.stderr, proc.args
    state_dir = Path(stack.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
    files = [p for p in state_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files), files  # checkpoints, backups, history
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), path
    for path in stack.workdir.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
