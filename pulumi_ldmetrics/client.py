"""Sync client for LaunchDarkly's metrics API, ``/api/v2/metrics/{projectKey}[/{metricKey}]``,
and its metric groups (beta), ``/api/v2/projects/{projectKey}/metric-groups[/{key}]``.

It speaks wire JSON (camelCase dicts) only; ``pulumi_ldmetrics.models`` converts. All its
requests go through one retry loop (``_call``): transport failures are wrapped there, and every
non-2xx response becomes an ``errors.APIStatusError`` subclass through
``errors.make_status_error``. ``_deadline`` bounds the sockets under it. The ``httpx.Client``,
its headers and the test seams come from ``_http.HTTPClientBase``, which ``events/`` builds the
events host's client on too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import httpx

from pulumi_ldmetrics import _deadline, _redact
from pulumi_ldmetrics._constants import (
    API_VERSION,
    CONFIG_API_HOST,
    CONFIG_OPERATION_TIMEOUT,
    CONNECT_RETRIES,
    ENV_API_HOST,
    LIST_PAGE_LIMIT,
    USER_AGENT_PRODUCT,
)
from pulumi_ldmetrics._http import HTTPClientBase
from pulumi_ldmetrics._replan import differing_fields, unapplied_ops
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
log.addFilter(_redact.RedactingFilter())  # whatever handler the application attaches

# Failures that happen before a request leaves this machine: never ambiguous.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass
class _Budget:
    """One operation's allowance, shared by all its requests (a PATCH's re-read included)."""

    deadline: float
    """Monotonic time by which the operation ends, retries and waits included."""
    retries: int = 0
    """Retries spent so far."""
    max_retries: int = 0
    """Cap on ``retries``: the setting, lowered for failures that retrying will not fix."""
    ambiguous: bool = False
    """Whether an earlier attempt may have been applied although it did not succeed."""


class _Replan(Exception):
    """Internal: an ambiguous write must be re-planned from a fresh read, not replayed."""

    def __init__(self, error: APIError) -> None:
        super().__init__(str(error))
        self.error = error


class _TooLarge(Exception):
    """Internal: the response body is over ``max_response_bytes``."""


def _reason(error: APIError) -> str:
    if isinstance(error, APIStatusError):
        return f"{error.status_code} {error.code}"
    return type(error).__name__


_E = TypeVar("_E", bound=APIError)


@dataclass(frozen=True)
class _Target:
    """What a request is about, for error messages: operation verb, project, metric."""

    operation: str
    project_key: str
    metric_key: str | None = None

    def __str__(self) -> str:
        return target_label(self.operation, self.project_key, self.metric_key)

    def error(self, kind: type[_E], message: str) -> _E:
        """A ``kind`` error (``APIError`` or a transport subclass) about this target."""
        return kind(
            message,
            operation=self.operation,
            project_key=self.project_key,
            metric_key=self.metric_key,
        )


def _path(project_key: str, metric_key: str | None = None) -> str:
    # Keys are [a-zA-Z0-9][a-zA-Z0-9_.-]* for LaunchDarkly, but quote anyway: never build a path
    # that points somewhere else.
    path = f"/api/v2/metrics/{quote(project_key, safe='')}"
    return path if metric_key is None else f"{path}/{quote(metric_key, safe='')}"


def _page_items(page: Mapping[str, Any]) -> tuple[list[dict[str, Any]], int | None]:
    """A listing page's items (objects only) and its ``totalCount`` (None unless an integer)."""
    items = [item for item in page.get("items") or [] if isinstance(item, dict)]
    total = page.get("totalCount")
    return items, total if isinstance(total, int) and not isinstance(total, bool) else None


class LDMetricsClient(HTTPClientBase):
    """CRUD and listing of LaunchDarkly metrics, with LaunchDarkly's retry rules built in.

    One instance owns one ``httpx.Client`` and is safe to share between threads (the Pulumi
    dynamic provider host calls it from four workers). ``settings.max_concurrency`` caps
    in-flight requests across them, like the Terraform provider's semaphore.

    Retries (up to ``settings.max_retries``, all waits through ``sleep``): 429 and 5xx, waiting
    as ``Retry-After`` / ``X-Ratelimit-Reset`` ask, else capped exponential backoff with jitter;
    connection errors and timeouts likewise; a PATCH 409 ``optimistic_locking_error`` (the API
    says "Retry your request"). No other 4xx.

    A retried write can meet the effect of its own lost attempt. An attempt is ambiguous when
    LaunchDarkly may have applied it (read error, timeout after sending, 5xx). After one:
    - PATCH is not replayed: the metric is read again and only operations it does not show yet
      are sent (``_replan.unapplied_ops``); a lost optimistic lock is handled the same way.
    - POST answered 409 reads the metric and returns it only if it holds everything sent;
      otherwise ``ConflictError`` names the differing fields (another writer took the key).
    - DELETE answered 404 succeeds.
    Without an ambiguous attempt a 409 on POST raises ``ConflictError``: the key was taken.

    Time is bounded twice: ``timeout_seconds`` for one attempt as a whole (connect, sending, the
    full response: a server trickling bytes is cut off), ``operation_timeout_seconds`` for an
    operation with all its retries and waits. A response body over ``max_response_bytes`` is
    refused while it is read. A refused connection or an unknown host is retried only
    ``CONNECT_RETRIES`` times: the host setting is the likely cause, and the error names it.

    Nothing a server sends reaches a message or log line unscrubbed (``_redact``), and no
    error is chained to an httpx exception, whose text may quote request headers.

    ``transport``, ``sleep``, ``clock``, ``monotonic`` and ``rng`` are test seams
    (``httpx.MockTransport``, ``sleep=delays.append``, frozen clocks, a seeded ``Random``), taken
    by ``_http.HTTPClientBase``, which also builds the ``httpx.Client``.
    """

    _USER_AGENT = f"{USER_AGENT_PRODUCT}/{__version__}"
    _HEADERS: ClassVar[Mapping[str, str]] = {
        # Tokens that predate API versioning would otherwise get 20160426.
        "LD-API-Version": API_VERSION,
        "Accept": "application/json",
    }

    @property
    def settings(self) -> ClientSettings:
        """The settings this client was built with (the token stays a SecretStr)."""
        return self._settings

    # --- operations -----------------------------------------------------------------------

    def create_metric(self, project_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a ``MetricPost`` body; returns the created ``MetricRep`` (201).

        Raises ``ConflictError`` if the key exists. After an ambiguous attempt of this very
        call, a 409 is checked, not trusted: the existing metric is read, and returned only if it
        holds everything this body sent (it is our earlier attempt's work). Otherwise another
        writer created it, and the ``ConflictError`` names the fields that differ.
        """
        return self._create_checked("metric", _path, project_key, body)

    def get_metric(self, project_key: str, key: str) -> dict[str, Any]:
        """GET one metric's ``MetricRep``; ``NotFoundError`` if it does not exist."""
        target = _Target(READING, project_key, key)
        return self._call("GET", _path(project_key, key), target, self._budget())

    def patch_metric(
        self, project_key: str, key: str, patch_ops: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """PATCH with a JSON Patch (RFC 6902) array; returns the updated ``MetricRep``.

        Never replayed blindly: after an ambiguous attempt (lost response, 5xx) or a lost
        optimistic lock (409), the metric is read again and only the operations whose effect it
        does not show yet are sent (none: the read is the result). So an applied ``remove`` is
        not sent twice, and a concurrent writer's change to other fields is kept.
        """
        target = _Target(UPDATING, project_key, key)
        return self._patch_replanned(_path(project_key, key), target, patch_ops)

    def delete_metric(self, project_key: str, key: str) -> None:
        """DELETE a metric (204). ``NotFoundError`` if it was already gone before this call."""
        self._delete(_path(project_key, key), _Target(DELETING, project_key, key))

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
        query = {k: v for k, v in (("filter", filter), ("sort", sort)) if v is not None}
        return self._list_all(
            _path(project_key),
            _Target(LISTING, project_key),
            page_limit=LIST_PAGE_LIMIT,
            query=query,
            on_page=on_page,
        )

    def list_metrics_page(
        self, project_key: str, *, offset: int, sort: str | None = None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """One page (LIST_PAGE_LIMIT items from ``offset``) and the API's ``totalCount``."""
        params: dict[str, str | int] = {"limit": LIST_PAGE_LIMIT, "offset": offset}
        if sort is not None:
            params["sort"] = sort
        target = _Target(LISTING, project_key)
        page = self._call("GET", _path(project_key), target, self._budget(), params=params)
        return _page_items(page)

    # --- the operations' logic, shared by metrics and metric groups -------------------------

    def _create_checked(
        self,
        noun: str,
        path: Callable[[str, str | None], str],
        project_key: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        as_written: Callable[[dict[str, Any]], Mapping[str, Any]] = lambda live: live,
    ) -> dict[str, Any]:
        """POST ``body`` (a ``noun`` with a ``key``) to ``path(project_key, None)``.

        After an ambiguous attempt a 409 is checked, not trusted: the thing at
        ``path(project_key, key)`` is read and returned only if (as ``as_written`` shows it) it
        holds everything sent; otherwise ``ConflictError`` names the fields that differ."""
        key = body.get("key")
        if not isinstance(key, str) or not key:
            raise ValueError(f"a {noun} body needs a non-empty 'key'")
        target = _Target(CREATING, project_key, key)
        budget = self._budget()
        try:
            return self._call(
                "POST", path(project_key, None), target, budget, json=dict(body), headers=headers
            )
        except ConflictError:
            if not budget.ambiguous:
                raise
        log.info("%s: the key exists after an ambiguous attempt; reading it back", target)
        live = self._call("GET", path(project_key, key), target, budget, headers=headers)
        differences = differing_fields(as_written(live), body)
        if differences:
            raise ConflictError(
                operation=CREATING,
                project_key=target.project_key,
                metric_key=target.metric_key,
                status_code=409,
                code="conflict",
                api_message=(
                    f"a {noun} with this key already exists and is not the one this request"
                    f" created: it differs in {', '.join(differences)} (another writer created"
                    " it while this request was being retried)"
                ),
                retries=budget.retries,
                differences=tuple(differences),
            )
        return live

    def _patch_replanned(
        self,
        path: str,
        target: _Target,
        patch_ops: Sequence[Mapping[str, Any]],
        *,
        headers: Mapping[str, str] | None = None,
        as_written: Callable[[dict[str, Any]], Mapping[str, Any]] = lambda live: live,
    ) -> dict[str, Any]:
        """PATCH ``patch_ops`` to ``path``; returns what the API answers.

        After an ambiguous attempt or a lost optimistic lock the thing is read again, and only
        the operations whose effect ``as_written(live)`` does not show yet are sent; when none
        is left, the read is the result."""
        ops = [dict(op) for op in patch_ops]
        budget = self._budget()
        while True:
            try:
                return self._call(
                    "PATCH", path, target, budget, json=ops, replay=False, headers=headers
                )
            except _Replan:
                pass
            live = self._call("GET", path, target, budget, headers=headers)
            ops = unapplied_ops(as_written(live), ops)
            if not ops:
                log.info("%s: an earlier attempt was applied", target)
                return live
            log.info("%s: re-sending %d operation(s) not applied yet", target, len(ops))

    def _delete(
        self, path: str, target: _Target, *, headers: Mapping[str, str] | None = None
    ) -> None:
        """DELETE ``path`` (204). A 404 after an ambiguous attempt of this call means our own
        earlier attempt deleted it: success. Any other 404 raises ``NotFoundError``."""
        budget = self._budget()
        try:
            self._call("DELETE", path, target, budget, expect_json=False, headers=headers)
        except NotFoundError:
            if not budget.ambiguous:
                raise

    def _list_all(
        self,
        path: str,
        target: _Target,
        *,
        page_limit: int,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of the collection at ``path``, by pages of ``page_limit`` (``query`` is
        sent along), advancing ``offset`` by the items received until ``totalCount`` is reached
        or a page is empty. ``on_page(fetched, total)`` is called after each page."""
        items: list[dict[str, Any]] = []
        budget = self._budget()  # one listing is one operation: its pages share the time limit
        while True:
            params: dict[str, str | int] = {"limit": page_limit, **(query or {})}
            params["offset"] = len(items)
            page = self._call("GET", path, target, budget, params=params, headers=headers)
            batch, total = _page_items(page)
            items.extend(batch)
            if total is None:
                # No total: a short page is the last one.
                total = len(items) + (page_limit if len(batch) == page_limit else 0)
            if on_page is not None:
                on_page(len(items), max(total, len(items)))
            if not batch or len(items) >= total:
                return items

    # --- the one retry loop -----------------------------------------------------------------

    def _budget(self) -> _Budget:
        """A fresh allowance for one operation: its retries and its total deadline."""
        return _Budget(
            deadline=self._monotonic() + self._settings.operation_timeout_seconds,
            max_retries=self._settings.max_retries,
        )

    def _call(
        self,
        method: str,
        path: str,
        target: _Target,
        budget: _Budget,
        *,
        json: object = None,
        params: Mapping[str, str | int] | None = None,
        replay: bool = True,
        headers: Mapping[str, str] | None = None,
        expect_json: bool = True,
    ) -> dict[str, Any]:
        """Send with retries; return the JSON object of the 2xx response.

        ``expect_json=False`` is for an answer without a body (a DELETE's 204): ``{}`` is
        returned. With ``replay=False`` an ambiguous attempt is not sent again: after the usual
        wait ``_Replan`` is raised, so the caller can re-read and decide what is still to do.
        A failed attempt's error is raised at once when retrying cannot help; ``budget`` then
        says whether an earlier attempt was ambiguous (see the class docstring).
        """
        sent = {"Content-Type": "application/json"} if json is not None else {}
        sent.update(headers or {})  # e.g. the beta API version of metric-group calls
        request = self._http.build_request(method, path, json=json, params=params, headers=sent)
        while True:
            response, failure, ambiguous_now = self._attempt(request, target, budget)
            if response is not None:
                if response.is_success:
                    return self._json(response, target) if expect_json else {}
                error = self._status_error(response, target, budget.retries)
                lock = is_optimistic_lock(method, error.status_code, error.code)
                if not (should_retry(error.status_code) or lock):
                    raise error
                # A 5xx may come after the write was applied; a 429 is refused up front; a lost
                # optimistic lock means someone else's write came first, so ours must be re-planned.
                ambiguous_now = error.status_code >= 500 or lock
                asked = parse_retry_after(response.headers, self._clock())
                delay = (
                    backoff_delay(budget.retries, self._rng)
                    if asked is None
                    else jittered(asked, self._rng)
                )
                failure = error
            else:
                assert failure is not None
                delay = backoff_delay(budget.retries, self._rng)
            budget.ambiguous |= ambiguous_now
            self._wait_or_raise(failure, delay, budget, request)
            if ambiguous_now and not replay:
                raise _Replan(failure)

    def _attempt(
        self, request: httpx.Request, target: _Target, budget: _Budget
    ) -> tuple[httpx.Response | None, APIError | None, bool]:
        """One attempt: (response, None, False), or (None, the error to report, ambiguous)."""
        now = self._monotonic()
        if now >= budget.deadline:
            return None, self._operation_timeout(target, budget), False
        attempt_deadline = min(now + self._settings.timeout_seconds, budget.deadline)
        try:
            with self._slots, _deadline.deadline(attempt_deadline):
                response = self._receive(request)
        except _TooLarge:
            # A response this large is not LaunchDarkly's: retrying cannot help.
            budget.max_retries = 0
            failure: APIError = target.error(
                APIError,
                f"{target}: the response from {self._settings.api_host} is larger than"
                f" {self._settings.max_response_bytes} bytes; is ldmetrics:apiHost right?",
            )
            return None, failure, request.method != "GET"
        except httpx.TransportError as err:
            failure = self._transport_error(err, target, budget)
            # A Connect* failure never reached LaunchDarkly; anything later may have.
            return None, failure, not isinstance(err, _NEVER_SENT)
        log.info(
            'HTTP Request: %s %s "%d %s"',
            request.method,
            request.url,
            response.status_code,
            response.reason_phrase,
        )
        return response, None, False

    def _receive(self, request: httpx.Request) -> httpx.Response:
        """Send and read the whole (decoded) body, refusing one over the size cap."""
        cap = self._settings.max_response_bytes
        response = self._http.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise _TooLarge
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise _TooLarge
                chunks.append(chunk)
        finally:
            response.close()
        # Decoded already: the framing and encoding headers no longer describe this body.
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=request,
            extensions=response.extensions,
        )

    def _wait_or_raise(
        self, failure: APIError, delay: float, budget: _Budget, request: httpx.Request
    ) -> None:
        """Sleep before the next attempt, or raise `failure` when no attempt is left."""
        if budget.retries >= budget.max_retries:
            raise failure
        if self._monotonic() + delay >= budget.deadline:
            # The wait alone would overrun the operation's time limit: report the real cause.
            raise failure
        budget.retries += 1
        log.debug(
            "Retrying %s %s in %.3f seconds (%s; retry %d of %d)",
            request.method,
            request.url,
            delay,
            _reason(failure),
            budget.retries,
            budget.max_retries,
        )
        self._sleep(delay)

    def _transport_error(
        self, err: httpx.TransportError, target: _Target, budget: _Budget
    ) -> APIConnectionError:
        """The error for a failed exchange, scrubbed, never chained to httpx's own exception
        (newer Pulumi SDKs print the whole chain, and httpx messages can quote headers)."""
        host = self._settings.api_host
        retries = budget.retries
        if isinstance(err, httpx.TimeoutException):
            left = budget.deadline - self._monotonic()
            limit = "operation" if left <= 0 else "request"
            seconds = (
                self._settings.operation_timeout_seconds
                if limit == "operation"
                else self._settings.timeout_seconds
            )
            return target.error(
                APITimeoutError,
                f"{target}: no complete response from {host} within the {limit} time limit of"
                f" {seconds:g} s ({type(err).__name__}); retried {retries} times",
            )
        detail = _redact.scrub(one_line(str(err)))[:200] or "no details"
        if isinstance(err, httpx.ConnectError):
            # Refused or unresolvable: the host setting is the likely culprit, and waiting
            # minutes for it to change helps nobody. Retry briefly, then say where to look.
            budget.max_retries = min(budget.max_retries, CONNECT_RETRIES)
            return target.error(
                APIConnectionError,
                f"{target}: cannot connect to {host} ({detail}); retried {retries} times -"
                f" check {CONFIG_API_HOST} or {ENV_API_HOST}",
            )
        return target.error(
            APIConnectionError,
            f"{target}: {type(err).__name__} talking to {host}: {detail}; retried {retries} times",
        )

    def _operation_timeout(self, target: _Target, budget: _Budget) -> APITimeoutError:
        seconds = self._settings.operation_timeout_seconds
        return target.error(
            APITimeoutError,
            f"{target}: gave up after the operation time limit of {seconds:g} s"
            f" ({CONFIG_OPERATION_TIMEOUT}); retried {budget.retries} times",
        )

    def _status_error(
        self, response: httpx.Response, target: _Target, retries: int
    ) -> APIStatusError:
        """Parse LaunchDarkly's ``{code, message, id}`` error body leniently."""
        code, message, cut = "unknown", "", 500
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
            message, cut = response.text, 200  # an HTML error page: its start is enough
        # LaunchDarkly never echoes the token, but a proxy in between might, in any field.
        # Scrub first, then cut: a cut made first could leave a fragment scrub cannot see.
        return make_status_error(
            response.status_code,
            operation=target.operation,
            project_key=target.project_key,
            metric_key=target.metric_key,
            code=_redact.scrub(one_line(code))[:60],
            api_message=_redact.scrub(one_line(message))[:cut]
            or _redact.scrub(response.reason_phrase),
            request_id=_redact.scrub(one_line(request_id))[:80] if request_id else None,
            retries=retries,
        )

    @staticmethod
    def _json(response: httpx.Response, target: _Target) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise target.error(
                APIError,
                f"{target}: {response.status_code} response is not a JSON object:"
                f" {_redact.scrub(one_line(response.text))[:200]!r}",
            )
        return data

    # --- metric groups (beta) -------------------------------------------------------------
    # Same loop, deadlines, scrubbing and re-plan as metrics; every call sends the beta API
    # version (without it LaunchDarkly answers 403) and errors name the group, not a metric.

    def create_metric_group(self, project_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a ``MetricGroupPost`` body; returns the created ``MetricGroupRep`` (201).

        As ``create_metric``: a 409 after an ambiguous attempt of this call is checked against
        the existing group (ours if it holds everything sent), else ``ConflictError``."""
        with _group_labels():
            return self._create_checked(
                "metric group",
                _group_path,
                project_key,
                body,
                headers=_BETA,
                as_written=_group_as_written,
            )

    def get_metric_group(self, project_key: str, key: str) -> dict[str, Any]:
        """GET one ``MetricGroupRep``; ``NotFoundError`` if it does not exist."""
        target = _Target(READING, project_key, key)
        with _group_labels():
            return self._call(
                "GET", _group_path(project_key, key), target, self._budget(), headers=_BETA
            )

    def patch_metric_group(
        self, project_key: str, key: str, patch_ops: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """PATCH with a JSON Patch array; returns the updated ``MetricGroupRep``. Never replayed
        blindly: after an ambiguous attempt the group is re-read and only the operations it
        does not show yet are sent, as ``patch_metric`` does."""
        target = _Target(UPDATING, project_key, key)
        with _group_labels():
            return self._patch_replanned(
                _group_path(project_key, key),
                target,
                patch_ops,
                headers=_BETA,
                as_written=_group_as_written,
            )

    def delete_metric_group(self, project_key: str, key: str) -> None:
        """DELETE a metric group (204). ``NotFoundError`` if it was already gone."""
        target = _Target(DELETING, project_key, key)
        with _group_labels():
            self._delete(_group_path(project_key, key), target, headers=_BETA)

    def list_metric_groups(self, project_key: str) -> list[dict[str, Any]]:
        """Every ``MetricGroupRep`` of a project, by pages of ``_GROUP_PAGE_LIMIT``, advancing
        ``offset`` until ``totalCount`` is reached or a page is empty."""
        target = _Target(LISTING, project_key)
        with _group_labels():
            return self._list_all(
                _group_path(project_key), target, page_limit=_GROUP_PAGE_LIMIT, headers=_BETA
            )


_BETA: dict[str, str] = {"LD-API-Version": "beta"}
"""Metric groups are a beta resource: LaunchDarkly answers 403 without this version."""
_GROUP_PAGE_LIMIT = 50
"""The list maximum (default 20)."""


def _group_path(project_key: str, group_key: str | None = None) -> str:
    path = f"/api/v2/projects/{quote(project_key, safe='')}/metric-groups"
    return path if group_key is None else f"{path}/{quote(group_key, safe='')}"


@contextmanager
def _group_labels() -> Iterator[None]:
    """Name the metric group in error messages: the shared error classes say "metric"."""
    try:
        yield
    except APIError as err:
        text = str(err)
        text = text.replace(" metrics of project ", " metric groups of project ", 1)
        if " metric groups of project " not in text:
            text = text.replace(" metric ", " metric group ", 1)
        err.args = (text,)
        raise


def _group_as_written(live: Mapping[str, Any]) -> dict[str, Any]:
    """A ``MetricGroupRep`` in the shape of what is written to it (``maintainerId``, metrics as
    ``{key, nameInGroup}``), so a re-plan compares like with like."""
    doc = dict(live)
    maintainer = live.get("maintainer")
    if isinstance(maintainer, Mapping):
        member = maintainer.get("_member") or maintainer.get("member")
        member_id = member.get("_id") if isinstance(member, Mapping) else maintainer.get("key")
        if isinstance(member_id, str):
            doc["maintainerId"] = member_id
    metrics = live.get("metrics")
    if isinstance(metrics, list):
        doc["metrics"] = [
            {"key": m.get("key"), "nameInGroup": m.get("nameInGroup") or ""}
            for m in metrics
            if isinstance(m, Mapping)
        ]
    return doc
