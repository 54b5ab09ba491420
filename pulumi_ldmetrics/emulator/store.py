"""Lock-protected metric storage: in memory, or in a SQLite file that survives restarts.

Both stores keep each metric's stored document (editable fields plus the server fields
`_id`, `_version`, `_versionId`, `_creationDate`, `lastModified`) per `(project, key)`, and
list a project's metrics in creation order.

Every method takes the store's re-entrant lock, and `locked()` lets a caller hold it across
a read-modify-write (PATCH, or create-if-absent) so concurrent requests cannot interleave.
"""

from __future__ import annotations

import abc
import copy
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

JSONDict = dict[str, Any]


class MetricStore(abc.ABC):
    """Storage interface shared by the memory and SQLite stores."""

    def __init__(self) -> None:
        self._lock = threading.RLock()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store lock for a multi-step read-modify-write."""
        with self._lock:
            yield

    @abc.abstractmethod
    def insert(self, project: str, doc: JSONDict) -> bool:
        """Store a new metric; return False (storing nothing) if its key already exists."""

    @abc.abstractmethod
    def get(self, project: str, key: str) -> JSONDict | None:
        """Return a copy of the stored metric, or None."""

    @abc.abstractmethod
    def replace(self, project: str, doc: JSONDict) -> None:
        """Overwrite an existing metric, keeping its position in creation order."""

    @abc.abstractmethod
    def delete(self, project: str, key: str) -> bool:
        """Remove a metric; return False if it did not exist."""

    @abc.abstractmethod
    def list_project(self, project: str) -> list[JSONDict]:
        """Return copies of a project's metrics in creation order."""

    @abc.abstractmethod
    def all(self) -> dict[str, list[JSONDict]]:
        """Return every project's metrics, in creation order."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every metric of every project."""

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op for the memory store
        """Release resources held by the store."""


class MemoryStore(MetricStore):
    """Dict-backed store; insertion order of the inner dicts is creation order."""

    def __init__(self) -> None:
        super().__init__()
        self._data: dict[str, dict[str, JSONDict]] = {}

    def insert(self, project: str, doc: JSONDict) -> bool:
        with self._lock:
            metrics = self._data.setdefault(project, {})
            if doc["key"] in metrics:
                return False
            metrics[doc["key"]] = copy.deepcopy(doc)
            return True

    def get(self, project: str, key: str) -> JSONDict | None:
        with self._lock:
            doc = self._data.get(project, {}).get(key)
            return copy.deepcopy(doc) if doc is not None else None

    def replace(self, project: str, doc: JSONDict) -> None:
        with self._lock:
            self._data[project][doc["key"]] = copy.deepcopy(doc)

    def delete(self, project: str, key: str) -> bool:
        with self._lock:
            return self._data.get(project, {}).pop(key, None) is not None

    def list_project(self, project: str) -> list[JSONDict]:
        with self._lock:
            return [copy.deepcopy(d) for d in self._data.get(project, {}).values()]

    def all(self) -> dict[str, list[JSONDict]]:
        with self._lock:
            return {p: self.list_project(p) for p, metrics in self._data.items() if metrics}

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS metrics (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (project, key)
)
"""


class StoreInUseError(RuntimeError):
    """The SQLite file is held by another emulator (or any other SQLite client)."""


class SqliteStore(MetricStore):
    """SQLite-backed store, so a demo's metrics survive an emulator restart.

    One connection is shared by all request threads; the store lock serialises its use,
    which is what `check_same_thread=False` requires.

    The file is held exclusively for the store's lifetime: two emulators on one file each
    serialise only their own threads, so their read-modify-writes interleaved and acknowledged
    writes were lost (5 of 60 in one run). SQLite's exclusive locking mode keeps the lock
    taken by the first write transaction until the connection closes, and the OS drops it if
    the process dies, so a crashed emulator never leaves the file locked.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        # timeout=0: a held lock is reported at once instead of after SQLite's 5 s wait.
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=0
        )
        try:
            self._conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            self._conn.execute("BEGIN EXCLUSIVE")
            self._conn.execute(_SCHEMA)
            self._conn.execute("COMMIT")
        except sqlite3.OperationalError as err:
            self._conn.close()
            if "locked" in str(err):
                raise StoreInUseError(
                    f"{path} is already in use by another emulator; stop it or choose another "
                    "--db file"
                ) from None
            raise

    def insert(self, project: str, doc: JSONDict) -> bool:
        with self._lock:
            try:
                self._conn.execute(
                    "INSERT INTO metrics (project, key, body) VALUES (?, ?, ?)",
                    (project, doc["key"], json.dumps(doc)),
                )
            except sqlite3.IntegrityError:
                return False
            return True

    def get(self, project: str, key: str) -> JSONDict | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT body FROM metrics WHERE project = ? AND key = ?", (project, key)
            ).fetchone()
        return _load(row[0]) if row else None

    def replace(self, project: str, doc: JSONDict) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE metrics SET body = ? WHERE project = ? AND key = ?",
                (json.dumps(doc), project, doc["key"]),
            )

    def delete(self, project: str, key: str) -> bool:
        with self._lock:
            cursor = self._conn.execute(
                "DELETE FROM metrics WHERE project = ? AND key = ?", (project, key)
            )
            return cursor.rowcount > 0

    def list_project(self, project: str) -> list[JSONDict]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT body FROM metrics WHERE project = ? ORDER BY seq", (project,)
            ).fetchall()
        return [_load(body) for (body,) in rows]

    def all(self) -> dict[str, list[JSONDict]]:
        with self._lock:
            rows = self._conn.execute("SELECT project, body FROM metrics ORDER BY seq").fetchall()
        out: dict[str, list[JSONDict]] = {}
        for project, body in rows:
            out.setdefault(project, []).append(_load(body))
        return out

    def clear(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM metrics")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _load(body: str) -> JSONDict:
    doc: JSONDict = json.loads(body)
    return doc


def open_store(db_path: str | Path | None) -> MetricStore:
    """Return a SQLite store for `db_path` (created if missing), or a memory store."""
    return SqliteStore(db_path) if db_path is not None else MemoryStore()
