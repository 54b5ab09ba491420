"""Fixtures: a loopback emulator and a real provider host process configured against it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer

from .engine_host import HostProcess, host_env

TOKEN = "api-11111111-2222-3333-4444-555555555555"
READER_TOKEN = "api-reader-0000-0000-0000-000000000000"


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(token=TOKEN, reader_token=READER_TOKEN, projects=["web", "mobile"])


@pytest.fixture
def server(emulator: Emulator) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator) as running:
        yield running
    emulator.close()


@pytest.fixture
def host(server: EmulatorServer) -> Iterator[HostProcess]:
    """A provider host configured the way `pulumi up` does: stack config, token as a secret."""
    process = HostProcess(host_env())
    process.configure(
        {
            "ldmetrics:accessToken": TOKEN,
            "ldmetrics:apiHost": server.url,
            "ldmetrics:maxRetries": "2",
        },
        secret_keys=("ldmetrics:accessToken",),
    )
    yield process
    process.close()


def requests_by_method(emulator: Emulator) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in emulator.request_log():
        counts[entry["method"]] = counts.get(entry["method"], 0) + 1
    return counts
