"""Decode a request's JSON safely: every malformed or hostile document is a `BodyError`.

`json.loads` alone is not enough for a server: it raises `RecursionError` on deep nesting,
a plain `ValueError` for integers past Python's 4,300-digit limit, and it accepts
`NaN`/`Infinity`, which are not JSON. Values that parse but that later code would choke on
(a 10^400 integer overflows `math.isfinite`; 900 levels of nesting overflow `copy.deepcopy`)
are refused here too, so the handlers only ever see documents they can walk.

The limits are our guess at the live API, which is written in Go: its decoder rejects numbers
that do not fit the target `int64`/`float64` field with a 400, and no metric body needs more
than a few levels of nesting.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

MAX_DEPTH: Final = 32
"""Deepest array/object nesting accepted. A metric's deepest legitimate path is about 10
levels (denominator -> filters -> values -> group -> values ...)."""

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1


class BodyError(ValueError):
    """The body is not an acceptable JSON document; the message is the 400 message."""


def _reject_constant(name: str) -> Any:
    raise BodyError(f"body: {name} is not valid JSON")


def parse_json(body: bytes, *, what: str = "body") -> Any:
    """Decode `body` as JSON and check it (depth, numbers); raise BodyError if unacceptable."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(f"{what}: must be UTF-8 encoded JSON") from None
    return parse_json_text(text, what=what)


def parse_json_text(text: str, *, what: str = "body") -> Any:
    """Like `parse_json`, for an already decoded string."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except BodyError:
        raise
    except RecursionError:
        raise BodyError(f"{what}: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as err:
        # JSONDecodeError, and the ValueError for integers longer than 4,300 digits.
        raise BodyError(f"{what}: must be valid JSON ({_short(err)})") from None
    check_document(value, what=what)
    return value


def check_document(value: Any, *, what: str = "body") -> None:
    """Raise BodyError if `value` nests deeper than MAX_DEPTH or holds an unrepresentable number.

    Iterative, so it cannot itself run out of stack on whatever `json.loads` produced.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                raise BodyError(f"{what}: nested more than {MAX_DEPTH} levels deep")
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(node, bool):
            continue
        elif isinstance(node, int) and not INT64_MIN <= node <= INT64_MAX:
            raise BodyError(f"{what}: number out of range (integers must fit in 64 bits)")
        elif isinstance(node, float) and not math.isfinite(node):
            raise BodyError(f"{what}: number out of range")


def _short(err: ValueError) -> str:
    text = str(err)
    return text if len(text) <= 120 else text[:117] + "..."
