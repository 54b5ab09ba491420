"""Where `ldmetrics import` reads its settings (importer/sources.py): flags, then the current
stack's config, then the environment; and the messages name what was read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_ldmetrics.emulator import EmulatorServer
from pulumi_ldmetrics.errors import ConfigurationError
from pulumi_ldmetrics.importer.sources import resolve
from pulumi_ldmetrics.importer.stack_config import StackConfig, find_project

from .conftest import PROJECT, run_cli

STACK = StackConfig(
    "dev",
    {"ldmetrics:apiHost": "http://127.0.0.1:1111", "ldmetrics:accessToken": "api-from-stack"},
)
ENV = {
    "LAUNCHDARKLY_ACCESS_TOKEN": "api-from-env",
    "LAUNCHDARKLY_API_HOST": "http://127.0.0.1:2222",
}


def _resolve(**changes: Any) -> Any:
    options: dict[str, Any] = {
        "api_host": None,
        "max_retries": None,
        "token_env": None,
        "stack": STACK,
        "environ": ENV,
    }
    options.update(changes)
    return resolve(**options)


@pytest.mark.parametrize(
    ("changes", "host", "host_source", "token", "token_source"),
    [
        (
            {},
            "http://127.0.0.1:1111",
            "stack dev's ldmetrics:apiHost",
            "api-from-stack",
            "stack dev's ldmetrics:accessToken",
        ),
        (
            {"api_host": "http://127.0.0.1:3333", "token_env": "MY_TOKEN"},
            "http://127.0.0.1:3333",
            "--api-host",
            "api-from-flag-env",
            "the environment variable MY_TOKEN",
        ),
        (
            {"stack": None},
            "http://127.0.0.1:2222",
            "the environment variable LAUNCHDARKLY_API_HOST",
            "api-from-env",
            "the environment variable LAUNCHDARKLY_ACCESS_TOKEN",
        ),
        (
            {"stack": StackConfig("dev", {})},
            "http://127.0.0.1:2222",
            "the environment variable LAUNCHDARKLY_API_HOST",
            "api-from-env",
            "the environment variable LAUNCHDARKLY_ACCESS_TOKEN",
        ),
        (
            {"stack": None, "environ": {"LAUNCHDARKLY_ACCESS_TOKEN": "api-from-env"}},
            "https://app.launchdarkly.com",
            "the default (https://app.launchdarkly.com)",
            "api-from-env",
            "the environment variable LAUNCHDARKLY_ACCESS_TOKEN",
        ),
    ],
    ids=["stack-wins-over-env", "flags-win", "no-stack", "stack-without-values", "defaults"],
)
def test_precedence_and_sources(
    changes: dict[str, Any], host: str, host_source: str, token: str, token_source: str
) -> None:
    environ = {**ENV, "MY_TOKEN": "api-from-flag-env"}
    resolved = _resolve(**{"environ": environ, **changes})
    assert resolved.settings.api_host == host
    assert resolved.host_source == host_source
    assert resolved.settings.access_token.get_secret_value() == token
    assert resolved.token_source == token_source
    assert resolved.host_from_stack is (host_source.startswith("stack"))


def test_missing_token_names_every_place_looked_at() -> None:
    with pytest.raises(ConfigurationError) as err:
        _resolve(stack=StackConfig("dev", {}), environ={})
    assert str(err.value).endswith(
        "set stack dev's ldmetrics:accessToken or the environment variable "
        "LAUNCHDARKLY_ACCESS_TOKEN"
    )


def test_retries_from_the_stack_unless_flagged() -> None:
    stack = StackConfig("dev", {**STACK.values, "ldmetrics:maxRetries": "3"})
    assert _resolve(stack=stack).settings.max_retries == 3
    assert _resolve(stack=stack, max_retries=5).settings.max_retries == 5


def test_project_is_found_upwards(tmp_path: Any) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: x\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_project(nested) == tmp_path


def test_a_project_whose_config_cannot_be_read_falls_back_with_a_warning(
    seeded: EmulatorServer, tmp_path: Path
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    argv = ["import", "--project", PROJECT, "--api-host", seeded.url, "--out"]
    result = run_cli([*argv, str(tmp_path / "m.py")], env={"PATH": "/nonexistent"}, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stderr == (
        "ldmetrics import: warning: not using the stack's config: the pulumi CLI is not on PATH\n"
    )
