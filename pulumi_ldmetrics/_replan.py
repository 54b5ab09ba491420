"""What to do after a write whose outcome is unknown: compare intent with what the server holds.

A write attempt is ambiguous when its response was lost (dropped connection, timeout after
sending) or was a 5xx: LaunchDarkly may have applied it. Replaying it blindly is wrong for JSON
Patch (a `remove` that was applied fails the second time with "can't remove a non-existent
object") and for POST (a 409 then says nothing about who created the key). So the client re-reads
the metric and asks these pure functions what is still to do.

For a create, "holds" is lenient in one direction only: the server may add fields and spell out
defaults, so a live object holds a sent object when it has every sent member with an equal value
(recursively); lists must match element by element. For a patch, an operation counts as applied
only when the value is exactly there (`same`): re-sending an applied one is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jsonpointer

__all__ = ["differing_fields", "holds", "same", "unapplied_ops"]

_ABSENT = object()


def holds(live: Any, sent: Any) -> bool:
    """Whether the server value `live` holds everything of the sent value `sent`."""
    if isinstance(sent, Mapping):
        return isinstance(live, Mapping) and all(
            holds(live.get(name, _ABSENT if value is not None else None), value)
            for name, value in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(live, list)
            and len(live) == len(sent)
            and all(holds(a, b) for a, b in zip(live, sent, strict=True))
        )
    if isinstance(sent, bool) or isinstance(live, bool):
        return type(sent) is type(live) and sent == live  # True == 1 in Python, not in JSON
    return bool(live is not _ABSENT and live == sent)


def same(a: Any, b: Any) -> bool:
    """JSON equality: booleans are not numbers, and a member set to null is an absent one."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        a_set = {k: v for k, v in a.items() if v is not None}
        b_set = {k: v for k, v in b.items() if v is not None}
        return a_set.keys() == b_set.keys() and all(same(a_set[k], b_set[k]) for k in a_set)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def unapplied_ops(
    live: Mapping[str, Any], ops: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The operations of `ops` whose effect `live` does not show yet.

    Only object-member `add`/`replace`/`remove` operations are understood (the only kinds the
    provider sends: lists are always replaced whole). Any other operation is kept, so nothing is
    dropped that cannot be checked.
    """
    pending: list[dict[str, Any]] = []
    for op in ops:
        kind, path = op.get("op"), op.get("path")
        if not isinstance(path, str):
            pending.append(dict(op))
            continue
        current = jsonpointer.resolve_pointer(live, path, _ABSENT)
        if kind in ("add", "replace"):
            # Exact, not `holds`: an op whose effect is in doubt is sent again (it is
            # idempotent), while one wrongly taken as applied would be lost.
            done = current is not _ABSENT and same(current, op.get("value"))
        elif kind == "remove":
            done = current is _ABSENT or current is None
        else:
            done = False
        if not done:
            pending.append(dict(op))
    return pending


def differing_fields(live: Mapping[str, Any], sent: Mapping[str, Any]) -> list[str]:
    """Top-level fields of the create body `sent` that `live` does not hold, sorted."""
    return sorted(name for name, value in sent.items() if not holds(live.get(name), value))
