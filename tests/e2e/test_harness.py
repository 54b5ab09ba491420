"""The e2e harness itself: no CLI needed, so these always run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import _missing
from .pulumi_runner import pulumi_env, write_project


def test_missing_cli_skips_on_a_laptop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _missing("pulumi CLI not found")


def test_missing_cli_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        _missing("pulumi CLI not found")


def test_env_is_hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", "pul-should-not-leak")
    monkeypatch.setenv("PULUMI_BACKEND_URL", "https://api.pulumi.com")
    env = pulumi_env(tmp_path / "bin" / "pulumi", tmp_path, {"EXTRA": "1"})
    assert "PULUMI_ACCESS_TOKEN" not in env
    assert env["PULUMI_BACKEND_URL"] == (tmp_path / "state").as_uri()
    assert env["PULUMI_HOME"] == str(tmp_path / "pulumi-home")
    assert env["PULUMI_CONFIG_PASSPHRASE"]
    assert env["PULUMI_PYTHON_CMD"] == sys.executable
    assert env["EXTRA"] == "1"
    assert env["PATH"].split(":")[0] == str((tmp_path / "bin").resolve())


def test_write_project_uses_the_test_venv(tmp_path: Path) -> None:
    import json

    wd = write_project(tmp_path / "p", "demo", "print('hi')\n", {"mod.py": "X = 1\n"})
    project = json.loads((wd / "Pulumi.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    if sys.prefix != sys.base_prefix:
        assert project["runtime"]["options"]["virtualenv"] == sys.prefix
    assert (wd / "__main__.py").exists() and (wd / "mod.py").exists()
