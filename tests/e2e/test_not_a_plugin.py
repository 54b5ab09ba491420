"""pulumi-ldmetrics is not a resource plugin: a preview with automatic plugin acquisition left on
(the default users have) makes no download attempt for it.

Pulumi's Python language host treats every installed ``pulumi-*`` distribution as a resource
plugin to fetch unless its package ships ``pulumi-plugin.json`` with ``"resource": false``
(pulumi_ldmetrics/pulumi-plugin.json). The engine logs each attempt at ``-v=1`` and up. A fake
``pulumi-markerless`` distribution without the marker is the control: the same preview must try
to download it, which shows the check can see an attempt. Downloads go to a proxy on a closed
loopback port, so nothing leaves the machine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import StackFactory
from .ldm import emulator_server, init_stack, write_metrics_project

pytestmark = pytest.mark.e2e

METRIC = {
    "project_key": "e2e",
    "key": "signup",
    "name": "Signup",
    "kind": "custom",
    "event_key": "e",
}
BLOCKED_PROXY = "http://127.0.0.1:9"  # discard port: nothing listens there
# e.g. "markerless trying direct download from https://…/pulumi-resource-markerless-v1.2.3-….tar.gz"
DOWNLOAD = re.compile(r"(\S+) trying direct download from \S+/pulumi-resource-\1-v")
REQUIRED = re.compile(r"package (\S+?)-\d[^ ]* \(\S*\) is required by language host")


def _fake_distribution(site: Path, name: str, version: str) -> None:
    """An installed distribution (metadata + package) without pulumi-plugin.json."""
    module = name.replace("-", "_")
    (site / module).mkdir(parents=True)
    (site / module / "__init__.py").write_text("")
    info = site / f"{module}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def test_preview_downloads_no_plugin_for_pulumi_ldmetrics(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    _fake_distribution(site, "pulumi-markerless", "1.2.3")
    with emulator_server() as server:
        stack = pulumi_stack(
            write_metrics_project(tmp_path / "proj", [METRIC]),
            env={
                # Seen by the interpreter the language host asks for the installed packages.
                "PYTHONPATH": str(site),
                "HTTPS_PROXY": BLOCKED_PROXY,
                "HTTP_PROXY": BLOCKED_PROXY,
                "NO_PROXY": "127.0.0.1,localhost",
            },
        )
        # The harness turns acquisition off for every other test; users have it on.
        del stack.env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"]
        init_stack(stack, server)
        proc = stack.preview("-v=9", "--logtostderr")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-5000:]

    required = set(REQUIRED.findall(proc.stderr))
    attempts = DOWNLOAD.findall(proc.stderr)
    # The control: a pulumi-* package without the marker is required and downloaded.
    assert "markerless" in required and "markerless" in attempts, (required, attempts)
    # Ours: neither required nor downloaded.
    assert "ldmetrics" not in required, required
    assert set(attempts) == {"markerless"}, attempts
