"""Fixtures: a real loopback emulator server per test, and clients for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer

from .helpers import READER_TOKEN, TOKEN, new_client


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(token=TOKEN, reader_token=READER_TOKEN)


@pytest.fixture
def server(emulator: Emulator) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator) as running:
        yield running
    emulator.close()


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[httpx.Client]:
    with new_client(server.url, TOKEN) as http:
        yield http


@pytest.fixture
def anon(server: EmulatorServer) -> Iterator[httpx.Client]:
    """A client that sends no Authorization header."""
    with new_client(server.url) as http:
        yield http
