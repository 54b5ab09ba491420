"""What the emulated events host accepted, per environment, with payload-id de-duplication.

Events live in memory only (the metrics store's SQLite file is for metric definitions): a
test reads them back through `EventsEmulator.accepted()` or `GET /_emulator/events/...`.
De-duplication is per environment and remembers every payload id for the store's lifetime
(guess: LaunchDarkly does not say for how long it remembers ids).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EnvironmentEvents:
    """One environment's accepted events and counters."""

    events: list[dict[str, Any]] = field(default_factory=list)
    """Accepted events, each with `_receivedAt` (epoch ms) and `_payloadId` added."""
    payload_ids: set[str] = field(default_factory=set)
    payloads: int = 0
    """Payloads accepted (a de-duplicated retry is not counted again)."""
    duplicates: int = 0
    """Payloads answered 202 but ignored, because their id had been accepted already."""
    dropped: Counter[str] = field(default_factory=Counter)
    """Events accepted with a 202 but not processed, by reason."""


class EventStore:
    """Thread-safe map of `(project, environment)` to `EnvironmentEvents`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._envs: dict[tuple[str, str], EnvironmentEvents] = {}

    def accept(
        self,
        project: str,
        environment: str,
        payload_id: str | None,
        events: list[dict[str, Any]],
        dropped: list[str],
        received_ms: int,
    ) -> bool:
        """Store a payload; False (storing nothing) when its id was accepted before."""
        with self._lock:
            env = self._envs.setdefault((project, environment), EnvironmentEvents())
            if payload_id is not None:
                if payload_id in env.payload_ids:
                    env.duplicates += 1
                    return False
                env.payload_ids.add(payload_id)
            env.payloads += 1
            env.dropped.update(dropped)
            env.events.extend(
                {**event, "_receivedAt": received_ms, "_payloadId": payload_id} for event in events
            )
            return True

    def events(self, project: str, environment: str) -> list[dict[str, Any]]:
        """Copies of the accepted events of one environment (none: empty list)."""
        with self._lock:
            env = self._envs.get((project, environment))
            return [dict(e) for e in env.events] if env else []

    def summary(self, project: str, environment: str, event_keys: set[str]) -> dict[str, Any]:
        """Counters of one environment; `unmatchedKey` counts events no metric key matches."""
        with self._lock:
            env = self._envs.get((project, environment)) or EnvironmentEvents()
            keys = Counter(e.get("key") for e in env.events)
            return {
                "projectKey": project,
                "environmentKey": environment,
                "accepted": len(env.events),
                "payloads": env.payloads,
                "duplicatePayloads": env.duplicates,
                "dropped": sum(env.dropped.values()),
                "droppedReasons": dict(env.dropped),
                "unmatchedKey": sum(n for k, n in keys.items() if k not in event_keys),
                "keys": {str(k): n for k, n in sorted(keys.items(), key=lambda kv: str(kv[0]))},
            }

    def environments(self) -> list[tuple[str, str]]:
        """Every environment that received a payload, in first-seen order."""
        with self._lock:
            return list(self._envs)

    def clear(self) -> None:
        """Forget every event and payload id."""
        with self._lock:
            self._envs.clear()
