"""Fixtures for end-to-end tests that drive the real Pulumi CLI.

The CLI comes from ``.tools/pulumi/bin`` (``scripts/install-pulumi.sh``) or ``PATH``. Without it
these tests are skipped on a laptop but FAIL when ``CI`` is set: CI must never pass by skipping.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from .pulumi_runner import PulumiStack, find_language_host, find_pulumi_cli, pulumi_env

StackFactory = Callable[..., PulumiStack]


def _missing(msg: str) -> None:
    hint = f"{msg}; run scripts/install-pulumi.sh (installs .tools/pulumi/bin) or install Pulumi"
    if os.environ.get("CI"):
        pytest.fail(f"{hint} (CI is set: a missing CLI fails instead of skipping)")
    pytest.skip(hint)


@pytest.fixture(scope="session")
def pulumi_cli() -> Path:
    """Path of a ``pulumi`` CLI whose Python language host can be found."""
    cli = find_pulumi_cli()
    if cli is None:
        _missing("pulumi CLI not found")
        raise AssertionError("unreachable")
    if find_language_host(cli) is None:
        _missing(f"pulumi-language-python not found next to {cli} or on PATH")
    return cli


@pytest.fixture
def pulumi_stack(pulumi_cli: Path, tmp_path: Path) -> StackFactory:
    """Factory: ``pulumi_stack(workdir, stack="dev", env=None) -> PulumiStack``.

    Each test gets its own backend, PULUMI_HOME and passphrase under ``tmp_path/pulumi``.
    """

    def make(
        workdir: Path, stack: str = "dev", env: Mapping[str, str] | None = None
    ) -> PulumiStack:
        stack_env = pulumi_env(pulumi_cli, tmp_path / "pulumi", env)
        return PulumiStack(workdir, stack, stack_env, pulumi_cli)

    return make
