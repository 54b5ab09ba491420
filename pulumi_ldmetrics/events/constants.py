"""Every fixed value of the metric events import API, on one screen (reference:
`launchdarkly-metric-events-import.md`, sections in brackets)."""

from __future__ import annotations

from typing import Final

EVENTS_HOSTS: Final[dict[str, str]] = {
    "commercial": "https://events.launchdarkly.com",
    "eu": "https://events.eu.launchdarkly.com",
    "federal": "https://events.launchdarkly.us",
}
"""The events host of each LaunchDarkly instance [§1]; `--events-host` accepts these names."""

EVENTS_HOST_FOR_API_HOST: Final[dict[str, str]] = {
    "https://app.launchdarkly.com": EVENTS_HOSTS["commercial"],
    "https://app.eu.launchdarkly.com": EVENTS_HOSTS["eu"],
    "https://app.launchdarkly.us": EVENTS_HOSTS["federal"],
}
"""When no events host is set, the one of the instance the API host belongs to."""

CONFIG_EVENTS_HOST: Final = "ldmetrics:eventsHost"
ENV_EVENTS_HOST: Final = "LAUNCHDARKLY_EVENTS_HOST"

IMPORT_PATH: Final = "/v2/event-data-import/{project}/{environment}"
"""The server-side route [§1]; project and environment are path segments."""

EVENT_SCHEMA: Final = "4"
"""`X-LaunchDarkly-Event-Schema`: 4 is the contexts format; anything else is a 406 [§2]."""

USER_AGENT_PRODUCT: Final = "MetricImport-Pulumi-int"
"""The events host's own partner form `MetricImport-<company>-int/<version>` [§2]."""

MAX_BODY_BYTES: Final = 9_000_000
"""LaunchDarkly documents "at most 10 MB" per request without saying whether that is 10^7
bytes or 10 MiB, nor what an oversize body gets [§5, §11.1]: stay 10 % under the smaller."""

DEFAULT_BATCH_EVENTS: Final = 10_000
"""No maximum is documented [§5]; batches of 10,000 are what Tealium's connector sends."""

DEFAULT_MAX_AGE_DAYS: Final = 90.0
"""Oldest `creationDate` accepted by default. No window is documented [§11.3], but events only
count inside a running experiment iteration, and the event explorer looks back 90 days."""

FUTURE_TOLERANCE_MS: Final = 5 * 60 * 1000
"""How far in the future a `creationDate` may be: clock skew, not events yet to happen."""

SECONDS_NOT_MS_BELOW: Final = 100_000_000_000
"""A `creationDate` under this (1973 in ms, 5138 AD in s) is almost surely in seconds."""
