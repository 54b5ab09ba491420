"""Fixtures for the HTTP layer: a clean environment, recorded sleeps, MockTransport clients."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.settings import ClientSettings

TOKEN = "api-0123456789abcdef-secret"
"""Distinctive, so tests can assert it never leaks into messages or logs."""

NOW = 1_700_000_000.0
"""Frozen clock for rate-limit headers (epoch seconds)."""

Handler = Callable[[httpx.Request], httpx.Response]
MakeClient = Callable[..., LDMetricsClient]


@pytest.fixture(autouse=True)
def clean_environ() -> Iterator[None]:
    """Drop LAUNCHDARKLY_* variables so a developer's real token never reaches a test."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("LAUNCHDARKLY_")}
    for key in saved:
        del os.environ[key]
    yield
    os.environ.update(saved)


@pytest.fixture
def sleeps() -> list[float]:
    """Every delay the client asked to sleep, instead of sleeping."""
    return []


@pytest.fixture
def make_client(sleeps: list[float]) -> Iterator[MakeClient]:
    """Build a client over ``httpx.MockTransport(handler)``; closed at teardown."""
    clients: list[LDMetricsClient] = []

    def make(handler: Handler, **settings: Any) -> LDMetricsClient:
        config = {"access_token": TOKEN, "max_retries": 3, **settings}
        client = LDMetricsClient(
            ClientSettings(**config),
            transport=httpx.MockTransport(handler),
            sleep=sleeps.append,
            clock=lambda: NOW,
            rng=random.Random(7),
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def error_body(code: str, message: str, request_id: str = "req-1") -> dict[str, str]:
    """LaunchDarkly's error shape (reference §8)."""
    return {"code": code, "message": message, "id": request_id}


def metric_rep(project_key: str, key: str, **fields: Any) -> dict[str, Any]:
    """A small MetricRep-shaped dict; enough for the client, which does not interpret it."""
    return {
        "key": key,
        "kind": "custom",
        "name": key,
        "_version": 1,
        "_links": {
            "self": {"href": f"/api/v2/metrics/{project_key}/{key}", "type": "application/json"}
        },
        **fields,
    }
