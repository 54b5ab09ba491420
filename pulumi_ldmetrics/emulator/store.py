"""Lock-protected storage of metrics and metric groups: in memory, or in a SQLite file that
survives restarts.

A store keeps one stored document per `(project, key)` and lists a project's documents in
creation order. `open_stores()` returns two of them, one for metrics (editable fields plus the
server fields `_id`, `_version`, `_versionId`, `_creationDate`, `lastModified`) and one for
metric groups (writable fields plus `_id`, `_version`, `_creationDate`, `_lastModified`); the
two share one re-entrant lock and, with `--db`, one SQLite connection and file (tables
`metrics` and `metric_groups`).

Every method takes the shared lock, and `locked()` lets a caller hold it across a
read-modify-write (PATCH, create-if-absent, or a metric delete that checks the groups) so
concurrent requests cannot interleave. One lock for both also means no lock-order deadlock
between a group write that reads metrics and a metric delete that reads groups.
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
from typing import Any, Final, NamedTuple

JSONDict = dict[str, Any]


class MetricStore(abc.ABC):
    """Storage interface shared by the memory and SQLite stores (of metrics or of groups).

    `lock`: the re-entrant lock to serialise on; a store sharing another's lock is atomic
    with it (a new lock when omitted)."""

    def __init__(self, lock: threading.RLock | None = None) -> None:
        self._lock = lock if lock is not None else threading.RLock()

    @property
    def lock(self) -> threading.RLock:
        """The lock every method takes, for another store to share."""
        return self._lock

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store lock for a multi-step read-modify-write."""
        with self._lock:
            yield

    @abc.abstractmethod
    def insert(self, project: str, doc: JSONDict) -> bool:
        """Store a new document; return False (storing nothing) if its key already exists."""

    @abc.abstractmethod
    def get(self, project: str, key: str) -> JSONDict | None:
        """Return a copy of the stored document, or None."""

    @abc.abstractmethod
    def replace(self, project: str, doc: JSONDict) -> None:
        """Overwrite an existing document, keeping its position in creation order."""

    @abc.abstractmethod
    def delete(self, project: str, key: str) -> bool:
        """Remove a document; return False if it did not exist."""

    @abc.abstractmethod
    def list_project(self, project: str) -> list[JSONDict]:
        """Return copies of a project's documents in creation order."""

    @abc.abstractmethod
    def all(self) -> dict[str, list[JSONDict]]:
        """Return every project's documents, in creation order."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every document of every project."""

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op for the memory store
        """Release resources held by the store."""


class MemoryStore(MetricStore):
    """Dict-backed store; insertion order of the inner dicts is creation order."""

    def __init__(self, lock: threading.RLock | None = None) -> None:
        super().__init__(lock)
        self._data: dict[str, dict[str, JSONDict]] = {}

    def insert(self, project: str, doc: JSONDict) -> bool:
        with self._lock:
            docs = self._data.setdefault(project, {})
            if doc["key"] in docs:
                return False
            docs[doc["key"]] = copy.deepcopy(doc)
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
            return {p: self.list_project(p) for p, docs in self._data.items() if docs}

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


METRICS_TABLE: Final = "metrics"
GROUPS_TABLE: Final = "metric_groups"
# `IF NOT EXISTS`: a file written before groups were persisted has only `metrics`; opening it
# adds `metric_groups` (empty) and leaves the metrics alone.
_SCHEMA: Final = tuple(
    f"""
CREATE TABLE IF NOT EXISTS {table} (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (project, key)
)
"""
    for table in (METRICS_TABLE, GROUPS_TABLE)
)


class StoreInUseError(RuntimeError):
    """The SQLite file is held by another emulator (or any other SQLite client)."""


class _SqliteTable(MetricStore):
    """One table of an open SQLite file, used under `lock` (the connection's only lock).

    Each write is one statement, and the connection is in autocommit mode, so each write is
    its own transaction: a request's write is committed whole or not at all, and committed
    before its response is sent."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock, table: str) -> None:
        super().__init__(lock)
        if table not in (METRICS_TABLE, GROUPS_TABLE):  # interpolated into SQL below
            raise ValueError(f"unknown table {table!r}")
        self._conn = conn
        self._table = table

    def insert(self, project: str, doc: JSONDict) -> bool:
        with self._lock:
            try:
                self._conn.execute(
                    f"INSERT INTO {self._table} (project, key, body) VALUES (?, ?, ?)",
                    (project, doc["key"], json.dumps(doc)),
                )
            except sqlite3.IntegrityError:
                return False
            return True

    def get(self, project: str, key: str) -> JSONDict | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT body FROM {self._table} WHERE project = ? AND key = ?", (project, key)
            ).fetchone()
        return _load(row[0]) if row else None

    def replace(self, project: str, doc: JSONDict) -> None:
        with self._lock:
            self._conn.execute(
                f"UPDATE {self._table} SET body = ? WHERE project = ? AND key = ?",
                (json.dumps(doc), project, doc["key"]),
            )

    def delete(self, project: str, key: str) -> bool:
        with self._lock:
            cursor = self._conn.execute(
                f"DELETE FROM {self._table} WHERE project = ? AND key = ?", (project, key)
            )
            return cursor.rowcount > 0

    def list_project(self, project: str) -> list[JSONDict]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT body FROM {self._table} WHERE project = ? ORDER BY seq", (project,)
            ).fetchall()
        return [_load(body) for (body,) in rows]

    def all(self) -> dict[str, list[JSONDict]]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT project, body FROM {self._table} ORDER BY seq"
            ).fetchall()
        out: dict[str, list[JSONDict]] = {}
        for project, body in rows:
            out.setdefault(project, []).append(_load(body))
        return out

    def clear(self) -> None:
        with self._lock:
            self._conn.execute(f"DELETE FROM {self._table}")


class SqliteStore(_SqliteTable):
    """SQLite-backed metric store, so a demo's metrics and groups survive an emulator restart.

    It owns the connection; `groups` is the store of metric groups in the same file, sharing
    the connection and the lock (closing this store closes both). One connection is shared by
    all request threads; the store lock serialises its use, which is what
    `check_same_thread=False` requires.

    The file is held exclusively for the store's lifetime: two emulators on one file each
    serialise only their own threads, so their read-modify-writes interleaved and acknowledged
    writes were lost (5 of 60 in one run). SQLite's exclusive locking mode keeps the lock
    taken by the first write transaction until the connection closes, and the OS drops it if
    the process dies, so a crashed emulator never leaves the file locked.
    """

    def __init__(self, path: str | Path) -> None:
        # timeout=0: a held lock is reported at once instead of after SQLite's 5 s wait.
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=0)
        try:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute("COMMIT")
        except sqlite3.OperationalError as err:
            conn.close()
            if "locked" in str(err):
                raise StoreInUseError(
                    f"{path} is already in use by another emulator; stop it or choose another "
                    "--db file"
                ) from None
            raise
        super().__init__(conn, threading.RLock(), METRICS_TABLE)
        self.groups = _SqliteTable(conn, self._lock, GROUPS_TABLE)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _load(body: str) -> JSONDict:
    doc: JSONDict = json.loads(body)
    return doc


class Stores(NamedTuple):
    """The emulator's two stores, sharing one lock (and, with a file, one connection)."""

    metrics: MetricStore
    groups: MetricStore

    def close(self) -> None:
        """Release both (the metric store owns the SQLite connection)."""
        self.groups.close()
        self.metrics.close()


def open_stores(db_path: str | Path | None) -> Stores:
    """Return the metric and group stores: in the SQLite file `db_path` (created if missing,
    the groups table added to a file that lacks it), or in memory."""
    if db_path is None:
        metrics = MemoryStore()
        return Stores(metrics, MemoryStore(metrics.lock))
    store = SqliteStore(db_path)
    return Stores(store, store.groups)
