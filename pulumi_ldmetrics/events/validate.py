"""Check one event against the import API's rules before anything is sent; pure, no I/O.

LaunchDarkly itself checks only that the body is JSON and that every `kind` is `custom`;
any other malformed event is accepted with a 202 and then silently not processed (reference
§5). So everything that would be dropped silently is refused here, by name:

- `kind`: `custom` (may be left out: it is the only value);
- `key`: a non-empty string without control characters (a metric's event key must equal it);
- `creationDate`: Unix milliseconds (an integer), or ISO 8601 text with an offset, inside
  the window [now - max age, now + 5 minutes]; a value that reads as seconds says so;
- `metricValue`: a finite JSON number (not a numeric string: Snowplow's tag fails on those);
- `contextKeys`: an object of one or more `kind: key` pairs, kinds as LaunchDarkly allows
  them (letters, digits, `.`, `_`, `-`; not `kind` or `multi`), keys non-empty strings;
- `data`: an object;
- nothing else: an unknown field (`metricvalue`) would be dropped silently, with its data.

Numeric-ness per event key is `metrics.py`'s business; this module gets the event only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Final

from pulumi_ldmetrics.events.constants import FUTURE_TOLERANCE_MS, SECONDS_NOT_MS_BELOW

FIELDS: Final = ("kind", "key", "creationDate", "metricValue", "contextKeys", "data")
CONTEXT_KIND: Final = re.compile(r"^[A-Za-z0-9._-]+$")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_RESERVED_KINDS: Final = frozenset({"kind", "multi"})


@dataclass(frozen=True)
class Window:
    """The accepted `creationDate` range, in Unix milliseconds."""

    oldest_ms: int
    newest_ms: int

    @classmethod
    def around(cls, now_ms: int, max_age_days: float) -> Window:
        """From `max_age_days` before `now_ms` to a little after it (clock skew)."""
        return cls(now_ms - int(max_age_days * 86_400_000), now_ms + FUTURE_TOLERANCE_MS)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds")


def _creation_ms(value: Any, window: Window) -> tuple[int | None, str | None]:
    if isinstance(value, bool) or value is None:
        return None, "creationDate: required, Unix milliseconds (an integer) or ISO 8601 text"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        ms = value
        if 0 < ms < SECONDS_NOT_MS_BELOW:
            return None, f"creationDate: {ms} looks like seconds; it must be Unix milliseconds"
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None, f"creationDate: {value[:40]!r} is not ISO 8601 (or Unix milliseconds)"
        if moment.tzinfo is None:
            return None, f"creationDate: {value[:40]!r} has no time zone offset (add Z or +hh:mm)"
        ms = int(moment.timestamp() * 1000)
    else:
        return None, "creationDate: must be Unix milliseconds (an integer) or ISO 8601 text"
    if ms < window.oldest_ms:
        start = _iso(window.oldest_ms)
        return None, f"creationDate: {_iso(ms)} is before the window start {start} (max age)"
    if ms > window.newest_ms:
        return None, f"creationDate: {_iso(ms)} is in the future"
    return ms, None


def _context_problems(value: Any) -> list[str]:
    if not isinstance(value, dict) or not value:
        return ["contextKeys: required, an object of one or more context kind: key pairs"]
    problems = []
    for kind, key in value.items():
        if not CONTEXT_KIND.match(kind) or kind in _RESERVED_KINDS:
            problems.append(
                f"contextKeys: {kind[:40]!r} is not a context kind (letters, digits, '.', '_',"
                " '-'; not 'kind' or 'multi')"
            )
        elif not isinstance(key, str) or not key:
            problems.append(f"contextKeys.{kind}: the context key must be a non-empty string")
    return problems


def check_event(fields: dict[str, Any], window: Window) -> tuple[dict[str, Any] | None, list[str]]:
    """(the event in wire form, []) or (None, every problem found)."""
    problems = [
        f"unknown field {name[:40]!r} (allowed: {', '.join(FIELDS)})"
        for name in fields
        if name not in FIELDS
    ]
    kind = fields.get("kind", "custom")
    if kind != "custom":
        problems.append(f"kind: must be 'custom', not {str(kind)[:40]!r}")
    key = fields.get("key")
    if not isinstance(key, str) or not key.strip():
        problems.append("key: required, the event key (a non-empty string)")
    elif _CONTROL.search(key):
        problems.append("key: contains control characters")
    ms, problem = _creation_ms(fields.get("creationDate"), window)
    if problem:
        problems.append(problem)
    value = fields.get("metricValue")
    if "metricValue" in fields and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
    ):
        problems.append(f"metricValue: must be a finite number, not {str(value)[:40]!r}")
    problems += _context_problems(fields.get("contextKeys"))
    if "data" in fields and not isinstance(fields["data"], dict):
        problems.append("data: must be an object")
    if problems:
        return None, problems
    event: dict[str, Any] = {
        "kind": "custom",
        "key": key,
        "creationDate": ms,
        "contextKeys": fields["contextKeys"],
    }
    if "metricValue" in fields:
        event["metricValue"] = value
    if "data" in fields:
        event["data"] = fields["data"]
    return event, []
