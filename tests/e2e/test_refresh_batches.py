"""`pulumi refresh` of a stack managing a whole project reads the project's listing
(`read_batch.py`) and still sees every out-of-band change made just before it (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import StackFactory
from .ldm import emulator_server, http, init_stack, log, state_metrics, write_metrics_project

pytestmark = pytest.mark.e2e

N = 60  # two listing pages


def declared(i: int) -> dict[str, Any]:
    return {
        "project_key": "e2e",
        "key": f"batch-{i:03d}",
        "name": f"Batch {i}",
        "kind": "custom",
        "event_key": f"batch-event-{i}",
    }


def test_refresh_reads_the_listing_and_sees_out_of_band_changes(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    metrics = [declared(i) for i in range(N)]
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", metrics))
        init_stack(stack, server)
        stack.up()

        with http(server) as api:  # just before the refresh, outside Pulumi:
            changed = api.patch(
                "/e2e/batch-007", json=[{"op": "replace", "path": "/name", "value": "Renamed"}]
            )
            assert changed.status_code == 200
            assert api.delete("/e2e/batch-008").status_code == 204
            # batch-009 deleted and created again by someone else, with another name
            assert api.delete("/e2e/batch-009").status_code == 204
            again = {**declared(9), "name": "Someone else's"}
            again["eventKey"] = again.pop("event_key")
            again.pop("project_key")
            assert api.post("/e2e", json=again).status_code == 201
            # and a metric nobody manages: listed, but it must not join the stack
            stranger = {"key": "stranger", "name": "Stranger", "kind": "custom", "eventKey": "s"}
            assert api.post("/e2e", json=stranger).status_code == 201

        server.emulator.clear_log()
        stack.refresh()
        reads = log(server)
        names = {r["inputs"]["key"]: r["outputs"]["name"] for r in state_metrics(stack)}

    assert names["batch-007"] == "Renamed"
    assert "batch-008" not in names  # deleted out of band: dropped, after its own GET's 404
    assert names["batch-009"] == "Someone else's"
    assert "stranger" not in names and len(names) == N - 1
    # Two passes (preview, refresh), each: ceil(61/50) = 2 pages + a few GETs; never 2 x 60.
    assert all(entry["method"] == "GET" for entry in reads)
    pages = [e for e in reads if "offset=" in e["query"]]
    assert len(pages) == 4
    assert len(reads) <= 2 * (2 * 2 + 2), [(e["path"], e["query"]) for e in reads]
