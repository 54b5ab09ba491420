"""Retry policy as pure functions: which responses to retry and how long to wait.

No I/O and no clock: callers pass ``now`` and a ``random.Random``, so the policy is tested as
tables. The client's one retry loop (``client.py``) is the only caller.
"""

from __future__ import annotations

import email.utils
import math
import random
from collections.abc import Mapping
from typing import Final

from pulumi_ldmetrics._constants import (
    INITIAL_RETRY_DELAY_SECONDS,
    MAX_RETRY_DELAY_SECONDS,
    MIN_RETRY_DELAY_SECONDS,
    RATE_LIMIT_JITTER,
)

__all__ = [
    "OPTIMISTIC_LOCK_CODE",
    "backoff_delay",
    "is_optimistic_lock",
    "jittered",
    "parse_retry_after",
    "should_retry",
]

OPTIMISTIC_LOCK_CODE: Final = "optimistic_locking_error"
"""LaunchDarkly's 409 code for "Conflict. Optimistic lock error. Try again later." (§8)."""


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup that works for plain dicts as well as ``httpx.Headers``."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value.strip()
    return None


def _clamp(seconds: float) -> float:
    return min(max(seconds, MIN_RETRY_DELAY_SECONDS), MAX_RETRY_DELAY_SECONDS)


def parse_retry_after(headers: Mapping[str, str], now_seconds: float) -> float | None:
    """Seconds to wait before retrying, as the response headers ask, or None if they don't say.

    Read in this order (first usable one wins):

    1. ``Retry-After``: delay in seconds, or an HTTP date. LaunchDarkly sends it for its IP
       limit, and its docs say clients "must wait at least Retry-After seconds".
    2. ``X-Ratelimit-Reset``: when the global/route window resets, in epoch *milliseconds*.
       If that moment is already past (clock skew), wait ``abs(delta)`` as the Terraform
       provider does ("LD-s retry header results in a negative sleep duration"). A
       non-positive value is not a timestamp and is ignored.

    The result is clamped to [MIN_RETRY_DELAY_SECONDS, MAX_RETRY_DELAY_SECONDS]: the floor
    keeps a "reset now" from becoming a busy loop, the cap bounds one ``pulumi up`` step (a
    longer limit is simply met again on the next attempt).
    """
    retry_after = _header(headers, "retry-after")
    if retry_after:
        try:
            seconds = float(retry_after)
        except ValueError:
            try:
                moment = email.utils.parsedate_to_datetime(retry_after)
            except (TypeError, ValueError):
                moment = None
            if moment is not None and moment.tzinfo is not None:
                return _clamp(moment.timestamp() - now_seconds)  # a past date → the floor
        else:
            if math.isfinite(seconds) and seconds >= 0:
                return _clamp(seconds)

    reset = _header(headers, "x-ratelimit-reset")
    if reset:
        try:
            reset_ms = float(reset)
        except ValueError:
            return None
        if math.isfinite(reset_ms) and reset_ms > 0:
            return _clamp(abs(reset_ms / 1000.0 - now_seconds))
    return None


def should_retry(status_code: int) -> bool:
    """True for 429 and 5xx (except 501): LaunchDarkly asks clients to retry those.

    Never any other 4xx. In particular not 409: on POST it means the key is taken, and
    repeating the request cannot change that (``is_optimistic_lock`` covers PATCH).
    501 is excluded like go-retryablehttp (the Terraform provider's retry library) does: a
    method the server does not implement will not start working.
    """
    return status_code == 429 or (status_code >= 500 and status_code != 501)


def is_optimistic_lock(method: str, status_code: int, code: str) -> bool:
    """True for a PATCH 409 ``optimistic_locking_error``: a concurrent write won the race.

    LaunchDarkly's text for it is "Retry your request". Our patches either ``replace`` fields
    with desired values (idempotent) or carry a ``test`` precondition that fails loudly on the
    retry, so retrying cannot silently overwrite anything the caller did not mean to.
    """
    return method.upper() == "PATCH" and status_code == 409 and code == OPTIMISTIC_LOCK_CODE


def backoff_delay(attempt: int, rng: random.Random) -> float:
    """Capped exponential backoff with jitter for retry number ``attempt`` (0 for the first).

    ``min(INITIAL * 2**attempt, MAX)`` scaled by a random factor in (0.75, 1]: up to 25%
    early, so that four provider threads failing together do not retry in lockstep.
    """
    base = min(INITIAL_RETRY_DELAY_SECONDS * 2.0 ** min(attempt, 32), MAX_RETRY_DELAY_SECONDS)
    return base * (1.0 - 0.25 * rng.random())


def jittered(delay: float, rng: random.Random) -> float:
    """A header-derived delay plus up to RATE_LIMIT_JITTER of it, never less than asked.

    LaunchDarkly's rate limits are per account, shared by every thread and process; its docs
    say clients "should employ jitter". Jitter only adds, because Retry-After is a minimum.
    """
    return delay * (1.0 + RATE_LIMIT_JITTER * rng.random())
