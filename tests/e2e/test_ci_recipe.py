"""The pull-request recipe (examples/ci): the script it runs previews a project against the
emulator with the real CLI, writes the diff, fails on an invalid metric, and leaves nothing
behind (issue 11, item 13)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import StackFactory
from .ldm import copy_example

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "ci" / "preview-diff.sh"


def run_recipe(project: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), str(project), str(out)],
        env={**env, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_recipe_writes_the_diff_and_fails_on_an_invalid_metric(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    project = copy_example("quickstart", tmp_path / "proj")
    env = pulumi_stack(project).env  # the CLI on PATH, an isolated PULUMI_HOME
    before = sorted(p.name for p in project.iterdir())

    ok = run_recipe(project, tmp_path / "preview.txt", env)
    diff = (tmp_path / "preview.txt").read_text()
    assert ok.returncode == 0, ok.stderr + diff
    creates = re.findall(r"^\s*\+ pulumi-python:dynamic/ldmetrics:Metric", diff, re.MULTILINE)
    assert len(creates) >= 3 and "event_key" in diff  # property by property
    assert sorted(p.name for p in project.iterdir() if p.name != "__pycache__") == [
        n for n in before if n != "__pycache__"
    ]

    program = project / "__main__.py"
    program.write_text(program.read_text().replace('kind="custom"', 'kind="kustom"', 1))
    bad = run_recipe(project, tmp_path / "bad.txt", env)
    report = (tmp_path / "bad.txt").read_text()
    assert bad.returncode != 0
    assert "signup-completed" in report and "kind" in report and "'custom'" in report
    assert not any(p.name.startswith("Pulumi.ldmetrics-ci-preview") for p in project.iterdir())


def test_the_workflow_runs_the_tested_script() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "ldmetrics-preview.yml").read_text())
    steps = workflow["jobs"]["preview"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    assert "examples/ci/preview-diff.sh" in commands
    assert os.access(SCRIPT, os.X_OK)
