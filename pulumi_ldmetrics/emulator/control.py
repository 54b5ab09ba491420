"""The `/_emulator/*` control endpoint, for tests and demos.

It is exempt from faults, rate limits and the request log, so inspecting the emulator never
disturbs what is being observed. It is not exempt from auth: `POST /_emulator/reset` wipes
every metric, and any web page could send it to a loopback port. So every control request
must carry `Authorization: <control token>` (the emulator's token unless set apart; 401
otherwise), and one whose `Origin` is not the emulator's own, or whose `Sec-Fetch-Site` is
`cross-site`, is refused with 403 before the token is even looked at. A browser cannot add
`Authorization` to a cross-site request without a CORS preflight, which the emulator never
grants; the `Origin` check also stops a DNS-rebound page, whose requests carry the
attacker's origin. docs/emulator.md documents the API.

The events listener's control endpoint (`events_control.py`) follows the same rules through
the helpers here: `control_refusal` (origin and token), `put_faults` (the faults body) and
`script_entry` (one `script` entry).

| method + path            | answer                                                        |
|--------------------------|---------------------------------------------------------------|
| GET /_emulator/log       | 200 {"requests": [LogEntry, ...]}                             |
| DELETE /_emulator/log    | 204                                                           |
| GET /_emulator/faults    | 200 FaultConfig fields + {"script": [ScriptedFault, ...]}     |
| PUT /_emulator/faults    | 200 same shape; body is a partial FaultConfig, plus an        |
|                          | optional "script" list of fail_next entries (appended)        |
| POST /_emulator/reset    | 204; clears metrics, groups, log, faults, limits and script   |
| GET /_emulator/metrics   | 200 {"metrics": {projectKey: [MetricRep, ...]}, "totalCount"} |
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from pulumi_ldmetrics.emulator.faults import FaultConfig, ScriptedFault
from pulumi_ldmetrics.emulator.jsonbody import parse_json
from pulumi_ldmetrics.emulator.responses import (
    Response,
    empty_response,
    error_response,
    json_response,
)

if TYPE_CHECKING:
    from pulumi_ldmetrics.emulator.app import Emulator

CONTROL_PREFIX = "/_emulator/"

_SCRIPT_FIELDS = ("mode", "times", "method", "path_contains", "reset_in_ms", "retry_after")


def handle_control(
    emulator: Emulator, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> Response:
    """Answer one control request (`headers` keys lower-case)."""
    request_id = str(uuid.uuid4())
    refusal = control_refusal(headers, emulator.own_origins, emulator.control_token, request_id)
    if refusal is not None:
        return refusal
    name = path[len(CONTROL_PREFIX) :].strip("/")
    routes = {
        ("GET", "log"): lambda: json_response(200, {"requests": emulator.request_log()}),
        ("DELETE", "log"): lambda: _clear_log(emulator),
        ("GET", "faults"): lambda: json_response(200, emulator.fault_settings()),
        ("PUT", "faults"): lambda: put_faults(
            emulator, body, request_id, scripted=_scripted, queue=lambda f: _fail_next(emulator, f)
        ),
        ("POST", "reset"): lambda: _reset(emulator),
        ("GET", "metrics"): lambda: _metrics(emulator),
    }
    handler = routes.get((method, name))
    if handler is not None:
        return handler()
    if any(route_name == name for _, route_name in routes):
        return error_response(405, "method_not_allowed", "Method not allowed", request_id)
    return error_response(404, "not_found", "Unknown control endpoint", request_id)


def control_refusal(
    headers: Mapping[str, str], own_origins: frozenset[str], control_token: str, request_id: str
) -> Response | None:
    """The answer to a control request that must not be served, or None to serve it.

    403 when it comes from another origin (`Origin` not in `own_origins`, or `Sec-Fetch-Site:
    cross-site`), checked before the token is looked at; else 401 unless `Authorization` is
    `control_token`. Both listeners' control endpoints use it (`headers` keys lower-case)."""
    origin = headers.get("origin")
    cross_site = headers.get("sec-fetch-site") == "cross-site"
    if (origin is not None and origin not in own_origins) or cross_site:
        return error_response(
            403, "forbidden", "cross-site requests to the control endpoint are refused", request_id
        )
    supplied = headers.get("authorization", "")
    if not hmac.compare_digest(supplied.encode(), control_token.encode()):
        return error_response(
            401, "unauthorized", "the control endpoint needs the emulator's token", request_id
        )
    return None


class FaultSettings(Protocol):
    """What `put_faults` needs of a listener; `Emulator` and `EventsEmulator` both have it."""

    def set_faults(self, **changes: Any) -> FaultConfig: ...

    def fault_settings(self) -> dict[str, Any]: ...


def put_faults(
    listener: FaultSettings,
    body: bytes,
    request_id: str,
    *,
    scripted: Callable[[Any], ScriptedFault],
    queue: Callable[[ScriptedFault], None],
) -> Response:
    """Answer `PUT /_emulator/faults` on either listener: a partial `FaultConfig` plus an
    optional `script` list, each entry read by `scripted` and then given to `queue`.

    The settings and every entry are validated before any fault is queued, so a bad request
    (400 `invalid_request`) changes nothing. Answers 200 with the new settings."""
    try:
        changes = parse_json(body) if body else {}
        if not isinstance(changes, dict):
            raise ValueError("body: must be a JSON object")
        script = [scripted(entry) for entry in changes.pop("script", None) or []]
        listener.set_faults(**changes)
    except (ValueError, TypeError) as err:
        return error_response(400, "invalid_request", str(err), request_id)
    for fault in script:
        queue(fault)
    return json_response(200, listener.fault_settings())


def script_entry(entry: Any) -> dict[str, Any]:
    """A copy of one `script` entry, `status` read as `mode`; ValueError unless an object.

    Which fields a listener accepts is its own check (`_scripted` here and in
    `events_control.py`)."""
    if not isinstance(entry, dict):
        raise ValueError("script: entries must be objects")
    fields: dict[str, Any] = dict(entry)
    # "status" reads better in JSON for the common case; it means the same as "mode".
    if "status" in fields:
        fields.setdefault("mode", fields.pop("status"))
    return fields


def _clear_log(emulator: Emulator) -> Response:
    emulator.clear_log()
    return empty_response()


def _reset(emulator: Emulator) -> Response:
    emulator.reset()
    return empty_response()


def _metrics(emulator: Emulator) -> Response:
    metrics = emulator.metrics()
    total = sum(len(items) for items in metrics.values())
    return json_response(200, {"metrics": metrics, "totalCount": total})


def _fail_next(emulator: Emulator, fault: ScriptedFault) -> None:
    """Queue a parsed `script` entry through the emulator's public `fail_next`."""
    emulator.fail_next(
        fault.mode,
        times=fault.times,
        method=fault.method,
        path_contains=fault.path_contains,
        reset_in_ms=fault.reset_in_ms,
        retry_after=fault.retry_after,
    )


def _scripted(entry: Any) -> ScriptedFault:
    entry = script_entry(entry)
    unknown = sorted(set(entry) - set(_SCRIPT_FIELDS))
    if unknown:
        raise ValueError(f"script: unknown field(s): {', '.join(unknown)}")
    if "mode" not in entry:
        raise ValueError("script: mode (or status) is required")
    return ScriptedFault(**entry)
