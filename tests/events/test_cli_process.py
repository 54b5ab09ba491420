"""Both as separate processes, as a user runs them: `ldmetrics-emulator --events-port 0` and
`ldmetrics events import` (its console script), talking over loopback."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from .conftest import TOKEN, event, write_ndjson

STARTUP_SECONDS = 20.0


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


@pytest.fixture
def emulator_process() -> Iterator[tuple[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_ldmetrics.emulator", "--port", "0", "--events-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LDMETRICS_EMULATOR_TOKEN": TOKEN},
    )
    assert proc.stdout is not None and proc.stderr is not None
    out: queue.Queue[str] = queue.Queue()
    err: queue.Queue[str] = queue.Queue()
    readers = [
        threading.Thread(target=_lines, args=(stream, into), daemon=True)
        for stream, into in ((proc.stdout, out), (proc.stderr, err))
    ]
    for reader in readers:
        reader.start()
    try:
        api = out.get(timeout=STARTUP_SECONDS).strip().rsplit(" ", 1)[-1]
        events_line = err.get(timeout=STARTUP_SECONDS)
        assert "events host" in events_line
        yield api, events_line.strip().rsplit(" ", 1)[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for reader in readers:
            reader.join(timeout=5)
        proc.stdout.close()
        proc.stderr.close()


def test_import_between_processes(emulator_process: tuple[str, str], tmp_path: Path) -> None:
    api, events = emulator_process
    path = write_ndjson(tmp_path / "events.ndjson", [event(i) for i in range(300)])
    command = [
        str(Path(sys.executable).with_name("ldmetrics")),
        "events",
        "import",
        "--project",
        "web",
        "--environment",
        "production",
        "--no-metrics-check",
        "--batch-size",
        "100",
        str(path),
    ]
    env = {
        **os.environ,
        "LAUNCHDARKLY_ACCESS_TOKEN": TOKEN,
        "LAUNCHDARKLY_API_HOST": api,
        "LAUNCHDARKLY_EVENTS_HOST": events,
    }

    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)

    assert done.returncode == 0, done.stderr
    assert "Sent 300 of 300 event(s)" in done.stdout
    assert TOKEN[4:] not in done.stdout + done.stderr
    detail = httpx.get(
        f"{events}/_emulator/events/web/production", headers={"Authorization": TOKEN}
    ).json()
    assert (detail["accepted"], detail["payloads"]) == (300, 3)
    assert json.loads(json.dumps(detail["events"][0]))["contextKeys"] == {"user": "user-0"}
