"""What a user reads when a metric cannot be created: one line, first, and nothing around it.

For every expected failure (validation, 401, 403, unknown project, existing key, connection
refused, unresolvable host, missing token) the real CLI's ``Diagnostics:`` block for the failing
resource must start with the one-line message and be at most 10 lines, with no traceback
anywhere in the output. The provider plugin runs on the test interpreter's SDK, so this file
runs in the main .venv (newest SDK) and through scripts/min-sdk.sh (oldest supported SDK): the
SDK hosts report exceptions differently (pulumi_ldmetrics/_host_errors.py), and older ones put
gRPC's ``Exception calling application: `` in front of the message, on the same line.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer

from .conftest import StackFactory
from .ldm import TOKEN, host_reports_tracebacks, init_stack, write_metrics_project

pytestmark = pytest.mark.e2e

READER_TOKEN = "api-e2e-reader-00000000000000000"
METRIC_HEADER = "pulumi-python:dynamic/ldmetrics:Metric ({name}):"
MAX_LINES = 10
# Connection failures were retried for ~54 s; now a few seconds. The bound leaves room for the
# CLI's own start-up (about 3 s here) on a loaded machine.
CONNECTION_FAILURE_BUDGET_S = 20.0
GRPC_PREFIX = "Exception calling application: "
SIGNUP: dict[str, Any] = {
    "project_key": "e2e",
    "key": "signup",
    "name": "Signup",
    "kind": "custom",
    "event_key": "signup-done",
}


@dataclass
class Case:
    message: str
    """The start of the first diagnostic line, after ``error: ``."""
    metric: dict[str, Any] = field(default_factory=lambda: dict(SIGNUP))
    token: str | None = TOKEN
    api_host: str | None = None
    """Overrides the emulator's URL in ``ldmetrics:apiHost``."""
    exception: bool = True
    """Raised by the provider (False: a check failure, which the engine formats itself)."""
    connection: bool = False


CASES = {
    "validation": Case(
        "pulumi-python:dynamic/ldmetrics:Metric resource 'signup': property event_key",
        metric={k: v for k, v in SIGNUP.items() if k != "event_key"},
        exception=False,
    ),
    "401": Case("creating metric e2e/signup: 401 unauthorized", token="api-wrong-token"),
    "403": Case("creating metric e2e/signup: 403 forbidden", token=READER_TOKEN),
    "404-project": Case(
        "creating metric nope/signup: 404", metric={**SIGNUP, "project_key": "nope"}
    ),
    "409-existing-key": Case(
        "creating metric e2e/signup: a metric with this key already exists in LaunchDarkly"
    ),
    "connection-refused": Case(
        "creating metric e2e/signup: cannot connect to http://127.0.0.1:9",
        api_host="http://127.0.0.1:9",  # discard port: nothing listens there
        connection=True,
    ),
    "dns-failure": Case(
        "creating metric e2e/signup: cannot connect to https://ld.invalid",
        api_host="https://ld.invalid",  # RFC 2606: never resolves
        connection=True,
    ),
    "missing-token": Case("no LaunchDarkly access token", token=None),
}


@contextmanager
def _emulator() -> Iterator[EmulatorServer]:
    emulator = Emulator(token=TOKEN, reader_token=READER_TOKEN, projects=["e2e"])
    try:
        with EmulatorServer(emulator) as server:
            yield server
    finally:
        emulator.close()


def diagnostic_block(output: str, header: str) -> list[str]:
    """The lines of ``header``'s entry under ``Diagnostics:``, header excluded, dedented."""
    lines = output[output.index("Diagnostics:") :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == header) + 1
    block: list[str] = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(line.strip())
    return block


@pytest.mark.parametrize("name", list(CASES))
def test_an_expected_failure_reads_as_its_one_line_message(
    pulumi_stack: StackFactory, tmp_path: Path, name: str
) -> None:
    case = CASES[name]
    with _emulator() as server:
        if name == "409-existing-key":
            _create_out_of_band(server)
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", [case.metric]))
        init_stack(stack, server, token=case.token)
        if case.api_host is not None:
            stack.config_set("ldmetrics:apiHost", case.api_host)
        started = time.monotonic()
        proc = stack.up(check=False)
        elapsed = time.monotonic() - started
        stored = {p: [m["name"] for m in ms] for p, ms in server.emulator.metrics().items() if ms}
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "Traceback" not in output, output

    block = diagnostic_block(output, METRIC_HEADER.format(name=case.metric["key"]))
    prefix = "" if not case.exception or host_reports_tracebacks() else GRPC_PREFIX
    assert block and block[0].startswith("error: " + prefix + case.message), block
    assert len(block) + 1 <= MAX_LINES, block  # + the resource's header line
    if case.connection:
        assert elapsed < CONNECTION_FAILURE_BUDGET_S, (elapsed, block)
        assert "ldmetrics:apiHost" in block[0], block
    # Nothing was written (the existing metric is left as it was).
    assert stored == ({"e2e": ["Taken"]} if name == "409-existing-key" else {}), stored


def _create_out_of_band(server: EmulatorServer) -> None:
    body = {"key": "signup", "name": "Taken", "kind": "custom", "eventKey": "signup-done"}
    reply = httpx.post(
        f"{server.url}/api/v2/metrics/e2e",
        json=body,
        headers={"Authorization": TOKEN, "LD-API-Version": "beta"},
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    server.emulator.clear_log()
