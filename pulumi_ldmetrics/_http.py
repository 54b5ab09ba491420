"""What both API clients are built on: settings, test seams and one pooled `httpx.Client`.

`LDMetricsClient` (LaunchDarkly's REST API, `client.py`) and `EventsClient` (the events host,
`events/client.py`) derive from `HTTPClientBase`. Every request of either carries the raw token
in `Authorization` and the client's partner-form `User-Agent`, plus the client's own headers;
each attempt is cut off at `settings.timeout_seconds` as a whole (`_deadline` under httpx's
transports), and `settings.max_concurrency` caps the attempts in flight across threads. The
retry loops stay in the clients: what a failed attempt means differs between the two APIs.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Any, ClassVar, TypeVar

import httpx

from pulumi_ldmetrics import _deadline
from pulumi_ldmetrics.settings import ClientSettings

__all__ = ["HTTPClientBase", "open_http_client"]

_C = TypeVar("_C", bound="HTTPClientBase")


def open_http_client(
    settings: ClientSettings,
    *,
    user_agent: str,
    headers: Mapping[str, str],
    transport: httpx.BaseTransport | None,
) -> httpx.Client:
    """An `httpx.Client` to `settings.api_host` that sends the token, `headers` and `user_agent`.

    Without a `transport` (tests pass one), httpx builds its own transports: the default one and
    one per proxy from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, with NO_PROXY's
    exceptions, as httpx reads them), and each socket operation of every one of them is cut to
    what is left of the attempt's deadline (`_deadline.deadline`).
    """
    httpx_builds_transports = transport is None
    client = httpx.Client(
        base_url=settings.api_host,
        transport=transport,
        timeout=settings.timeout_seconds,
        headers={
            # Raw token, no "Bearer": LaunchDarkly's ApiKey scheme is the bare header value.
            "Authorization": settings.access_token.get_secret_value(),
            **headers,
            "User-Agent": user_agent,
        },
    )
    if httpx_builds_transports:
        # httpx honours HTTP(S)_PROXY only when it builds the transports itself, and keeps them
        # in `_transport` and `_mounts`; tests fail if that changes.
        transports = [getattr(client, "_transport", None)]
        transports += list(getattr(client, "_mounts", {}).values())
        for own in transports:
            if own is not None:
                _deadline.install(own)
    return client


class HTTPClientBase:
    """Settings, test seams and one `httpx.Client`, closed by `close()` or leaving `with`.

    A subclass names its `User-Agent` and its own headers in `_USER_AGENT` and `_HEADERS`.
    `transport`, `sleep`, `clock`, `monotonic` and `rng` are test seams (`httpx.MockTransport`,
    `sleep=delays.append`, frozen clocks, a seeded `Random`). The instance is safe to share
    between threads; `_slots` (entered around each attempt) caps them at
    `settings.max_concurrency`.
    """

    _USER_AGENT: ClassVar[str]
    """LaunchDarkly's partner form `{launchdarkly product}-{source product}-int/{version}`."""
    _HEADERS: ClassVar[Mapping[str, str]]
    """Sent with every request, besides `Authorization` and `User-Agent`."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._monotonic = monotonic
        self._rng = rng if rng is not None else random.Random()
        self._slots: AbstractContextManager[Any] = (
            threading.BoundedSemaphore(settings.max_concurrency)
            if settings.max_concurrency
            else nullcontext()
        )
        self._http = open_http_client(
            settings,
            user_agent=self._USER_AGENT,
            headers=self._HEADERS,
            transport=transport,
        )

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections. The client cannot be used afterwards."""
        self._http.close()
