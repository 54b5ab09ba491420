"""All-or-nothing writing of the import's output files.

Every file is first written in full to a temporary file in its destination directory (same
file system, so the final `os.replace` is an atomic rename), flushed and fsynced. Only when all
of them are complete are they renamed into place. If anything fails before that, the temporary
files are removed and no destination is touched: an existing file keeps its old content and no
half-written file is ever visible under a final name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_files_atomically(files: Mapping[Path, str]) -> None:
    """Write `{path: text}` (UTF-8); each path ends up with its whole new text or untouched."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            staged.append((_stage(path, text), path))
        for temp, path in staged:
            os.replace(temp, path)
    except BaseException:
        for temp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        raise


def _stage(path: Path, text: str) -> Path:
    """Write `text` to a new temporary file beside `path`; return the temporary path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes 0600; these are ordinary project files
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return temp
