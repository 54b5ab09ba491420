"""SQLite storage (--db) and thread safety of both stores."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.emulator.store import StoreInUseError

from .helpers import CUSTOM, METRICS, NUMERIC, assert_error, create, new_client


def test_sqlite_metrics_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sub.db"
    first = Emulator(db_path=db)
    with EmulatorServer(first) as server, new_client(server.url) as http:
        created = create(http, CUSTOM)
        create(http, NUMERIC)
        patched = http.patch(
            f"{METRICS}/signup", json=[{"op": "replace", "path": "/name", "value": "n"}]
        ).json()
        assert http.delete(f"{METRICS}/latency").status_code == 204
    first.close()
    assert db.exists()

    second = Emulator(db_path=db)
    with EmulatorServer(second) as server, new_client(server.url) as http:
        assert http.get(f"{METRICS}/signup").json() == patched
        assert patched["_id"] == created["_id"] and patched["_version"] == 2
        assert_error(http.get(f"{METRICS}/latency"), 404, "not_found")
        assert_error(http.post(METRICS, json=CUSTOM), 409, "conflict")
        assert [m["key"] for m in http.get(METRICS).json()["items"]] == ["signup"]
    second.reset()
    assert second.metrics() == {}
    second.close()


def test_a_second_emulator_on_a_db_in_use_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "held.db"
    first = Emulator(db_path=db)
    with EmulatorServer(first) as server, new_client(server.url) as http:
        created = create(http, CUSTOM)
        with pytest.raises(StoreInUseError, match="already in use by another emulator"):
            Emulator(db_path=db)
        # The refused one changed nothing, and the first keeps serving.
        assert http.get(f"{METRICS}/signup").json() == created
        create(http, NUMERIC)
    first.close()
    # Released on close: the file opens again, with every acknowledged write.
    second = Emulator(db_path=db)
    assert [m["key"] for m in second.metrics()["proj"]] == ["signup", "latency"]
    second.close()


def test_cli_refuses_a_db_in_use(tmp_path: Path) -> None:
    db = tmp_path / "held.db"
    holder = Emulator(db_path=db)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pulumi_ldmetrics.emulator", "--port", "0", "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        holder.close()
    assert result.returncode == 1
    assert result.stdout == ""  # never claimed to listen
    assert f"{db} is already in use by another emulator" in result.stderr


@pytest.mark.parametrize("storage", ["memory", "sqlite"])
def test_concurrent_creates_and_patches(tmp_path: Path, storage: str) -> None:
    emulator = Emulator(db_path=tmp_path / "c.db" if storage == "sqlite" else None)
    statuses: list[int] = []
    lock = threading.Lock()
    with EmulatorServer(emulator) as server:
        with new_client(server.url) as http:
            create(http, CUSTOM)
        barrier = threading.Barrier(8)

        def worker(i: int) -> None:
            with new_client(server.url) as http:
                barrier.wait()
                responses = [
                    http.post(METRICS, json={**CUSTOM, "key": "dup"}),
                    http.patch(
                        f"{METRICS}/signup",
                        json=[{"op": "add", "path": "/tags/-", "value": f"t{i}"}],
                    ),
                ]
            with lock:
                statuses.extend(r.status_code for r in responses)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with new_client(server.url) as http:
            rep = http.get(f"{METRICS}/signup").json()
    emulator.close()
    assert statuses.count(201) == 1 and statuses.count(409) == 7 and statuses.count(200) == 8
    # Every PATCH saw the previous one's result: no lost update.
    assert sorted(rep["tags"]) == sorted(f"t{i}" for i in range(8))
    assert rep["_version"] == 9


def test_wsgi_transport_in_process() -> None:
    emulator = Emulator(token="t")
    transport = httpx.WSGITransport(app=emulator.wsgi_app)
    with httpx.Client(transport=transport, base_url="http://emulator") as http:
        assert_error(http.get(METRICS), 401, "unauthorized")
        response = http.post(METRICS, json=CUSTOM, headers={"Authorization": "t"})
        assert response.status_code == 201
        assert http.get(f"{METRICS}/signup", headers={"Authorization": "t"}).json() == (
            response.json()
        )
        assert http.delete(f"{METRICS}/signup", headers={"Authorization": "t"}).status_code == 204
        log = http.get("/_emulator/log", headers={"Authorization": "t"})
        assert log.json()["requests"][1]["status"] == 201
