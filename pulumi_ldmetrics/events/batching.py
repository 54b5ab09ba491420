"""Cut encoded events into request bodies within the size and count limits, and name each one.

A batch's payload id is derived from its content (UUID 5 of project, environment and the body's
SHA-256): every retry of a batch carries the same id, as LaunchDarkly requires for its
de-duplication (reference §7), and so does a re-run of the same import after a failure, so
batches that were accepted before the failure are de-duplicated too. A different body gets a
different id, so two distinct payloads are never merged.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

_NAMESPACE: Final = uuid.UUID("9a4b3f1e-2c55-4d8e-a1f0-6f2b7c3d9e10")
"""Fixed namespace of the payload ids (any constant works; it must never change)."""


_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
"""One encoder for every event: `json.dumps` would build a new one per call."""


def encode_event(event: dict[str, Any]) -> bytes:
    """Compact JSON, the form a batch body is joined from."""
    return _ENCODER.encode(event).encode("utf-8")


@dataclass(frozen=True)
class Batch:
    """Events `start` (inclusive) to `stop` (exclusive) of the import, as one request body."""

    number: int
    """1-based."""
    start: int
    stop: int
    body: bytes
    payload_id: str

    @property
    def count(self) -> int:
        """Events in the batch."""
        return self.stop - self.start


def ranges(sizes: Sequence[int], *, max_events: int, max_bytes: int) -> Iterator[tuple[int, int]]:
    """`(start, stop)` of each batch: as many events as fit both limits, in input order."""
    if max_events < 1 or max_bytes < 3:
        raise ValueError("max_events must be >= 1 and max_bytes >= 3")
    start = 0
    while start < len(sizes):
        size, stop = 2 + sizes[start], start + 1
        if size > max_bytes:
            raise ValueError(f"event {start} alone makes a {size}-byte body, over {max_bytes}")
        while stop < len(sizes) and stop - start < max_events:
            grown = size + 1 + sizes[stop]
            if grown > max_bytes:
                break
            size, stop = grown, stop + 1
        yield start, stop
        start = stop


def batches(
    encoded: Sequence[bytes],
    *,
    project_key: str,
    environment_key: str,
    max_events: int,
    max_bytes: int,
) -> Iterator[Batch]:
    """The batches, in input order, each body built only when its turn comes (they are large)."""
    sizes = [len(e) for e in encoded]
    spans = ranges(sizes, max_events=max_events, max_bytes=max_bytes)
    for number, (start, stop) in enumerate(spans, start=1):
        body = b"[" + b",".join(encoded[start:stop]) + b"]"
        yield Batch(number, start, stop, body, payload_id(project_key, environment_key, body))


def payload_id(project_key: str, environment_key: str, body: bytes) -> str:
    """The `X-LaunchDarkly-Payload-ID` of a body (see the module docstring)."""
    digest = hashlib.sha256(body).hexdigest()
    return str(uuid.uuid5(_NAMESPACE, f"{project_key}/{environment_key}/{digest}"))
