"""Client settings: the access token, the API host, timeout, retries, concurrency.

Settings are resolved in this order, first non-empty value wins, per setting:

1. Pulumi stack config: ``ldmetrics:accessToken`` (set it with ``--secret``),
   ``ldmetrics:apiHost``, ``ldmetrics:timeoutSeconds``, ``ldmetrics:maxRetries``;
   ``ldmetrics:operationTimeoutSeconds``;
2. environment: ``LAUNCHDARKLY_ACCESS_TOKEN``, ``LAUNCHDARKLY_API_HOST``,
   ``LAUNCHDARKLY_TIMEOUT_SECONDS``, ``LAUNCHDARKLY_MAX_RETRIES`` (the Terraform provider's names),
   ``LAUNCHDARKLY_OPERATION_TIMEOUT_SECONDS``;
3. the defaults in ``_constants.py``. There is no default token: its absence is a
   ``ConfigurationError``.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from pulumi_ldmetrics import _redact
from pulumi_ldmetrics._constants import (
    CONFIG_ACCESS_TOKEN,
    CONFIG_API_HOST,
    CONFIG_MAX_RETRIES,
    CONFIG_OPERATION_TIMEOUT,
    CONFIG_TIMEOUT,
    DEFAULT_API_HOST,
    DEFAULT_MAX_RETRIES,
    DEFAULT_OPERATION_TIMEOUT_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    ENV_ACCESS_TOKEN,
    ENV_API_HOST,
    ENV_MAX_RETRIES,
    ENV_OPERATION_TIMEOUT,
    ENV_TIMEOUT,
    MAX_RESPONSE_BYTES,
)
from pulumi_ldmetrics.errors import ConfigurationError

__all__ = ["ClientSettings"]

_T = TypeVar("_T")

MISSING_TOKEN_MESSAGE = (
    "no LaunchDarkly access token: run "
    f"`pulumi config set --secret {CONFIG_ACCESS_TOKEN} <token>` "
    f"or set the {ENV_ACCESS_TOKEN} environment variable"
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ClientSettings(BaseModel):
    """Everything ``LDMetricsClient`` needs to reach LaunchDarkly. Immutable.

    Build it with ``resolve(config)`` in the provider, ``from_env()`` in scripts, or directly.
    ``repr()`` and ``str()`` show the token as ``**********``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    access_token: SecretStr
    """Personal or service access token, sent raw as ``Authorization``; needs a writer role."""

    api_host: str = DEFAULT_API_HOST
    """Scheme and host, no path: ``https://app.eu.launchdarkly.com`` (EU),
    ``https://app.launchdarkly.us`` (federal), or ``http://127.0.0.1:<port>`` (emulator)."""

    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0)
    """Total time of one HTTP attempt: connect, TLS, sending, and the whole response body."""

    operation_timeout_seconds: float = Field(default=DEFAULT_OPERATION_TIMEOUT_SECONDS, gt=0)
    """Total time of one operation (create, read, update, delete, a listing), retries and
    rate-limit waits included. No retry starts that could not finish inside it."""

    max_response_bytes: int = Field(default=MAX_RESPONSE_BYTES, ge=1024)
    """A response body larger than this is refused, not read into memory."""

    max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0)
    """Retries after the first attempt for 429, 5xx and connection errors."""

    max_concurrency: int | None = Field(default=None, ge=1)
    """Cap on in-flight requests across threads; None leaves it to the caller."""

    @field_validator("access_token")
    @classmethod
    def _valid_token(cls, value: SecretStr) -> SecretStr:
        # Registered before any check, so even a rejected token never reaches a message.
        _redact.register(value.get_secret_value())
        # A token pasted with a trailing newline would otherwise be an invalid header.
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError(MISSING_TOKEN_MESSAGE)
        _redact.register(token)
        # An HTTP header carries visible ASCII only; httpx would raise with the whole value in
        # its message. Say where the problem is, never what the value is.
        for position, char in enumerate(token, start=1):
            if not 0x21 <= ord(char) <= 0x7E:
                what = "a non-ASCII" if ord(char) > 0x7E else "a space or control"
                raise ValueError(
                    f"the access token has {what} character at position {position}; "
                    "LaunchDarkly tokens are printable ASCII (paste it again)"
                )
        return SecretStr(token)

    @field_validator("api_host")
    @classmethod
    def _valid_host(cls, value: str) -> str:
        # Messages never quote the value: a mistyped host can carry credentials.
        url = value.strip().rstrip("/")
        if any(not 0x21 <= ord(c) <= 0x7E for c in url):
            raise ValueError("API host must be printable ASCII with no spaces")
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            _redact.register(parts.netloc.rpartition("@")[0])
            raise ValueError(
                "API host must not contain a user name or password; the access token is "
                "the only credential"
            )
        try:
            hostname, _port = parts.hostname, parts.port
        except ValueError:
            raise ValueError("API host has an invalid port") from None
        if parts.scheme not in ("http", "https") or not hostname:
            raise ValueError(f"API host must be an http(s) URL such as {DEFAULT_API_HOST}")
        if parts.path or parts.query or parts.fragment:
            # The client appends /api/v2/...; a path here would silently double it.
            raise ValueError("API host must have no path, query or fragment")
        if parts.scheme == "http" and not _is_loopback(hostname):
            # Plain http would send the access token in clear; only the local emulator needs it.
            raise ValueError("API host must use https (http only for loopback addresses)")
        return url

    @field_validator("timeout_seconds", "operation_timeout_seconds")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("timeout must be a finite number of seconds")
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClientSettings:
        """Settings from ``LAUNCHDARKLY_*`` environment variables (``os.environ`` by default)."""
        return cls.resolve({}, environ)

    @classmethod
    def resolve(
        cls, config: Mapping[str, str], environ: Mapping[str, str] | None = None
    ) -> ClientSettings:
        """Settings from stack config (fully qualified keys), falling back to the environment.

        Raises ``ConfigurationError`` naming the offending key for a missing token or a bad value.
        """
        env = os.environ if environ is None else environ

        def pick(config_key: str, env_key: str) -> tuple[str, str] | None:
            """(key it came from, value) for the first non-empty source."""
            for key, source in ((config_key, config), (env_key, env)):
                value = source.get(key, "")
                if value.strip():
                    return key, value.strip()
            return None

        token = pick(CONFIG_ACCESS_TOKEN, ENV_ACCESS_TOKEN)
        if token is not None:
            _redact.register(token[1])
        if token is None:
            raise ConfigurationError(MISSING_TOKEN_MESSAGE)
        fields: dict[str, object] = {"access_token": SecretStr(token[1])}
        host = pick(CONFIG_API_HOST, ENV_API_HOST)
        if host is not None:
            fields["api_host"] = host[1]
        timeout = pick(CONFIG_TIMEOUT, ENV_TIMEOUT)
        if timeout is not None:
            fields["timeout_seconds"] = _number(timeout, float, "a positive number of seconds")
        operation_timeout = pick(CONFIG_OPERATION_TIMEOUT, ENV_OPERATION_TIMEOUT)
        if operation_timeout is not None:
            fields["operation_timeout_seconds"] = _number(
                operation_timeout, float, "a positive number of seconds"
            )
        retries = pick(CONFIG_MAX_RETRIES, ENV_MAX_RETRIES)
        if retries is not None:
            fields["max_retries"] = _number(retries, int, "a non-negative whole number")
        try:
            return cls.model_validate(fields)
        except ValidationError as err:
            sources = {
                "access_token": token,
                "api_host": host,
                "timeout_seconds": timeout,
                "operation_timeout_seconds": operation_timeout,
                "max_retries": retries,
            }
            first = err.errors()[0]
            origin = sources.get(str(first["loc"][0]) if first["loc"] else "")
            where = origin[0] if origin else "settings"
            reason = str(first["msg"]).removeprefix("Value error, ")
        # Raised outside the except block: pydantic's error quotes the input, and a chained
        # context is printed by newer Pulumi SDKs.
        raise ConfigurationError(_redact.scrub(f"{where}: {reason}"))


def _number(source: tuple[str, str], parse: Callable[[str], _T], expected: str) -> _T:
    key, raw = source
    try:
        return parse(raw)
    except ValueError:
        pass
    # Raised outside the except block: no exception context to print.
    raise ConfigurationError(f"{key} must be {expected}, got {_redact.scrub(repr(raw))}")
