"""ClientSettings: precedence, validation, and that the token never shows."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from pulumi_ldmetrics._constants import (
    DEFAULT_API_HOST,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_SECONDS,
)
from pulumi_ldmetrics.errors import ConfigurationError
from pulumi_ldmetrics.settings import ClientSettings

from .conftest import TOKEN

EU = "https://app.eu.launchdarkly.com"
FEDERAL = "https://app.launchdarkly.us"


@pytest.mark.parametrize(
    ("config", "environ", "expected"),
    [
        (
            {"ldmetrics:accessToken": "cfg-token"},
            {"LAUNCHDARKLY_ACCESS_TOKEN": "env-token"},
            ("cfg-token", DEFAULT_API_HOST, DEFAULT_TIMEOUT_SECONDS, DEFAULT_MAX_RETRIES),
        ),
        (
            {},
            {"LAUNCHDARKLY_ACCESS_TOKEN": "env-token", "LAUNCHDARKLY_API_HOST": FEDERAL},
            ("env-token", FEDERAL, DEFAULT_TIMEOUT_SECONDS, DEFAULT_MAX_RETRIES),
        ),
        (
            {"ldmetrics:accessToken": "", "ldmetrics:apiHost": EU + "/"},
            {"LAUNCHDARKLY_ACCESS_TOKEN": "env-token", "LAUNCHDARKLY_API_HOST": FEDERAL},
            ("env-token", EU, DEFAULT_TIMEOUT_SECONDS, DEFAULT_MAX_RETRIES),
        ),
        (
            {
                "ldmetrics:accessToken": " cfg-token\n",
                "ldmetrics:timeoutSeconds": "2.5",
                "ldmetrics:maxRetries": "0",
            },
            {"LAUNCHDARKLY_TIMEOUT_SECONDS": "9", "LAUNCHDARKLY_MAX_RETRIES": "4"},
            ("cfg-token", DEFAULT_API_HOST, 2.5, 0),
        ),
        (
            {"ldmetrics:accessToken": "cfg-token"},
            {"LAUNCHDARKLY_TIMEOUT_SECONDS": "9", "LAUNCHDARKLY_MAX_RETRIES": "4"},
            ("cfg-token", DEFAULT_API_HOST, 9.0, 4),
        ),
    ],
    ids=[
        "config token beats env",
        "env fallback",
        "empty config value falls through; host slash stripped",
        "config numbers beat env; token trimmed",
        "env numbers",
    ],
)
def test_resolve_precedence(
    config: dict[str, str],
    environ: dict[str, str],
    expected: tuple[str, str, float, int],
) -> None:
    settings = ClientSettings.resolve(config, environ)
    actual = (
        settings.access_token.get_secret_value(),
        settings.api_host,
        settings.timeout_seconds,
        settings.max_retries,
    )
    assert actual == expected


@pytest.mark.parametrize(
    ("config", "environ"),
    [({}, {}), ({"ldmetrics:accessToken": ""}, {"LAUNCHDARKLY_ACCESS_TOKEN": "  "})],
    ids=["absent", "blank"],
)
def test_missing_token_names_both_ways(config: dict[str, str], environ: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError) as info:
        ClientSettings.resolve(config, environ)
    message = str(info.value)
    assert "\n" not in message
    assert "pulumi config set --secret ldmetrics:accessToken <token>" in message
    assert "LAUNCHDARKLY_ACCESS_TOKEN" in message


def test_from_env_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", "env-token")
    monkeypatch.setenv("LAUNCHDARKLY_API_HOST", EU)
    settings = ClientSettings.from_env()
    assert settings.access_token.get_secret_value() == "env-token"
    assert settings.api_host == EU


def test_from_env_with_explicit_mapping_ignores_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", "from-os")
    with pytest.raises(ConfigurationError):
        ClientSettings.from_env({})


@pytest.mark.parametrize(
    ("config", "environ", "names"),
    [
        ({"ldmetrics:timeoutSeconds": "soon"}, {}, "ldmetrics:timeoutSeconds"),
        ({"ldmetrics:timeoutSeconds": "0"}, {}, "ldmetrics:timeoutSeconds"),
        ({"ldmetrics:timeoutSeconds": "nan"}, {}, "ldmetrics:timeoutSeconds"),
        ({}, {"LAUNCHDARKLY_TIMEOUT_SECONDS": "-1"}, "LAUNCHDARKLY_TIMEOUT_SECONDS"),
        ({"ldmetrics:maxRetries": "2.5"}, {}, "ldmetrics:maxRetries"),
        ({}, {"LAUNCHDARKLY_MAX_RETRIES": "-1"}, "LAUNCHDARKLY_MAX_RETRIES"),
        ({"ldmetrics:apiHost": "ftp://x.example"}, {}, "ldmetrics:apiHost"),
        ({}, {"LAUNCHDARKLY_API_HOST": "http://app.launchdarkly.com"}, "LAUNCHDARKLY_API_HOST"),
    ],
)
def test_bad_values_name_their_key(
    config: dict[str, str], environ: dict[str, str], names: str
) -> None:
    config = {"ldmetrics:accessToken": TOKEN, **config}
    with pytest.raises(ConfigurationError) as info:
        ClientSettings.resolve(config, environ)
    assert names in str(info.value)
    assert "\n" not in str(info.value)
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        (DEFAULT_API_HOST, DEFAULT_API_HOST),
        (EU + "/", EU),
        (FEDERAL, FEDERAL),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:8765/", "http://localhost:8765"),
        ("http://[::1]:8765", "http://[::1]:8765"),
    ],
)
def test_valid_hosts(host: str, expected: str) -> None:
    assert ClientSettings(access_token=SecretStr(TOKEN), api_host=host).api_host == expected


@pytest.mark.parametrize(
    "host",
    [
        "app.launchdarkly.com",
        "ftp://app.launchdarkly.com",
        "http://app.launchdarkly.com",
        "https://app.launchdarkly.com/api/v2",
        "https://app.launchdarkly.com?x=1",
        "https://",
        "",
    ],
)
def test_invalid_hosts(host: str) -> None:
    with pytest.raises(ValidationError):
        ClientSettings(access_token=SecretStr(TOKEN), api_host=host)


def test_token_never_shown() -> None:
    settings = ClientSettings(access_token=SecretStr(TOKEN), max_concurrency=2)
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert TOKEN not in text


def test_settings_are_frozen() -> None:
    settings = ClientSettings(access_token=SecretStr(TOKEN))
    with pytest.raises(ValidationError):
        settings.max_retries = 1  # type: ignore[misc]
