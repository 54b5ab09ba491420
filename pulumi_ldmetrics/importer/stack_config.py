"""The current Pulumi stack's `ldmetrics:*` config, for `ldmetrics import` run in a project.

The provider reads its host and token from the stack's config, so an import run in the same
project directory should list the same LaunchDarkly the stack will talk to. The config is read
with the Pulumi CLI itself (`pulumi config --json --show-secrets`), which knows the backend, the
selected stack and how to decrypt secrets; nothing here parses `Pulumi.<stack>.yaml`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = ["PROJECT_FILES", "StackConfig", "find_project", "read_stack_config"]

PROJECT_FILES: Final = ("Pulumi.yaml", "Pulumi.yml")
PREFIX: Final = "ldmetrics:"
TIMEOUT_S: Final = 60.0
"""`pulumi config` of a local or cloud backend; generous, it runs once."""


@dataclass(frozen=True)
class StackConfig:
    """What the current stack says, or why it could not be read."""

    stack: str | None
    """The stack's name; None when it could not be read."""
    values: Mapping[str, str] = field(default_factory=dict)
    """`ldmetrics:*` keys and their (decrypted) values."""
    problem: str | None = None
    """Why nothing was read (no CLI, no stack selected...), to tell the user."""


def find_project(start: Path) -> Path | None:
    """The nearest directory from `start` upwards holding a Pulumi project file."""
    for directory in (start, *start.parents):
        if any((directory / name).is_file() for name in PROJECT_FILES):
            return directory
    return None


def read_stack_config(project: Path, environ: Mapping[str, str]) -> StackConfig:
    """The `ldmetrics:*` config of the stack selected in `project` (secrets decrypted)."""
    cli = shutil.which("pulumi", path=environ.get("PATH"))
    if cli is None:
        return StackConfig(None, problem="the pulumi CLI is not on PATH")
    stack = _run(cli, project, environ, "stack", "--show-name")
    if stack.returncode != 0:
        return StackConfig(None, problem=f"no current stack ({_first_line(stack.stderr)})")
    name = stack.stdout.strip()
    shown = _run(cli, project, environ, "config", "--json", "--show-secrets", "--stack", name)
    if shown.returncode != 0:
        return StackConfig(name, problem=f"pulumi config failed ({_first_line(shown.stderr)})")
    try:
        document = json.loads(shown.stdout)
    except ValueError:
        return StackConfig(name, problem="pulumi config printed no JSON")
    values = {
        key: str(entry["value"])
        for key, entry in (document.items() if isinstance(document, dict) else [])
        if key.startswith(PREFIX) and isinstance(entry, dict) and entry.get("value") is not None
    }
    return StackConfig(name, values)


def _run(
    cli: str, project: Path, environ: Mapping[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [cli, *args, "--non-interactive"],
            cwd=project,
            env=dict(environ),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return subprocess.CompletedProcess([cli, *args], 1, "", f"{type(err).__name__}: {err}")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    # Never a secret here: it is stderr of a failed command, which prints no config value.
    return (lines[0] if lines else "no message")[:200]
