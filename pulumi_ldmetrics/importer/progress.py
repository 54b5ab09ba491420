"""A plain-text progress bar on stderr: `Listing metrics of web [######......]  300/1000`.

Only drawn when asked for or when the stream is a terminal, so logs and CI output stay clean.
"""

from __future__ import annotations

from typing import Final, TextIO

BAR_WIDTH: Final = 30


class ProgressBar:
    """Redraws one line in place with `\\r`; `close()` ends it with a newline."""

    def __init__(self, stream: TextIO, label: str, *, enabled: bool) -> None:
        self._stream = stream
        self._label = label
        self._enabled = enabled
        self._drawn = False

    def update(self, done: int, total: int) -> None:
        """Show `done` of `total` (a total of 0 shows an empty, finished bar)."""
        if not self._enabled:
            return
        total = max(total, done, 0)
        filled = BAR_WIDTH if total == 0 else BAR_WIDTH * done // total
        width = len(str(total))
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self._stream.write(f"\r{self._label} [{bar}] {done:>{width}}/{total}")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Finish the line, so whatever is printed next starts on its own line."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False


def progress_wanted(stream: TextIO, requested: bool | None) -> bool:
    """`--progress` / `--no-progress` decide; by default only on a terminal."""
    if requested is not None:
        return requested
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
