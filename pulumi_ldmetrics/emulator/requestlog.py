"""The emulator's request log, read by tests and demos through `/_emulator/log`.

Entries hold only what a test needs to assert client behaviour (method, path, outcome,
identifying headers). The `Authorization` header is never recorded, so the log can be
printed or attached to a bug report without leaking a token.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal

Outcome = Literal["ok", "error", "rate_limited", "fault", "dropped", "lost_response"]


@dataclass(frozen=True)
class LogEntry:
    """One metrics request as the emulator saw it."""

    seq: int
    method: str
    path: str
    query: str
    status: int | None
    """The status sent; for `lost_response` the status that was never delivered; None when
    the request was dropped before being applied."""
    duration_ms: float
    outcome: Outcome
    write: bool
    user_agent: str | None
    ld_api_version: str | None
    content_type: str | None
    request_id: str


class RequestLog:
    """Append-only, thread-safe list of `LogEntry`, numbered from 1."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LogEntry] = []
        self._seq = 0

    def next_seq(self) -> int:
        """Reserve the sequence number of a request as it arrives."""
        with self._lock:
            self._seq += 1
            return self._seq

    def append(self, entry: LogEntry) -> None:
        """Record a finished request."""
        with self._lock:
            self._entries.append(entry)
            self._entries.sort(key=lambda e: e.seq)

    def entries(self) -> list[dict[str, Any]]:
        """JSON-ready copies of every entry, in arrival order."""
        with self._lock:
            return [asdict(e) for e in self._entries]

    def clear(self) -> None:
        """Forget every entry (sequence numbers keep counting)."""
        with self._lock:
            self._entries.clear()
