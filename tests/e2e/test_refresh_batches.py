"""`pulumi refresh` of a stack managing a whole project reads the project's listing
(`read_batch.py`) and still sees every out-of-band change made just before it (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_ldmetrics.read_batch import EXPECTED_READS

from .conftest import StackFactory
from .ldm import (
    emulator_server,
    http,
    init_stack,
    log,
    set_declared,
    state_metrics,
    summary_count,
    write_metrics_project,
)

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
        # The program's hint, in state for the refresh (which runs no program) to find.
        assert {r["outputs"][EXPECTED_READS] for r in state_metrics(stack)} == {N}

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
    # Two passes (preview, refresh), each: ceil(61/50) = 2 pages, listed at the first read
    # (the hint says 60), and one GET for batch-008, missing from them; never 2 x 60.
    assert all(entry["method"] == "GET" for entry in reads)
    pages = [e for e in reads if "offset=" in e["query"]]
    assert len(pages) == 4
    assert len(reads) == 2 * (2 + 1), [(e["path"], e["query"]) for e in reads]


def test_the_hint_follows_the_program_without_a_diff_or_a_request(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    with emulator_server() as server:
        workdir = write_metrics_project(tmp_path / "proj", [declared(i) for i in range(3)])
        stack = pulumi_stack(workdir)
        init_stack(stack, server)
        stack.up()
        set_declared(workdir, [declared(i) for i in range(4)])  # one metric more
        server.emulator.clear_log()
        preview = stack.preview("--diff").stdout
        assert summary_count(preview, "to create") == 1
        assert summary_count(preview, "unchanged") == 4  # the stack and 3 metrics
        assert EXPECTED_READS not in preview  # hidden like __provider
        stack.up()
        again = stack.up().stdout
        sent = [(e["method"], e["path"]) for e in log(server)]
        hints = {r["inputs"]["key"]: r for r in state_metrics(stack)}

    assert sent == [("POST", "/api/v2/metrics/e2e")]  # the new metric's create, nothing else
    assert summary_count(again, "unchanged") == 5
    # Inputs follow the program; an unchanged metric's outputs keep the hint of its last write
    # (the engine keeps the old outputs of an unchanged resource): what a refresh will use.
    assert {r["inputs"][EXPECTED_READS] for r in hints.values()} == {4}
    assert hints["batch-000"]["outputs"][EXPECTED_READS] == 3
    assert hints["batch-003"]["outputs"][EXPECTED_READS] == 4
