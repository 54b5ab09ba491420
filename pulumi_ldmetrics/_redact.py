"""The one scrubbing step for secrets: every error message, log line and repr passes through it.

`register(secret)` is called wherever a secret enters the process (settings resolution); it is
kept in a module-level set, so it is never pickled with a provider. `scrub(text)` then removes
each registered secret and every fragment of one that is `MIN_FRAGMENT` characters or longer:
truncating a message after a secret (or an encoding that splits it, like an escaped newline in a
header repr) must not leave a usable piece behind. Scrub before truncating, never after.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Final

__all__ = ["MIN_FRAGMENT", "REDACTED", "RedactingFilter", "clear", "register", "scrub"]

MIN_FRAGMENT: Final = 6
"""Shortest run of a secret's characters that is removed wherever it appears."""
REDACTED: Final = "[redacted]"

_lock = threading.Lock()
_secrets: set[str] = set()
_windows: frozenset[str] = frozenset()
"""Every MIN_FRAGMENT-long substring of every registered secret."""
_short: re.Pattern[str] | None = None
"""Secrets shorter than MIN_FRAGMENT (no real token is), matched as whole words only: as
substrings they would eat ordinary text ("wrong" in "went wrong")."""


def register(secret: str) -> None:
    """Remember `secret` so that `scrub` removes it and its fragments from now on."""
    global _windows, _short
    if not secret.strip():
        return
    with _lock:
        if secret in _secrets:
            return
        _secrets.add(secret)
        windows = set(_windows)
        for value in (secret, secret.strip()):
            windows.update(
                value[i : i + MIN_FRAGMENT] for i in range(len(value) - MIN_FRAGMENT + 1)
            )
        _windows = frozenset(windows)
        short = sorted(s.strip() for s in _secrets if len(s.strip()) < MIN_FRAGMENT)
        _short = (
            re.compile("|".join(rf"(?<![A-Za-z0-9]){re.escape(s)}(?![A-Za-z0-9])" for s in short))
            if short
            else None
        )


def clear() -> None:
    """Forget every registered secret. For test isolation: a long-lived test process meets
    many tokens, and a fragment of one (`import` in `api-import-tests-…`) must not scrub the
    words of the next test's messages."""
    global _windows, _short
    with _lock:
        _secrets.clear()
        _windows = frozenset()
        _short = None


def scrub(text: str) -> str:
    """`text` with every registered secret, and every fragment of one of `MIN_FRAGMENT` or more
    characters, replaced by `[redacted]`.

    A fragment of length n >= MIN_FRAGMENT is a chain of overlapping MIN_FRAGMENT-windows that
    are all substrings of the secret, so marking every such window covers every fragment (and
    occasionally a little more, which errs on the safe side).
    """
    windows, short = _windows, _short
    if not text or (not windows and short is None):
        return text
    covered = bytearray(len(text))
    for i in range(len(text) - MIN_FRAGMENT + 1):
        if text[i : i + MIN_FRAGMENT] in windows:
            covered[i : i + MIN_FRAGMENT] = b"\x01" * MIN_FRAGMENT
    if short is not None:
        for match in short.finditer(text):
            covered[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    if not any(covered):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if covered[i]:
            while i < len(text) and covered[i]:
                i += 1
            out.append(REDACTED)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record's message once and scrubs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = scrub(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            # The formatter would print the exception's own text, unscrubbed.
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
