"""Metric groups in the `--db` SQLite file: they survive a restart (of the class, and of the CLI
killed without warning) as they were served, an older file without a groups table opens, and
groups and metrics share one lock (no deadlock, no group over a deleted metric)."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer

from .helpers import METRICS, PROJECT, assert_error, create, new_client

BETA = {"LD-API-Version": "beta"}
GROUPS = f"/api/v2/projects/{PROJECT}/metric-groups"
MEMBER = "569fdeadbeef1644facecafe"
# The `metrics` table exactly as the emulator wrote it before groups were persisted.
OLD_METRICS_DDL = """CREATE TABLE metrics (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (project, key)
)"""


def metric(key: str) -> dict[str, Any]:
    return {"key": key, "name": key.title(), "kind": "custom", "eventKey": f"{key}-event"}


def group(key: str, kind: str, steps: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "key": key,
        "name": f"Group {key}",
        "kind": kind,
        "maintainerId": MEMBER,
        "tags": ["t"],
        "metrics": [{"key": k, "nameInGroup": n} for k, n in steps],
    }


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def served_groups(http: httpx.Client) -> dict[str, Any]:
    """Every group as listed, and each one as read by key."""
    listed = ok(http.get(GROUPS, params={"limit": 50}, headers=BETA))
    return {
        "list": listed,
        "each": {
            g["key"]: ok(http.get(f"{GROUPS}/{g['key']}", headers=BETA)) for g in listed["items"]
        },
    }


def table_names(db: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }


def test_groups_created_patched_and_deleted_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "groups.db"
    first = Emulator(db_path=db)
    with EmulatorServer(first) as server, new_client(server.url) as http:
        for key in ("cart", "paid", "shipped", "refund"):
            create(http, metric(key))
        funnel = group("checkout", "funnel", [("cart", "Add"), ("paid", "Pay")])
        created = ok(http.post(GROUPS, json=funnel, headers=BETA), 201)
        standard = group("std", "standard", [("refund", ""), ("cart", "")])
        ok(http.post(GROUPS, json=standard, headers=BETA), 201)
        ok(
            http.post(
                GROUPS, json=group("gone", "standard", [("cart", ""), ("paid", "")]), headers=BETA
            ),
            201,
        )
        # Membership (paid out, shipped and refund in), order and step names change; version 2.
        members = [
            {"key": "shipped", "nameInGroup": "Ship"},
            {"key": "cart", "nameInGroup": "Add to cart"},
            {"key": "refund", "nameInGroup": "Refund"},
        ]
        patch = [
            {"op": "replace", "path": "/metrics", "value": members},
            {"op": "add", "path": "/description", "value": "why"},
        ]
        patched = ok(http.patch(f"{GROUPS}/checkout", json=patch, headers=BETA))
        assert patched["_version"] == 2 and patched["_id"] == created["_id"]
        assert [(m["key"], m["nameInGroup"]) for m in patched["metrics"]] == [
            ("shipped", "Ship"),
            ("cart", "Add to cart"),
            ("refund", "Refund"),
        ]
        assert http.delete(f"{GROUPS}/gone", headers=BETA).status_code == 204
        # `paid` left every group, so it can go; the metric store agrees after the restart.
        assert http.delete(f"{METRICS}/paid").status_code == 204
        before = served_groups(http)
        in_process = first.metric_groups()
    first.close()

    second = Emulator(db_path=db)
    with EmulatorServer(second) as server, new_client(server.url) as http:
        after = served_groups(http)
        assert after == before
        assert [g["key"] for g in after["list"]["items"]] == ["checkout", "std"]
        checkout = after["each"]["checkout"]
        for field in ("key", "name", "kind", "_id", "_version", "_creationDate", "_lastModified"):
            assert checkout[field] == patched[field]
        assert checkout["_creationDate"] == created["_creationDate"]
        assert checkout["metrics"] == patched["metrics"]
        assert second.metric_groups() == in_process
        assert_error(http.get(f"{GROUPS}/gone", headers=BETA), 404, "not_found")
        duplicate = group("checkout", "funnel", [("cart", "A"), ("shipped", "S")])
        assert_error(http.post(GROUPS, json=duplicate, headers=BETA), 409, "conflict")
        # The guard still sees the persisted groups: a metric they hold cannot be deleted.
        refused = assert_error(http.delete(f"{METRICS}/refund"), 400, "invalid_request")
        assert "checkout, std" in refused["message"]
        # Versions go on from the stored one.
        again = ok(
            http.patch(
                f"{GROUPS}/checkout",
                json=[{"op": "replace", "path": "/name", "value": "Renamed"}],
                headers=BETA,
            )
        )
        assert again["_version"] == 3 and again["_creationDate"] == created["_creationDate"]
        # The deleted group's key is free again.
        ok(
            http.post(
                GROUPS, json=group("gone", "standard", [("cart", ""), ("refund", "")]), headers=BETA
            ),
            201,
        )
    second.close()

    third = Emulator(db_path=db)
    assert [g["key"] for g in third.metric_groups()[PROJECT]] == ["checkout", "std", "gone"]
    assert third.metric_groups()[PROJECT][0]["name"] == "Renamed"
    third.reset()  # wipes the file's groups as well as its metrics
    assert third.metric_groups() == {} and third.metrics() == {}
    third.close()
    fourth = Emulator(db_path=db)
    assert fourth.metric_groups() == {} and fourth.metrics() == {}
    fourth.close()


def test_a_db_file_without_a_groups_table_opens_and_gains_one(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    # A file as the previous version left it: the same `metrics` table, no `metric_groups`.
    writer = Emulator(db_path=db)
    with EmulatorServer(writer) as server, new_client(server.url) as http:
        cart, paid = create(http, metric("cart")), create(http, metric("paid"))
    writer.close()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("DROP TABLE metric_groups")
        conn.commit()
        (ddl,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'metrics'").fetchone()
    assert ddl.strip() == OLD_METRICS_DDL
    assert "metric_groups" not in table_names(db)

    upgraded = Emulator(db_path=db)
    with EmulatorServer(upgraded) as server, new_client(server.url) as http:
        assert ok(http.get(f"{METRICS}/cart")) == cart and ok(http.get(f"{METRICS}/paid")) == paid
        assert ok(http.get(GROUPS, headers=BETA))["totalCount"] == 0
        rep = ok(
            http.post(
                GROUPS, json=group("g", "funnel", [("paid", "P"), ("cart", "C")]), headers=BETA
            ),
            201,
        )
    upgraded.close()
    assert "metric_groups" in table_names(db)

    reopened = Emulator(db_path=db)
    assert reopened.metric_groups() == {PROJECT: [rep]}
    assert [m["key"] for m in reopened.metrics()[PROJECT]] == ["cart", "paid"]
    reopened.close()


def test_in_memory_groups_are_per_emulator_and_touch_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = Emulator()
    with EmulatorServer(first) as server, new_client(server.url) as http:
        create(http, metric("cart"))
        create(http, metric("paid"))
        ok(
            http.post(
                GROUPS, json=group("g", "standard", [("cart", ""), ("paid", "")]), headers=BETA
            ),
            201,
        )
        assert [g["key"] for g in first.metric_groups()[PROJECT]] == ["g"]
    first.close()
    assert Emulator().metric_groups() == {}
    assert list(tmp_path.iterdir()) == []


def _run_cli(db: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_ldmetrics.emulator", "--port", "0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line.startswith("LaunchDarkly emulator listening on "), line
    return proc, line.removeprefix("LaunchDarkly emulator listening on ")


def _stop(proc: subprocess.Popen[str], sig: signal.Signals) -> int:
    try:
        proc.send_signal(sig)
        return proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_cli_acknowledged_group_writes_survive_sigkill(tmp_path: Path) -> None:
    """No close, no flush on exit: what was answered is already in the file."""
    db = tmp_path / "cli.db"
    proc, url = _run_cli(db)
    try:
        with new_client(url) as http:
            for key in ("cart", "paid", "shipped"):
                create(http, metric(key))
            ok(
                http.post(
                    GROUPS, json=group("f", "funnel", [("cart", "A"), ("paid", "B")]), headers=BETA
                ),
                201,
            )
            swap = [{"key": "shipped", "nameInGroup": "S"}, {"key": "cart", "nameInGroup": "A"}]
            patch = [{"op": "replace", "path": "/metrics", "value": swap}]
            ok(http.patch(f"{GROUPS}/f", json=patch, headers=BETA))
            before = served_groups(http)
    finally:
        assert _stop(proc, signal.SIGKILL) == -signal.SIGKILL

    proc, url = _run_cli(db)
    try:
        with new_client(url) as http:
            assert served_groups(http) == before
            assert before["each"]["f"]["_version"] == 2
    finally:
        assert _stop(proc, signal.SIGTERM) == 0


@pytest.mark.parametrize("storage", ["memory", "sqlite"])
def test_group_writes_and_metric_deletes_share_one_lock(tmp_path: Path, storage: str) -> None:
    """A group PATCH (holding the lock, reading metrics) against a metric DELETE (holding the
    lock, reading groups) deadlocked when each store had its own lock; and a group created
    over a metric deleted between the group's check and its insert named a missing metric."""
    emulator = Emulator(db_path=tmp_path / "lock.db" if storage == "sqlite" else None)
    transport = httpx.WSGITransport(app=emulator.wsgi_app)
    problems: list[str] = []

    def client() -> httpx.Client:
        return httpx.Client(transport=transport, base_url="http://emulator", headers=BETA)

    with client() as http:
        for key in ("a", "b", "c"):
            create(http, metric(key))
        ok(
            http.post(
                GROUPS, json=group("fixed", "standard", [("b", ""), ("c", "")]), headers=BETA
            ),
            201,
        )

    def patcher() -> None:
        with client() as http:
            for i in range(150):
                order = [("b", ""), ("c", "")] if i % 2 else [("c", ""), ("b", "")]
                value = [{"key": k, "nameInGroup": n} for k, n in order]
                response = http.patch(
                    f"{GROUPS}/fixed", json=[{"op": "replace", "path": "/metrics", "value": value}]
                )
                if response.status_code != 200:
                    problems.append(f"patch: {response.status_code} {response.text}")

    def grouper() -> None:
        with client() as http:
            for i in range(150):
                response = http.post(
                    GROUPS, json=group(f"g{i}", "standard", [("a", ""), ("b", "")])
                )
                if response.status_code == 201:
                    # The group holds `a`, so nothing may have deleted it.
                    if http.get(f"{METRICS}/a").status_code != 200:
                        problems.append(f"group g{i} was created over a deleted metric")
                    http.delete(f"{GROUPS}/g{i}")
                elif "unknown metric 'a'" not in response.text:
                    problems.append(f"create: {response.status_code} {response.text}")

    def deleter() -> None:
        with client() as http:
            for _ in range(150):
                if http.delete(f"{METRICS}/a").status_code == 204:
                    create(http, metric("a"))

    workers: list[Callable[[], None]] = [patcher, grouper, deleter]
    threads = [threading.Thread(target=w, daemon=True) for w in workers]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30  # about 1 s without the deadlock
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not [t for t in threads if t.is_alive()], "deadlock: a worker never finished"
    assert problems == []
    held = {m["key"] for g in emulator.metric_groups().get(PROJECT, []) for m in g["metrics"]}
    assert held <= {m["key"] for m in emulator.metrics()[PROJECT]}
    emulator.close()
