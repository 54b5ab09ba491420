"""Drive the real ``pulumi`` CLI against a throw-away local file backend.

Everything a run needs is isolated under one temporary directory: the state backend
(``PULUMI_BACKEND_URL=file://...``), ``PULUMI_HOME`` (plugins, workspace settings) and the
passphrase secrets manager. Inherited ``PULUMI_*`` variables are dropped so a developer's own
login, backend or access token never leaks into a test. The program and the dynamic-provider
plugin both run on the interpreter of the test process (``sys.executable``'s venv).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_BIN = REPO_ROOT / ".tools" / "pulumi" / "bin"
PASSPHRASE = "correct horse battery staple"
DEFAULT_TIMEOUT = 300.0


def find_pulumi_cli() -> Path | None:
    """``.tools/pulumi/bin/pulumi`` (from scripts/install-pulumi.sh) first, then ``PATH``."""
    local = LOCAL_BIN / "pulumi"
    if local.is_file() and os.access(local, os.X_OK):
        return local
    found = shutil.which("pulumi")
    return Path(found) if found else None


def find_language_host(cli: Path) -> Path | None:
    """The engine looks next to the (symlink-resolved) CLI first, then on ``PATH``."""
    beside = cli.resolve().parent / "pulumi-language-python"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("pulumi-language-python")
    return Path(found) if found else None


def venv_dir() -> Path | None:
    """The virtualenv of the running interpreter, or None outside a venv."""
    return Path(sys.prefix) if sys.prefix != sys.base_prefix else None


def pulumi_env(cli: Path, tmp: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A hermetic environment for the CLI, with state and PULUMI_HOME under ``tmp``."""
    state, home = tmp / "state", tmp / "pulumi-home"
    state.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    path = [str(cli.resolve().parent), str(Path(sys.executable).parent), env.get("PATH", "")]
    env.update(
        PATH=os.pathsep.join(path),
        PULUMI_BACKEND_URL=state.as_uri(),
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        PULUMI_HOME=str(home),
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        PULUMI_DISABLE_REGISTRY_RESOLVE="true",
        PULUMI_SKIP_CONFIRMATIONS="true",
        # Used by the language host and pulumi-resource-pulumi-python when Pulumi.yaml names no
        # virtualenv (tests run outside a venv); harmless otherwise.
        PULUMI_PYTHON_CMD=sys.executable,
        PYTHONUNBUFFERED="1",
        NO_COLOR="1",
    )
    env.pop("VIRTUAL_ENV", None)
    env.update(extra or {})
    return env


def write_project(
    workdir: Path,
    name: str,
    program: str,
    modules: Mapping[str, str] | None = None,
    description: str = "e2e test program",
) -> Path:
    """Write ``Pulumi.yaml`` + ``__main__.py`` (+ importable modules beside it) into ``workdir``.

    The runtime names the test interpreter's venv, so both the program (via the language host)
    and the dynamic-provider plugin (via ``PULUMI_RUNTIME_VIRTUALENV``) use it.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    venv = venv_dir()
    runtime: dict[str, Any] = {"name": "python"}
    if venv is not None:
        runtime["options"] = {"virtualenv": str(venv)}
    project = {"name": name, "description": description, "runtime": runtime}
    # JSON is valid YAML; no YAML dependency needed here.
    (workdir / "Pulumi.yaml").write_text(json.dumps(project, indent=2) + "\n")
    (workdir / "__main__.py").write_text(program)
    for filename, text in (modules or {}).items():
        (workdir / filename).write_text(text)
    return workdir


class PulumiCommandError(AssertionError):
    """A pulumi command exited non-zero; the message carries its full output."""

    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        args = proc.args if isinstance(proc.args, list) else [str(proc.args)]
        super().__init__(
            f"`{' '.join(map(str, args))}` exited with {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )
        self.proc = proc


class PulumiStack:
    """One stack of one project directory, driven through the CLI.

    ``env`` should come from :func:`pulumi_env`; ``cli`` defaults to :func:`find_pulumi_cli`.
    """

    def __init__(
        self,
        workdir: Path,
        stack: str,
        env: Mapping[str, str],
        cli: Path | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        resolved = cli or find_pulumi_cli()
        if resolved is None:
            raise FileNotFoundError("pulumi CLI not found; run scripts/install-pulumi.sh")
        self.workdir = Path(workdir)
        self.stack = stack
        self.env = dict(env)
        self.cli = resolved
        self.timeout = timeout

    def run(
        self,
        *args: str,
        check: bool = True,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``pulumi <args> --non-interactive --color never`` in the project directory
        (``env``: variables set for this command only)."""
        cmd = [str(self.cli), *args, "--non-interactive", "--color", "never"]
        proc = subprocess.run(
            cmd,
            cwd=self.workdir,
            env={**self.env, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            raise PulumiCommandError(proc)
        return proc

    def run_printed(
        self, command: PrintedCommand, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run a command `ldmetrics import` printed, its variable assignments included, on this
        stack (the user's shell has it selected)."""
        return self.run(*command.argv[1:], "--stack", self.stack, check=check, env=command.env)

    def _stack_run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(*args, "--stack", self.stack, check=check)

    # ----- lifecycle -------------------------------------------------------------------------

    def stack_init(self) -> subprocess.CompletedProcess[str]:
        return self.run("stack", "init", self.stack)

    def config_set(
        self, key: str, value: str, secret: bool = False
    ) -> subprocess.CompletedProcess[str]:
        # The value travels on stdin, so a secret never shows up in a process listing.
        flag = "--secret" if secret else "--plaintext"
        return self.run("config", "set", key, flag, "--stack", self.stack, input=value)

    def preview(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._stack_run("preview", *args, check=check)

    def up(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._stack_run("up", "--yes", *args, check=check)

    def refresh(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._stack_run("refresh", "--yes", *args, check=check)

    def destroy(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._stack_run("destroy", "--yes", *args, check=check)

    def stack_export(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self._stack_run("stack", "export").stdout)
        return data

    def outputs(self, show_secrets: bool = False) -> dict[str, Any]:
        extra = ("--show-secrets",) if show_secrets else ()
        data: dict[str, Any] = json.loads(
            self._stack_run("stack", "output", "--json", *extra).stdout
        )
        return data

    def resources(self) -> list[dict[str, Any]]:
        """The resources of the latest checkpoint (``stack export`` → deployment.resources)."""
        res: list[dict[str, Any]] = self.stack_export()["deployment"].get("resources") or []
        return res

    def stack_rm(self) -> subprocess.CompletedProcess[str]:
        return self.run("stack", "rm", self.stack, "--yes", "--force")


# -- the steps `ldmetrics import` prints ----------------------------------------------------------

_ASSIGNMENT = r"[A-Za-z_][A-Za-z0-9_]*="
"""A shell variable assignment's start, `NAME=`."""
_COMMAND = re.compile(rf"^(?:{_ASSIGNMENT}\S*\s+)*pulumi\s")
"""A command line as a POSIX shell reads it: `NAME=value` assignments, then `pulumi …`."""


@dataclass(frozen=True)
class PrintedCommand:
    """One printed `pulumi …` step: the line as printed, and as a POSIX shell splits it."""

    line: str
    env: dict[str, str]
    argv: list[str]


def printed_steps(out: str) -> tuple[list[str], list[PrintedCommand]]:
    """(program lines, commands) of `ldmetrics import`'s next steps: every line is indented 4
    spaces (notes 2), and a command may start with variable assignments."""
    printed = [line[4:] for line in out.splitlines() if line.startswith("    ")]
    commands = [split_command(line) for line in printed if _COMMAND.match(line)]
    return [line for line in printed if not _COMMAND.match(line)], commands


def split_command(line: str) -> PrintedCommand:
    """One printed command line, split as a POSIX shell splits it."""
    words = shlex.split(line)
    env: dict[str, str] = {}
    while words and re.match(_ASSIGNMENT, words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    return PrintedCommand(line, env, words)
