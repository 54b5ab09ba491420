"""Fixtures for every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from pulumi_ldmetrics import _redact
from tests.hostile import Behaviour, HostileServer


@pytest.fixture(autouse=True)
def forget_secrets() -> Iterator[None]:
    """Each test starts with no registered secret, as a provider process does: tokens of other
    tests (`api-import-tests-…`) would otherwise scrub ordinary words from its messages."""
    _redact.clear()
    yield
    _redact.clear()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], HostileServer]]:
    """Start hostile servers (`tests/hostile.py`) for a test; all are stopped after it."""
    servers: list[HostileServer] = []

    def start(behaviour: Behaviour) -> HostileServer:
        server = HostileServer(behaviour).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
