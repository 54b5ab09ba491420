"""The CLI (as a real subprocess) and the package's public surface."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

import pulumi_ldmetrics.emulator as emulator_pkg
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.emulator.__main__ import main

from .helpers import CUSTOM, METRICS, assert_error, create, new_client


def test_cli_serves_until_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_ldmetrics.emulator", "--port", "0", "--token", "t"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        prefix = "LaunchDarkly emulator listening on http://127.0.0.1:"
        assert line.startswith(prefix), line
        url = line.removeprefix("LaunchDarkly emulator listening on ")
        with new_client(url) as http:
            assert_error(http.get(METRICS), 401, "unauthorized")
        with new_client(url, "t") as http:
            create(http, CUSTOM)
            assert http.get(METRICS).json()["totalCount"] == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == ""  # exactly one line on stdout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_cli_without_a_token_prints_a_random_control_token() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_ldmetrics.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("LDMETRICS_EMULATOR")},
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        prefix = "ldmetrics-emulator: control token "
        notice = proc.stderr.readline().strip()
        assert notice.startswith(prefix), notice
        control_token = notice.removeprefix(prefix)
        url = proc.stdout.readline().strip().removeprefix("LaunchDarkly emulator listening on ")
        with new_client(url) as http:
            assert_error(http.get("/_emulator/log"), 401, "unauthorized")
            log = http.get("/_emulator/log", headers={"Authorization": control_token})
            assert log.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_cli_rejects_bad_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "0", "--error-rate", "3"]) == 2
    assert "error_rate" in capsys.readouterr().err


def test_server_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError):
        EmulatorServer(Emulator(), host="0.0.0.0")


def test_server_url_and_port() -> None:
    with EmulatorServer() as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert isinstance(server.emulator, Emulator)


def test_public_api_is_sorted_and_complete() -> None:
    assert emulator_pkg.__all__ == sorted(emulator_pkg.__all__)
    for name in emulator_pkg.__all__:
        assert getattr(emulator_pkg, name) is not None
