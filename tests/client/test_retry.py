"""The pure retry policy, as tables with a frozen clock."""

from __future__ import annotations

import random

import pytest

from pulumi_ldmetrics._constants import (
    INITIAL_RETRY_DELAY_SECONDS,
    MAX_RETRY_DELAY_SECONDS,
    MIN_RETRY_DELAY_SECONDS,
    RATE_LIMIT_JITTER,
)
from pulumi_ldmetrics._retry import (
    backoff_delay,
    is_optimistic_lock,
    jittered,
    parse_retry_after,
    should_retry,
)

NOW = 1_700_000_000.0
NOW_MS = int(NOW * 1000)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": "0"}, MIN_RETRY_DELAY_SECONDS),
        ({"Retry-After": "3600"}, MAX_RETRY_DELAY_SECONDS),
        ({"Retry-After": "Tue, 14 Nov 2023 22:13:25 GMT"}, 5.0),
        ({"Retry-After": "Tue, 14 Nov 2023 22:13:10 GMT"}, MIN_RETRY_DELAY_SECONDS),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-3"}, None),
        ({"X-Ratelimit-Reset": str(NOW_MS + 1500)}, 1.5),
        ({"x-ratelimit-reset": str(NOW_MS - 1500)}, 1.5),
        ({"X-Ratelimit-Reset": str(NOW_MS)}, MIN_RETRY_DELAY_SECONDS),
        ({"X-Ratelimit-Reset": str(NOW_MS + 3_600_000)}, MAX_RETRY_DELAY_SECONDS),
        ({"X-Ratelimit-Reset": str(NOW_MS - 3_600_000)}, MAX_RETRY_DELAY_SECONDS),
        ({"X-Ratelimit-Reset": "-1500"}, None),
        ({"X-Ratelimit-Reset": "0"}, None),
        ({"X-Ratelimit-Reset": "tomorrow"}, None),
        ({"Retry-After": "2", "X-Ratelimit-Reset": str(NOW_MS + 9000)}, 2.0),
        ({"Retry-After": "soon", "X-Ratelimit-Reset": str(NOW_MS + 4000)}, 4.0),
    ],
    ids=[
        "none",
        "retry-after seconds",
        "retry-after fractional, lower-case name",
        "retry-after zero -> floor",
        "retry-after huge -> cap",
        "retry-after http date",
        "retry-after past date -> floor",
        "retry-after garbage",
        "retry-after negative",
        "reset future",
        "reset past -> abs(delta)",
        "reset now -> floor",
        "reset far future -> cap",
        "reset far past -> cap",
        "reset negative value ignored",
        "reset zero ignored",
        "reset garbage",
        "both: retry-after wins",
        "bad retry-after falls through to reset",
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    result = parse_retry_after(headers, NOW)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (405, False),
        (409, False),
        (422, False),
        (429, True),
        (500, True),
        (501, False),
        (502, True),
        (503, True),
        (504, True),
    ],
)
def test_should_retry(status: int, retry: bool) -> None:
    assert should_retry(status) is retry


@pytest.mark.parametrize(
    ("method", "status", "code", "expected"),
    [
        ("PATCH", 409, "optimistic_locking_error", True),
        ("patch", 409, "optimistic_locking_error", True),
        ("POST", 409, "optimistic_locking_error", False),
        ("PATCH", 409, "conflict", False),
        ("PATCH", 400, "optimistic_locking_error", False),
    ],
)
def test_is_optimistic_lock(method: str, status: int, code: str, expected: bool) -> None:
    assert is_optimistic_lock(method, status, code) is expected


@pytest.mark.parametrize("attempt", [0, 1, 2, 3, 5, 8, 20, 200])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backoff_delay_is_capped_exponential_with_bounded_jitter(attempt: int, seed: int) -> None:
    base = min(INITIAL_RETRY_DELAY_SECONDS * 2**attempt, MAX_RETRY_DELAY_SECONDS)
    delay = backoff_delay(attempt, random.Random(seed))
    assert 0.75 * base <= delay <= base


def test_backoff_delay_grows_then_plateaus() -> None:
    class Fixed(random.Random):
        def random(self) -> float:
            return 0.0

    delays = [backoff_delay(attempt, Fixed()) for attempt in range(10)]
    assert delays[:4] == [0.25, 0.5, 1.0, 2.0]
    assert delays[-1] == MAX_RETRY_DELAY_SECONDS


@pytest.mark.parametrize("seed", range(5))
def test_jittered_never_waits_less_than_asked(seed: int) -> None:
    delay = jittered(2.0, random.Random(seed))
    assert 2.0 <= delay <= 2.0 * (1 + RATE_LIMIT_JITTER)
