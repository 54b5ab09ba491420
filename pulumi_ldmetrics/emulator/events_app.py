"""The emulated events host: `POST /v2/event-data-import/{projectKey}/{environmentKey}`.

Served by its own listener (`events_server.EventsServer`), as LaunchDarkly serves it from its
own host (`events.launchdarkly.com`), with a 10 MB body limit where the metrics API's is 1 MiB.

Pipeline of an import request (reference §10; order of the checks is a guess):
latency -> faults and rate limits (the metrics API's `FaultInjector`, its own instance) ->
auth 401 -> route 404 -> method 405 -> project/environment 404 -> headers 406/400/411 ->
encoding -> body 400 (nothing accepted) -> per-event conformance (dropped, still 202) ->
payload-id de-duplication -> 202 with an empty body.

`/_emulator/*` on this listener inspects and steers it: see `events_control.py`.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final
from urllib.parse import unquote

from pulumi_ldmetrics.emulator.events_control import CONTROL_PREFIX, handle_events_control
from pulumi_ldmetrics.emulator.events_store import EventStore
from pulumi_ldmetrics.emulator.events_validation import (
    Refusal,
    check_headers,
    decode_body,
    drop_reason,
    parse_events,
)
from pulumi_ldmetrics.emulator.faults import FaultConfig, FaultInjector, FaultMode, ScriptedFault
from pulumi_ldmetrics.emulator.responses import (
    Response,
    empty_response,
    error_response,
)
from pulumi_ldmetrics.emulator.validation import is_valid_key

IMPORT_PREFIX: Final = "/v2/event-data-import/"
IMPORT_ROUTE: Final = "/v2/event-data-import/{projectKey}/{environmentKey}"
NO_PERMISSION: Final = "This access token lacks the importEventData action"


@dataclass(frozen=True)
class EventsLogEntry:
    """One import request as the events host saw it (never its credentials)."""

    seq: int
    method: str
    path: str
    status: int | None
    outcome: str
    """ok, error, rate_limited, fault, dropped, lost_response, duplicate."""
    payload_id: str | None
    events: int | None
    """Events in the body, when it parsed."""
    user_agent: str | None
    event_schema: str | None
    content_length: str | None


class EventsEmulator:
    """State and request handling of the events host.

    `token`: the `Authorization` value accepted (raw); None accepts anything.
    `no_import_tokens`: tokens that are valid but lack `importEventData` (401 as well).
    `projects` / `environments`: when set, other keys are 404 (undocumented: guess).
    `event_keys(project)`: the event keys of the project's metrics, for `unmatchedKey`.
    `strict`: refuse requests missing what LaunchDarkly asks for (see `check_headers`).
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        no_import_tokens: Iterable[str] = (),
        projects: Iterable[str] | None = None,
        environments: Iterable[str] | None = None,
        control_token: str | None = None,
        event_keys: Callable[[str], set[str]] | None = None,
        strict: bool = True,
        faults: FaultConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.no_import_tokens = frozenset(no_import_tokens)
        self.projects = frozenset(projects) if projects is not None else None
        self.environments = frozenset(environments) if environments is not None else None
        self.control_token = control_token or token or str(uuid.uuid4())
        self.strict = strict
        self.own_origins: frozenset[str] = frozenset()
        self._event_keys = event_keys or (lambda _project: set())
        self._clock = clock
        self._store = EventStore()
        self._faults = FaultInjector(faults)
        self._log: list[EventsLogEntry] = []
        self._log_lock = threading.Lock()
        self._seq = 0

    # -- in-process API for tests ------------------------------------------------------

    def accepted(self, project: str, environment: str) -> list[dict[str, Any]]:
        """The accepted events of one environment, each with `_receivedAt` and `_payloadId`."""
        return self._store.events(project, environment)

    def summary(self, project: str, environment: str) -> dict[str, Any]:
        """Counters: accepted, payloads, duplicatePayloads, dropped(+Reasons), unmatchedKey."""
        return self._store.summary(project, environment, self._event_keys(project))

    def request_log(self) -> list[dict[str, Any]]:
        """Every import request, oldest first."""
        with self._log_lock:
            return [asdict(e) for e in self._log]

    def fail_next(
        self,
        status_or_mode: int | FaultMode,
        times: int = 1,
        *,
        reset_in_ms: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next `times` import requests fail (see `Emulator.fail_next`)."""
        self._faults.add_script(
            ScriptedFault(status_or_mode, times, None, None, reset_in_ms, retry_after)
        )

    def set_faults(self, **changes: Any) -> FaultConfig:
        """Partially update the fault and rate-limit settings (see `FaultConfig`)."""
        return self._faults.update(**changes)

    def environments_seen(self) -> list[tuple[str, str]]:
        """Every `(project, environment)` that received a payload, first seen first."""
        return self._store.environments()

    def fault_settings(self) -> dict[str, Any]:
        """The fault settings and pending scripted faults, JSON-ready."""
        return self._faults.snapshot()

    def add_fault(self, fault: ScriptedFault) -> None:
        """Queue one scripted fault (the control endpoint's `script` entries)."""
        self._faults.add_script(fault)

    def add_origin(self, origin: str) -> None:
        """Accept `origin` as this listener's own on the control endpoint."""
        self.own_origins = self.own_origins | {origin}

    def reset(self) -> None:
        """Forget events, payload ids, the log, faults and rate-limit windows."""
        self._store.clear()
        self._faults.reset()
        with self._log_lock:
            self._log.clear()

    # -- request handling --------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        """Answer one request (`headers` keys lower-case; `query` is not used)."""
        del query  # the import route takes no parameters
        method = method.upper()
        if path.startswith(CONTROL_PREFIX):
            return handle_events_control(self, method, path, headers, body)
        with self._log_lock:
            self._seq += 1
            seq = self._seq
        request_id = str(uuid.uuid4())
        latency = self._faults.latency_seconds()
        if latency:
            time.sleep(latency)
        decision = self._faults.decide(method, f"{method} {IMPORT_ROUTE}", path)
        info: dict[str, Any] = {"payload_id": None, "events": None}
        if decision.action == "respond":
            response = error_response(
                decision.status, decision.code, decision.message, request_id, decision.headers
            )
            outcome = decision.outcome
        elif decision.action == "drop":
            response, outcome = Response(0, delivery="drop"), "dropped"
        else:
            response, outcome = self._import(method, path, headers, body, request_id, info)
            response.headers.update(decision.headers)
            if decision.action == "lost_response":
                response.delivery, outcome = "lost_response", "lost_response"
        response.headers.setdefault("X-Request-Id", request_id)
        entry = EventsLogEntry(
            seq=seq,
            method=method,
            path=path,
            status=response.status or None,
            outcome=outcome,
            payload_id=headers.get("x-launchdarkly-payload-id"),
            events=info["events"],
            user_agent=headers.get("user-agent"),
            event_schema=headers.get("x-launchdarkly-event-schema"),
            content_length=headers.get("content-length"),
        )
        with self._log_lock:
            self._log.append(entry)
        return response

    def _import(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        request_id: str,
        info: dict[str, Any],
    ) -> tuple[Response, str]:
        try:
            supplied = headers.get("authorization")
            # A valid token without the permission is a 401 too (reference §3), told apart.
            if supplied in self.no_import_tokens:
                raise Refusal(401, "unauthorized", NO_PERMISSION)
            if self.token is not None and supplied != self.token:
                raise Refusal(401, "unauthorized", "Invalid access token")
            project, environment = _route(path)
            if method != "POST":
                return error_response(
                    405,
                    "method_not_allowed",
                    f"Method {method} not allowed",
                    request_id,
                    {"Allow": "POST"},
                ), "error"
            if not self._knows(project, environment):
                raise Refusal(
                    404, "not_found", f"Unknown project or environment {project}/{environment}"
                )
            payload_id = check_headers(headers, strict=self.strict)
            events = parse_events(decode_body(headers, body))
        except Refusal as refusal:
            response = error_response(refusal.status, refusal.code, refusal.message, request_id)
            return response, "error"
        info["events"] = len(events)
        kept, dropped = [], []
        for event in events:
            reason = drop_reason(event)
            if reason is None:
                kept.append(event)
            else:
                dropped.append(reason)
        received = int(self._clock() * 1000)
        fresh = self._store.accept(project, environment, payload_id, kept, dropped, received)
        return empty_response(202), "ok" if fresh else "duplicate"

    def _knows(self, project: str, environment: str) -> bool:
        if not (is_valid_key(project) and is_valid_key(environment)):
            return False
        if self.projects is not None and project not in self.projects:
            return False
        return self.environments is None or environment in self.environments


def _route(path: str) -> tuple[str, str]:
    """`(project, environment)` of an import path; `Refusal` 404 for any other path."""
    if path.startswith(IMPORT_PREFIX):
        parts = [unquote(p) for p in path[len(IMPORT_PREFIX) :].rstrip("/").split("/")]
        if len(parts) == 2 and all(parts):
            return parts[0], parts[1]
    raise Refusal(404, "not_found", "Invalid resource identifier")
