"""`/_emulator/*` on the events listener: read back what was accepted, steer faults, reset.

The same rules as the metrics listener's control endpoint, applied by `control.py`'s helpers:
every request needs `Authorization: <control token>`, and one from another origin (`Origin` not
this listener's, or `Sec-Fetch-Site: cross-site`) is refused with 403 before the token is looked
at, since any web page can send requests to a loopback port.

| method + path                              | answer                                        |
|--------------------------------------------|-----------------------------------------------|
| GET /_emulator/events                      | 200 {"environments": [summary, ...]}           |
| GET /_emulator/events/{project}/{env}      | 200 summary + "events": the accepted events   |
| GET /_emulator/faults                      | 200 FaultConfig fields + "script"             |
| PUT /_emulator/faults                      | 200 as GET; partial FaultConfig + "script"    |
| GET /_emulator/log                         | 200 {"requests": [EventsLogEntry, ...]}        |
| POST /_emulator/reset                      | 204; events, payload ids, log, faults cleared |
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from pulumi_ldmetrics.emulator.control import control_refusal, put_faults, script_entry
from pulumi_ldmetrics.emulator.faults import ScriptedFault
from pulumi_ldmetrics.emulator.responses import (
    Response,
    empty_response,
    error_response,
    json_response,
)

if TYPE_CHECKING:
    from pulumi_ldmetrics.emulator.events_app import EventsEmulator

CONTROL_PREFIX: Final = "/_emulator/"
_SCRIPT_FIELDS: Final = frozenset({"mode", "times", "reset_in_ms", "retry_after"})


def handle_events_control(
    events: EventsEmulator, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> Response:
    """Answer one control request (`headers` keys lower-case)."""
    request_id = str(uuid.uuid4())
    refusal = control_refusal(headers, events.own_origins, events.control_token, request_id)
    if refusal is not None:
        return refusal
    parts = [unquote(p) for p in path[len(CONTROL_PREFIX) :].strip("/").split("/")]
    route = (method, parts[0], len(parts))
    if route == ("GET", "events", 1):
        summaries = [events.summary(p, e) for p, e in events.environments_seen()]
        return json_response(200, {"environments": summaries})
    if route == ("GET", "events", 3):
        detail = events.summary(parts[1], parts[2])
        detail["events"] = events.accepted(parts[1], parts[2])
        return json_response(200, detail)
    if route == ("GET", "faults", 1):
        return json_response(200, events.fault_settings())
    if route == ("PUT", "faults", 1):
        return put_faults(events, body, request_id, scripted=_scripted, queue=events.add_fault)
    if route == ("GET", "log", 1):
        return json_response(200, {"requests": events.request_log()})
    if route == ("POST", "reset", 1):
        events.reset()
        return empty_response(204)
    return error_response(404, "not_found", "Unknown control endpoint", request_id)


def _scripted(entry: Any) -> ScriptedFault:
    entry = script_entry(entry)
    if set(entry) - _SCRIPT_FIELDS or "mode" not in entry:
        raise ValueError(f"script: fields are {', '.join(sorted(_SCRIPT_FIELDS))} (mode required)")
    return ScriptedFault(**entry)
