"""Rate limits and injected faults, decided once per request before anything is applied.

Order of checks for every metrics request (the control endpoint is exempt):

1. scripted faults (`fail_next`), first match wins, so tests are deterministic;
2. the global and per-route fixed-window rate limits;
3. random faults drawn from one seeded RNG: error, then drop, then lost response.

LaunchDarkly's rate-limit headers (reference §9): `X-Ratelimit-Reset` is epoch
**milliseconds**, `Retry-After` is integer seconds; `*-Remaining` appear on every response
while a limit is enforced.
"""

from __future__ import annotations

import dataclasses
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

FaultMode = Literal["drop", "lost_response"]
HeaderForm = Literal["both", "reset", "retry-after"]
Action = Literal["proceed", "respond", "drop", "lost_response"]

HEADER_FORMS: Final = ("both", "reset", "retry-after")
RATE_LIMITED_MESSAGE: Final = "You've exceeded the API rate limit. Try again later."
DEFAULT_SCRIPTED_RESET_MS: Final = 1000
GLOBAL_ROUTE: Final = "*"

# Error codes for injected statuses; 409 is the PATCH optimistic-lock conflict (reference §8).
_STATUS_CODES: Final[dict[int, tuple[str, str]]] = {
    400: ("invalid_request", "Invalid request"),
    401: ("unauthorized", "Invalid access token"),
    403: ("forbidden", "Forbidden. Access to the requested resource was denied."),
    404: ("not_found", "Invalid resource identifier"),
    409: ("optimistic_locking_error", "Conflict. Optimistic lock error. Try again later."),
    429: ("rate_limited", RATE_LIMITED_MESSAGE),
    500: ("internal_server_error", "Internal server error"),
    502: ("bad_gateway", "Bad gateway"),
    503: ("service_unavailable", "Service unavailable"),
    504: ("gateway_timeout", "Gateway timeout"),
}


def error_for_status(status: int) -> tuple[str, str]:
    """Return the LaunchDarkly-style `(code, message)` used for an injected `status`."""
    return _STATUS_CODES.get(status, ("server_error" if status >= 500 else "error", "Error"))


@dataclass
class FaultConfig:
    """Run-time tunable fault and rate-limit settings (all off by default)."""

    error_rate: float = 0.0
    """Fraction of requests answered with `error_status` before anything is applied."""
    error_status: int = 503
    drop_rate: float = 0.0
    """Fraction of requests whose connection is closed with no response, before applying."""
    lost_response_rate: float = 0.0
    """Fraction of requests that are applied, then closed without a response."""
    rate_limited_rate: float = 0.0
    """Fraction of requests answered 429 `rate_limited` before applying, as if a limit we do not
    model had been hit; the headers ask to wait `rate_limited_reset_ms`."""
    rate_limited_reset_ms: int = 1000
    """How far ahead `X-Ratelimit-Reset` points for `rate_limited_rate` answers."""
    latency_ms: int = 0
    """Delay added to every metrics request."""
    global_limit: int | None = None
    """Requests allowed per window across all metrics routes; None = unlimited."""
    route_limit: int | None = None
    """Requests allowed per window per route (method + path template); None = unlimited."""
    limit_window_seconds: float = 10.0
    """Length of the fixed rate-limit window; LaunchDarkly's global window is 10 s."""
    rate_limit_headers: HeaderForm = "both"
    """Which 429 headers to send: both, only `X-Ratelimit-Reset`, or only `Retry-After`."""
    seed: int | None = None
    """Seed for the random faults, so a run can be reproduced."""

    def validate(self) -> None:
        """Raise ValueError if any setting is out of range."""
        rates = ("error_rate", "rate_limited_rate", "drop_rate", "lost_response_rate")
        for name in rates:
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{name}: must be a number between 0 and 1")
        if sum(getattr(self, name) for name in rates) > 1:
            raise ValueError(f"{' + '.join(rates)} must not exceed 1")
        if not isinstance(self.rate_limited_reset_ms, int) or self.rate_limited_reset_ms < 0:
            raise ValueError("rate_limited_reset_ms: must be a non-negative integer")
        if not isinstance(self.error_status, int) or not 400 <= self.error_status <= 599:
            raise ValueError("error_status: must be an HTTP error status")
        if not isinstance(self.latency_ms, int) or self.latency_ms < 0:
            raise ValueError("latency_ms: must be a non-negative integer")
        for name in ("global_limit", "route_limit"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{name}: must be a non-negative integer or null")
        window = self.limit_window_seconds
        if not isinstance(window, (int, float)) or window <= 0:
            raise ValueError("limit_window_seconds: must be positive")
        if self.rate_limit_headers not in HEADER_FORMS:
            raise ValueError(f"rate_limit_headers: must be one of {', '.join(HEADER_FORMS)}")


@dataclass
class ScriptedFault:
    """One `fail_next` entry: the next `times` matching requests get `mode`."""

    mode: int | FaultMode
    times: int = 1
    method: str | None = None
    path_contains: str | None = None
    reset_in_ms: int | None = None
    """For 429: `X-Ratelimit-Reset` = now + this (may be negative: a reset in the past)."""
    retry_after: int | None = None
    """For 429: the `Retry-After` value; defaults to ceil(reset_in_ms / 1000)."""

    def __post_init__(self) -> None:
        if isinstance(self.mode, bool) or not (
            self.mode in ("drop", "lost_response")
            or (isinstance(self.mode, int) and 400 <= self.mode <= 599)
        ):
            raise ValueError("mode: must be an HTTP error status, 'drop' or 'lost_response'")
        if not isinstance(self.times, int) or self.times < 1:
            raise ValueError("times: must be a positive integer")

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path_contains is None or self.path_contains in path


@dataclass(frozen=True)
class Decision:
    """What to do with a request, as decided by `FaultInjector.decide`."""

    action: Action
    status: int = 0
    code: str = ""
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    """Headers for the response: rate-limit headers on success and on 429."""
    outcome: str = "ok"
    """The request-log outcome for a fault: "rate_limited", "fault", "dropped", ..."""


PROCEED: Final = Decision("proceed")


class FaultInjector:
    """Thread-safe holder of the fault config, the script, the windows and the RNG."""

    def __init__(
        self, config: FaultConfig | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._config = dataclasses.replace(config) if config else FaultConfig()
        self._config.validate()
        self._rng = random.Random(self._config.seed)
        self._script: list[ScriptedFault] = []
        # route -> (window end in epoch seconds, requests admitted in this window)
        self._windows: dict[str, tuple[float, int]] = {}

    @property
    def config(self) -> FaultConfig:
        """A copy of the current configuration."""
        with self._lock:
            return dataclasses.replace(self._config)

    def update(self, **changes: Any) -> FaultConfig:
        """Apply a partial update; raise ValueError (changing nothing) if it is invalid."""
        names = {f.name for f in dataclasses.fields(FaultConfig)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        with self._lock:
            candidate = dataclasses.replace(self._config, **changes)
            candidate.validate()
            if candidate.limit_window_seconds != self._config.limit_window_seconds:
                self._windows.clear()
            if "seed" in changes:
                self._rng = random.Random(candidate.seed)
            self._config = candidate
            return dataclasses.replace(candidate)

    def add_script(self, fault: ScriptedFault) -> None:
        """Queue a scripted fault (see `Emulator.fail_next`)."""
        with self._lock:
            self._script.append(fault)

    def reset(self) -> None:
        """Turn every fault and limit off and forget the script and the windows."""
        with self._lock:
            self._config = FaultConfig()
            self._rng = random.Random(None)
            self._script.clear()
            self._windows.clear()

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready view of the config and the pending script."""
        with self._lock:
            out = dataclasses.asdict(self._config)
            out["script"] = [dataclasses.asdict(f) for f in self._script]
            return out

    def latency_seconds(self) -> float:
        """The configured per-request latency."""
        with self._lock:
            return self._config.latency_ms / 1000

    def decide(self, method: str, route: str, path: str) -> Decision:
        """Decide the fate of one metrics request (see the module docstring for the order)."""
        with self._lock:
            now = self._clock()
            scripted = self._take_scripted(method, path)
            if scripted is not None:
                return self._scripted_decision(scripted, now)
            limited, headers = self._check_limits(route, now)
            if limited is not None:
                return limited
            return self._random_decision(headers, now)

    def _take_scripted(self, method: str, path: str) -> ScriptedFault | None:
        for i, fault in enumerate(self._script):
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times == 0:
                    del self._script[i]
                return fault
        return None

    def _scripted_decision(self, fault: ScriptedFault, now: float) -> Decision:
        if fault.mode == "drop":
            return Decision("drop", outcome="dropped")
        if fault.mode == "lost_response":
            return Decision("lost_response", outcome="lost_response")
        status = int(fault.mode)
        code, message = error_for_status(status)
        if status != 429:
            return Decision("respond", status, code, message, outcome="fault")
        reset_ms = fault.reset_in_ms if fault.reset_in_ms is not None else DEFAULT_SCRIPTED_RESET_MS
        headers = self._limited_headers(now * 1000 + reset_ms, now, fault.retry_after)
        return Decision("respond", 429, code, message, headers, outcome="rate_limited")

    def _check_limits(self, route: str, now: float) -> tuple[Decision | None, dict[str, str]]:
        config = self._config
        limits = [
            (name, key, limit)
            for name, key, limit in (
                ("Global", GLOBAL_ROUTE, config.global_limit),
                ("Route", route, config.route_limit),
            )
            if limit is not None
        ]
        windows: list[tuple[str, str, int, float, int]] = []
        for name, key, limit in limits:
            end, count = self._windows.get(key, (0.0, 0))
            if now >= end:
                end, count = now + config.limit_window_seconds, 0
                self._windows[key] = (end, count)
            windows.append((name, key, limit, end, count))
        for name, _key, limit, end, count in windows:
            if count >= limit:
                limited = self._limited_headers(end * 1000, now, None)
                if config.rate_limit_headers != "retry-after":
                    limited[f"X-Ratelimit-{name}-Remaining"] = "0"
                    limited[f"X-Ratelimit-{name}-Limit"] = str(limit)
                code, message = error_for_status(429)
                return Decision("respond", 429, code, message, limited, "rate_limited"), {}
        headers: dict[str, str] = {}
        for name, key, limit, end, count in windows:
            self._windows[key] = (end, count + 1)
            headers[f"X-Ratelimit-{name}-Remaining"] = str(limit - count - 1)
            headers[f"X-Ratelimit-{name}-Limit"] = str(limit)
        if windows:
            headers["X-Ratelimit-Reset"] = str(int(min(w[3] for w in windows) * 1000))
        return None, headers

    def _limited_headers(
        self, reset_epoch_ms: float, now: float, retry_after: int | None
    ) -> dict[str, str]:
        form = self._config.rate_limit_headers
        headers: dict[str, str] = {}
        if form in ("both", "reset"):
            headers["X-Ratelimit-Reset"] = str(int(reset_epoch_ms))
        if form in ("both", "retry-after"):
            if retry_after is None:
                retry_after = max(0, math.ceil((reset_epoch_ms - now * 1000) / 1000))
            headers["Retry-After"] = str(retry_after)
        return headers

    def _random_decision(self, headers: dict[str, str], now: float) -> Decision:
        config = self._config
        if not (
            config.error_rate
            or config.rate_limited_rate
            or config.drop_rate
            or config.lost_response_rate
        ):
            return Decision("proceed", headers=headers) if headers else PROCEED
        roll = self._rng.random()
        if roll < config.error_rate:
            code, message = error_for_status(config.error_status)
            return Decision("respond", config.error_status, code, message, headers, "fault")
        roll -= config.error_rate
        if roll < config.rate_limited_rate:
            code, message = error_for_status(429)
            limited = self._limited_headers(now * 1000 + config.rate_limited_reset_ms, now, None)
            if config.rate_limit_headers != "retry-after":
                limited["X-Ratelimit-Global-Remaining"] = "0"
            return Decision("respond", 429, code, message, limited, "rate_limited")
        roll -= config.rate_limited_rate
        if roll < config.drop_rate:
            return Decision("drop", outcome="dropped")
        roll -= config.drop_rate
        if roll < config.lost_response_rate:
            return Decision("lost_response", headers=headers, outcome="lost_response")
        return Decision("proceed", headers=headers)
