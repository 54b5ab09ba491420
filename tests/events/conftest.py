"""Fixtures for the events import: the emulator's metrics and events listeners on loopback,
event files, and the CLI run in process with recorded sleeps."""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.cli import Seams, run
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.emulator.events_server import EventsServer

TOKEN = "api-7f3k9q2x0b5m8w1zv4"
"""Distinctive (no word of 6 letters inside: the scrub removes every 6-character fragment
of a registered token wherever it appears), so tests can assert it never reaches output."""
READER_TOKEN = "api-r2d9h6j1n8p3t5y7c0"
PROJECT = "web"
ENVIRONMENT = "production"
NOW_MS = int(time.time() * 1000)


@pytest.fixture(autouse=True)
def clean_environ() -> Iterator[None]:
    """Drop LAUNCHDARKLY_* variables so a developer's real token never reaches a test."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("LAUNCHDARKLY_")}
    for key in saved:
        del os.environ[key]
    yield
    os.environ.update(saved)


@dataclass
class Hosts:
    """The emulator and the URLs of its two listeners."""

    emulator: Emulator
    api: str
    events: str


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    emulator = Emulator(token=TOKEN, reader_token=READER_TOKEN)
    with EmulatorServer(emulator) as api, EventsServer(emulator) as events:
        yield Hosts(emulator, api.url, events.url)
    emulator.close()


def create_metric(hosts: Hosts, key: str, event_key: str, *, numeric: bool) -> None:
    """A custom metric through the metrics API, as a user would have made it."""
    body: dict[str, Any] = {"key": key, "name": key, "kind": "custom", "eventKey": event_key}
    if numeric:
        body.update(isNumeric=True, unit="ms", successCriteria="LowerThanBaseline")
    response = httpx.post(
        f"{hosts.api}/api/v2/metrics/{PROJECT}", json=body, headers={"Authorization": TOKEN}
    )
    assert response.status_code == 201, response.text


def event(i: int, key: str = "checkout-latency", **extra: Any) -> dict[str, Any]:
    """A valid event: a distinct context per i, a creation date within the last hour."""
    fields: dict[str, Any] = {
        "key": key,
        "creationDate": NOW_MS - 1000 * (i % 3600),
        "metricValue": float(i % 500),
        "contextKeys": {"user": f"user-{i}"},
    }
    fields.update(extra)
    return fields


def write_ndjson(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str
    sleeps: list[float]


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(hosts: Hosts) -> RunCli:
    """`ldmetrics events import` in process against the emulator; sleeps are recorded."""

    def invoke(
        *args: str, token: str = TOKEN, hosts_flags: bool = True, real_sleep: bool = False
    ) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        sleeps: list[float] = []
        argv = ["events", "import", "--project", PROJECT, "--environment", ENVIRONMENT]
        if hosts_flags:
            argv += ["--api-host", hosts.api, "--events-host", hosts.events]
        code = run(
            [*argv, *args],
            Seams(
                out,
                err,
                {"LAUNCHDARKLY_ACCESS_TOKEN": token},
                sleep=None if real_sleep else sleeps.append,
            ),
        )
        result = CliResult(code, out.getvalue(), err.getvalue(), sleeps)
        # Whatever happened, the token is never printed, whole or in part.
        for text in (result.stdout, result.stderr):
            assert token[:10] not in text and token[-10:] not in text
        return result

    return invoke
