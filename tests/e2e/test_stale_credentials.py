"""Recovering `refresh` and `destroy` after a wrong token (issue 11, item 7).

`pulumi refresh` and `pulumi destroy` run the provider with the settings the last `up` recorded
in the state, so fixing `ldmetrics:accessToken` in config does not reach them. The 401 says so
and names the way out (`--run-program`, which uses the current config); this test follows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import StackFactory
from .ldm import TOKEN, emulator_server, init_stack, live_ids, set_declared, write_metrics_project
from .programs.catalog import catalog

pytestmark = pytest.mark.e2e

WRONG = "api-00000000-wrong-token-0000-000000000000"


def first_error_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines()]
    return next(line for line in lines if "401" in line)


def test_a_fixed_token_reaches_refresh_and_destroy_through_run_program(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    declared = [e for e in catalog() if e.get("resource_name") is None][:1]
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", declared))
        init_stack(stack, server)
        stack.up()
        assert live_ids(server) == {"e2e/signup-completed"}

        # A wrong token reaches the state through a failed `up` (a rename: one PATCH, 401).
        stack.config_set("ldmetrics:accessToken", WRONG, secret=True)
        set_declared(stack.workdir, [{**declared[0], "name": "Renamed"}])
        failed = stack.up(check=False)
        assert failed.returncode != 0
        # The user fixes the config; refresh still runs with the recorded (wrong) settings.
        stack.config_set("ldmetrics:accessToken", TOKEN, secret=True)
        stale = stack.refresh(check=False)
        assert stale.returncode != 0
        message = first_error_line(stale.stdout + stale.stderr)
        assert "401" in message and "--run-program" in message, message

        # Following the message converges.
        stack.refresh("--run-program")
        stack.destroy("--run-program")
        assert live_ids(server) == set()
    for proc in (failed, stale):
        assert WRONG not in proc.stdout + proc.stderr and TOKEN not in proc.stdout + proc.stderr
