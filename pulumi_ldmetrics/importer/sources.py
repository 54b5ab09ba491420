"""Where `ldmetrics import` takes its host, token and retries from, and how it names them.

First match wins, per setting:

1. a flag (`--api-host`, `--max-retries`; for the token, an explicit `--token-env NAME`);
2. the current stack's config (`ldmetrics:apiHost`, `ldmetrics:accessToken`,
   `ldmetrics:maxRetries`) when run in a Pulumi project: what the provider will use;
3. the environment (`LAUNCHDARKLY_API_HOST`, `LAUNCHDARKLY_ACCESS_TOKEN`,
   `LAUNCHDARKLY_MAX_RETRIES`), as for the provider.

Every message that asks the user to check a setting names the one that was actually read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pulumi_ldmetrics._constants import (
    CONFIG_ACCESS_TOKEN,
    CONFIG_API_HOST,
    CONFIG_MAX_RETRIES,
    DEFAULT_API_HOST,
    ENV_ACCESS_TOKEN,
    ENV_API_HOST,
)
from pulumi_ldmetrics.errors import ConfigurationError
from pulumi_ldmetrics.importer.stack_config import StackConfig
from pulumi_ldmetrics.settings import ClientSettings

__all__ = ["Resolved", "resolve"]


@dataclass(frozen=True)
class Resolved:
    """The settings, and where the host and the token came from (for messages)."""

    settings: ClientSettings
    token_source: str
    """E.g. `the environment variable LAUNCHDARKLY_ACCESS_TOKEN`, `stack dev's
    ldmetrics:accessToken`."""
    host_source: str
    host_from_stack: bool
    """The stack already points the provider at this host: no `config set` step needed."""


def resolve(
    *,
    api_host: str | None,
    max_retries: int | None,
    token_env: str | None,
    stack: StackConfig | None,
    environ: Mapping[str, str],
) -> Resolved:
    """Resolve the settings (module docstring); raise `ConfigurationError` naming what was
    looked at when there is no token."""
    config = dict(stack.values) if stack is not None else {}
    stack_label = f"stack {stack.stack}'s" if stack is not None else ""

    candidates: list[tuple[str, str | None]] = []
    if token_env is not None:
        candidates.append((f"the environment variable {token_env}", environ.get(token_env)))
    else:
        if stack is not None:
            candidates.append(
                (f"{stack_label} {CONFIG_ACCESS_TOKEN}", config.get(CONFIG_ACCESS_TOKEN))
            )
        candidates.append(
            (f"the environment variable {ENV_ACCESS_TOKEN}", environ.get(ENV_ACCESS_TOKEN))
        )
    found = next(((label, v) for label, v in candidates if v is not None and v.strip()), None)
    if found is None:
        looked = " or ".join(label for label, _ in candidates)
        raise ConfigurationError(f"no LaunchDarkly access token: set {looked}")
    token_source, token = found

    host_from_stack = api_host is None and bool(config.get(CONFIG_API_HOST, "").strip())
    if api_host is not None:
        host_source = "--api-host"
    elif host_from_stack:
        host_source = f"{stack_label} {CONFIG_API_HOST}"
    elif environ.get(ENV_API_HOST, "").strip():
        host_source = f"the environment variable {ENV_API_HOST}"
    else:
        host_source = f"the default ({DEFAULT_API_HOST})"

    # Flags and the stack go in as "config", so they win over the environment, as they should.
    merged = {CONFIG_ACCESS_TOKEN: token}
    host = api_host if api_host is not None else config.get(CONFIG_API_HOST)
    if host:
        merged[CONFIG_API_HOST] = host
    retries = str(max_retries) if max_retries is not None else config.get(CONFIG_MAX_RETRIES)
    if retries:
        merged[CONFIG_MAX_RETRIES] = retries
    settings = ClientSettings.resolve(merged, environ)
    return Resolved(settings, token_source, host_source, host_from_stack)
