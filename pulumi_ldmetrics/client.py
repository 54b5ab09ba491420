"""Sync client for LaunchDarkly's metrics API: ``/api/v2/metrics/{projectKey}[/{metricKey}]``.

It speaks wire JSON (camelCase dicts) only; ``pulumi_ldmetrics.models`` converts. This is the
only module that touches ``httpx``: transport failures are wrapped in one place (``_call``),
and every non-2xx response becomes an ``errors.APIStatusError`` subclass through
``errors.make_status_error``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from pulumi_ldmetrics._constants import API_VERSION, LIST_PAGE_LIMIT, USER_AGENT_PRODUCT
from pulumi_ldmetrics._retry import (
    backoff_delay,
    is_optimistic_lock,
    jittered,
    parse_retry_after,
    should_retry,
)
from pulumi_ldmetrics._version import __version__
from pulumi_ldmetrics.errors import (
    CREATING,
    DELETING,
    LISTING,
    READING,
    UPDATING,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ConflictError,
    NotFoundError,
    make_status_error,
    one_line,
    target_label,
)
from pulumi_ldmetrics.settings import ClientSettings

__all__ = ["LDMetricsClient"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Target:
    """What a request is about, for error messages: operation verb, project, metric."""

    operation: str
    project_key: str
    metric_key: str | None = None

    def __str__(self) -> str:
        return target_label(self.operation, self.project_key, self.metric_key)


def _path(project_key: str, metric_key: str | None = None) -> str:
    # Keys are [a-zA-Z0-9][a-zA-Z0-9_.-]* for LaunchDarkly, but quote anyway: never build a path
    # that points somewhere else.
    path = f"/api/v2/metrics/{quote(project_key, safe='')}"
    return path if metric_key is None else f"{path}/{quote(metric_key, safe='')}"


class LDMetricsClient:
    """CRUD and listing of LaunchDarkly metrics, with LaunchDarkly's retry rules built in.

    One instance owns one ``httpx.Client`` and is safe to share between threads (the Pulumi
    dynamic provider host calls it from four workers). ``settings.max_concurrency`` caps
    in-flight requests across them, like the Terraform provider's semaphore.

    Retries (up to ``settings.max_retries``, all waits through ``sleep``): 429 and 5xx, waiting
    as ``Retry-After`` / ``X-Ratelimit-Reset`` ask, else capped exponential backoff with jitter;
    connection errors and timeouts likewise; a PATCH 409 ``optimistic_locking_error`` (the API
    says "Retry your request", and our replace-style patches are idempotent). No other 4xx.

    A retried write can meet the effect of its own lost attempt. If an earlier attempt of the
    same call was ambiguous (read error, timeout after sending, or 5xx: LaunchDarkly may have
    applied it), then a POST answered 409 "already exists" returns the existing metric (GET), and
    a DELETE answered 404 succeeds. Without an ambiguous attempt a 409 raises ``ConflictError``:
    the key really was taken. The remaining risk, another writer creating the same key inside
    that window, is caught by the provider comparing the result with what it asked for.

    ``transport``, ``sleep``, ``clock`` and ``rng`` are test seams (``httpx.MockTransport``,
    ``sleep=delays.append``, a frozen clock, a seeded ``random.Random``).
    """

    def __init__(
        self,
        settings: ClientSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()
        self._slots: AbstractContextManager[Any] = (
            threading.BoundedSemaphore(settings.max_concurrency)
            if settings.max_concurrency
            else nullcontext()
        )
        self._http = httpx.Client(
            base_url=settings.api_host,
            transport=transport,
            timeout=settings.timeout_seconds,
            headers={
                # Raw token, no "Bearer": LaunchDarkly's ApiKey scheme is the bare header value.
                "Authorization": settings.access_token.get_secret_value(),
                # Tokens that predate API versioning would otherwise get 20160426.
                "LD-API-Version": API_VERSION,
                "Accept": "application/json",
                # LaunchDarkly's partner form {launchdarkly product}-{source product}-int/{version}.
                "User-Agent": f"{USER_AGENT_PRODUCT}/{__version__}",
            },
        )

    @property
    def settings(self) -> ClientSettings:
        """The settings this client was built with (the token stays a SecretStr)."""
        return self._settings

    def __enter__(self) -> LDMetricsClient:
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

    # --- operations -----------------------------------------------------------------------

    def create_metric(self, project_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a ``MetricPost`` body; returns the created ``MetricRep`` (201).

        Raises ``ConflictError`` if the key exists, unless an earlier attempt of this very call
        was ambiguous: then the metric is that attempt's work and is fetched and returned.
        """
        key = body.get("key")
        if not isinstance(key, str) or not key:
            raise ValueError("a metric body needs a non-empty 'key'")
        target = _Target(CREATING, project_key, key)
        response = self._call(
            "POST", _path(project_key), target, json=dict(body), absorb=ConflictError
        )
        if response is None:
            log.info("%s: an earlier attempt was applied; reading it back", target)
            return self._fetch("GET", _path(project_key, key), target)
        return self._json(response, target)

    def get_metric(self, project_key: str, key: str) -> dict[str, Any]:
        """GET one metric's ``MetricRep``; ``NotFoundError`` if it does not exist."""
        return self._fetch("GET", _path(project_key, key), _Target(READING, project_key, key))

    def patch_metric(
        self, project_key: str, key: str, patch_ops: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """PATCH with a JSON Patch (RFC 6902) array; returns the updated ``MetricRep``."""
        ops = [dict(op) for op in patch_ops]
        target = _Target(UPDATING, project_key, key)
        return self._fetch("PATCH", _path(project_key, key), target, json=ops)

    def delete_metric(self, project_key: str, key: str) -> None:
        """DELETE a metric (204). ``NotFoundError`` if it was already gone before this call."""
        self._call(
            "DELETE",
            _path(project_key, key),
            _Target(DELETING, project_key, key),
            absorb=NotFoundError,
        )

    def list_metrics(
        self,
        project_key: str,
        *,
        filter: str | None = None,  # the API's own parameter name
        sort: str | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every ``MetricListingRep`` of a project, fetching pages of LIST_PAGE_LIMIT.

        ``filter`` and ``sort`` are passed through (``tags contains ["a"]``, ``-createdAt``).
        ``on_page(fetched, total)`` is called after each page. Pages advance by
        ``offset += len(items)`` until ``totalCount`` is reached or a page is empty; the
        ``_links.next`` link is not documented for metrics, so it is not relied on.
        """
        target = _Target(LISTING, project_key)
        params: dict[str, str | int] = {"limit": LIST_PAGE_LIMIT}
        params.update({k: v for k, v in (("filter", filter), ("sort", sort)) if v is not None})
        items: list[dict[str, Any]] = []
        while True:
            params["offset"] = len(items)
            page = self._fetch("GET", _path(project_key), target, params=dict(params))
            batch = [item for item in page.get("items") or [] if isinstance(item, dict)]
            items.extend(batch)
            total = page.get("totalCount")
            if not isinstance(total, int):
                # No total: a short page is the last one.
                total = len(items) + (LIST_PAGE_LIMIT if len(batch) == LIST_PAGE_LIMIT else 0)
            if on_page is not None:
                on_page(len(items), max(total, len(items)))
            if not batch or len(items) >= total:
                return items

    # --- the one retry loop -----------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        target: _Target,
        *,
        json: object = None,
        params: Mapping[str, str | int] | None = None,
        absorb: type[APIStatusError] | None = None,
    ) -> httpx.Response | None:
        """Send with retries; return the 2xx response, or None for an absorbed error.

        ``absorb`` names the error that, after an ambiguous attempt, means our own earlier
        attempt succeeded (see the class docstring).
        """
        headers = {"Content-Type": "application/json"} if json is not None else None
        request = self._http.build_request(method, path, json=json, params=params, headers=headers)
        max_retries = self._settings.max_retries
        ambiguous = False
        attempt = 0
        while True:
            try:
                with self._slots:
                    response = self._http.send(request)
            except httpx.TransportError as err:
                # A Connect* failure never reached LaunchDarkly; anything later may have.
                ambiguous |= not isinstance(err, (httpx.ConnectError, httpx.ConnectTimeout))
                if attempt >= max_retries:
                    cls = (
                        APITimeoutError
                        if isinstance(err, httpx.TimeoutException)
                        else APIConnectionError
                    )
                    raise cls(
                        f"{target}: {type(err).__name__} talking to {self._settings.api_host}:"
                        f" {str(err) or 'no details'}; retried {attempt} times",
                        operation=target.operation,
                        project_key=target.project_key,
                        metric_key=target.metric_key,
                    ) from err
                delay, reason = backoff_delay(attempt, self._rng), type(err).__name__
            else:
                log.info(
                    'HTTP Request: %s %s "%d %s"',
                    method,
                    request.url,
                    response.status_code,
                    response.reason_phrase,
                )
                if response.is_success:
                    return response
                error = self._status_error(response, target, attempt)
                if absorb is not None and ambiguous and isinstance(error, absorb):
                    return None
                retryable = should_retry(error.status_code) or is_optimistic_lock(
                    method, error.status_code, error.code
                )
                if not retryable or attempt >= max_retries:
                    raise error
                # A 5xx may come after the write was applied; a 429 is refused up front.
                ambiguous |= error.status_code >= 500
                asked = parse_retry_after(response.headers, self._clock())
                delay = (
                    backoff_delay(attempt, self._rng)
                    if asked is None
                    else jittered(asked, self._rng)
                )
                reason = f"{error.status_code} {error.code}"
            attempt += 1
            log.debug(
                "Retrying %s %s in %.3f seconds (%s; retry %d of %d)",
                method,
                request.url,
                delay,
                reason,
                attempt,
                max_retries,
            )
            self._sleep(delay)

    def _status_error(
        self, response: httpx.Response, target: _Target, retries: int
    ) -> APIStatusError:
        """Parse LaunchDarkly's ``{code, message, id}`` error body leniently."""
        code, message = "unknown", ""
        request_id = response.headers.get("x-request-id")
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            code = str(body.get("code") or "unknown")
            message = str(body.get("message") or "")
            request_id = str(body["id"]) if body.get("id") else request_id
        else:
            message = one_line(response.text)[:200]
        # LaunchDarkly never echoes the token, but a proxy in between might.
        message = message.replace(self._settings.access_token.get_secret_value(), "[redacted]")
        return make_status_error(
            response.status_code,
            operation=target.operation,
            project_key=target.project_key,
            metric_key=target.metric_key,
            code=code,
            api_message=message or response.reason_phrase,
            request_id=request_id,
            retries=retries,
        )

    def _fetch(
        self,
        method: str,
        path: str,
        target: _Target,
        *,
        json: object = None,
        params: Mapping[str, str | int] | None = None,
    ) -> dict[str, Any]:
        """``_call`` (absorbing nothing, so never None) and decode the JSON object."""
        response = self._call(method, path, target, json=json, params=params)
        assert response is not None  # only absorb= turns an error into None
        return self._json(response, target)

    @staticmethod
    def _json(response: httpx.Response, target: _Target) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise APIError(
                f"{target}: {response.status_code} response is not a JSON object:"
                f" {one_line(response.text)[:200]!r}",
                operation=target.operation,
                project_key=target.project_key,
                metric_key=target.metric_key,
            )
        return data
