"""Where the events host comes from, with the provider's settings for everything else.

The token, timeouts and retries are the provider's (`ClientSettings.resolve`: stack config,
then the environment); only the host differs, since events go to `events.` rather than `app.`.
The events host is resolved in this order, first non-empty wins:

1. an explicit value (the CLI's `--events-host`), passed in as config;
2. stack config `ldmetrics:eventsHost`;
3. the environment, `LAUNCHDARKLY_EVENTS_HOST`;
4. the events host of the instance the API host belongs to (EU API host, EU events host);
5. the commercial events host.

A value may be an instance name (`commercial`, `eu`, `federal`) or a URL, checked with the API
host's rules (https, or http on loopback; no path, no user name) so the token is never sent in
clear or to a mistyped place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import ValidationError

from pulumi_ldmetrics import _redact
from pulumi_ldmetrics.errors import ConfigurationError
from pulumi_ldmetrics.events.constants import (
    CONFIG_EVENTS_HOST,
    ENV_EVENTS_HOST,
    EVENTS_HOST_FOR_API_HOST,
    EVENTS_HOSTS,
)
from pulumi_ldmetrics.settings import ClientSettings


def resolve_events_settings(
    config: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> tuple[ClientSettings, ClientSettings]:
    """(settings for the metrics API, the same settings aimed at the events host).

    Raises `ConfigurationError` naming the setting (never quoting a secret) when a value is bad.
    """
    env = os.environ if environ is None else environ
    api = ClientSettings.resolve(config, env)
    source, value = CONFIG_EVENTS_HOST, ""
    for key, where in ((CONFIG_EVENTS_HOST, config), (ENV_EVENTS_HOST, env)):
        if where.get(key, "").strip():
            source, value = key, where[key].strip()
            break
    if not value:
        value = EVENTS_HOST_FOR_API_HOST.get(api.api_host, EVENTS_HOSTS["commercial"])
        source = f"the events host inferred from {api.api_host}"
    url = EVENTS_HOSTS.get(value.lower(), value)
    try:
        events = ClientSettings(
            access_token=api.access_token,
            api_host=url,
            timeout_seconds=api.timeout_seconds,
            operation_timeout_seconds=api.operation_timeout_seconds,
            max_retries=api.max_retries,
            max_response_bytes=api.max_response_bytes,
        )
    except ValidationError as err:
        reason = str(err.errors()[0]["msg"]).removeprefix("Value error, ")
        reason = reason.replace("API host", "events host")
    else:
        return api, events
    # Outside the except block: pydantic's error quotes the input.
    names = ", ".join(EVENTS_HOSTS)
    raise ConfigurationError(_redact.scrub(f"{source}: {reason} (or one of {names})"))
