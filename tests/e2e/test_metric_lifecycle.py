"""The 32-metric catalog through the real CLI: create, no-op, refresh, replace, drift, destroy.

One stack per test, steps in order (issue 4, items 1-3, 5, 6 and 11). Every step checks the
CLI's own report and the emulator's request log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import StackFactory
from .ldm import (
    assert_emulator_holds,
    calls,
    count,
    emulator_server,
    http,
    init_stack,
    live_ids,
    log,
    set_declared,
    state_metrics,
    summary_count,
    write_metrics_project,
    writes,
)
from .programs.catalog import PROJECT, catalog, resource_name

pytestmark = pytest.mark.e2e


def test_catalog_create_noop_refresh_replace_destroy(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    declared = catalog()
    assert len(declared) >= 30
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", declared))
        init_stack(stack, server)
        emu = server.emulator

        # 1. preview lists every create and calls nothing; up creates exactly the catalog.
        out = stack.preview().stdout
        # The stack itself is one more create.
        assert summary_count(out, "to create") == len(declared) + 1, out
        for entry in declared:
            assert f"ldmetrics:Metric {resource_name(entry)} create" in out, out
        assert log(server) == [], calls(server)
        out = stack.up().stdout
        assert summary_count(out, "created") == len(declared) + 1, out
        assert count(server, "POST") == len(declared) and len(log(server)) == len(declared)
        assert_emulator_holds(server, declared)
        assert {r["id"] for r in state_metrics(stack)} == live_ids(server)

        # 2. a second up changes nothing and calls nothing.
        emu.clear_log()
        out = stack.up().stdout
        assert summary_count(out, "unchanged") == len(declared) + 1, out
        for word in ("created", "updated", "deleted", "replaced"):
            assert summary_count(out, word) == 0, out
        assert log(server) == [], calls(server)
        stack.preview("--expect-no-changes")
        assert log(server) == [], calls(server)

        # 3. refresh finds nothing (1 GET per metric per refresh pass, no write), nor preview.
        stack.refresh("--expect-no-changes")
        assert writes(server) == []
        assert {e["method"] for e in log(server)} == {"GET"}
        emu.clear_log()
        stack.preview("--expect-no-changes")
        assert log(server) == []

        # 5. key change (same resource name) and kind change are replaces: DELETE, then POST.
        renamed = next(e for e in declared if e["key"] == "churned")
        renamed.update(resource_name="churned", key="churned-v2")
        rekinded = next(e for e in declared if e["key"] == "checkout-span-seen")
        rekinded.update(kind="custom", event_key="checkout")
        del rekinded["trace_query"], rekinded["trace_value_location"]
        set_declared(stack.workdir, declared)
        out = stack.preview().stdout
        assert "replace" in out and summary_count(out, "to replace") == 2, out
        assert log(server) == [], calls(server)
        out = stack.up().stdout
        assert summary_count(out, "replaced") == 2, out
        methods = [e["method"] for e in log(server)]
        assert sorted(methods) == ["DELETE", "DELETE", "POST", "POST"], calls(server)
        assert all(e["status"] in (201, 204) for e in log(server)), log(server)
        # Delete-before-replace: every create is preceded by the delete it replaces (a 409
        # would show up above as a failed POST; the kind change keeps its key).
        for i in range(len(methods)):
            assert methods[: i + 1].count("POST") <= methods[: i + 1].count("DELETE"), methods
        assert_emulator_holds(server, declared)
        emu.clear_log()
        stack.preview("--expect-no-changes")

        # 11. destroy empties the emulator.
        out = stack.destroy().stdout
        assert summary_count(out, "deleted") == len(declared) + 1, out
        assert count(server, "DELETE") == len(declared)
        assert live_ids(server) == set()
        assert state_metrics(stack) == []


def test_catalog_drift_outside_pulumi(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    """6. A metric renamed and another deleted through the API: refresh reports both, up
    restores both."""
    declared = catalog()
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", declared))
        init_stack(stack, server)
        stack.up()
        with http(server) as api:
            renamed = api.patch(
                f"/{PROJECT}/signup-completed",
                json=[{"op": "replace", "path": "/name", "value": "Renamed in the UI"}],
            )
            assert renamed.status_code == 200, renamed.text
            assert api.delete(f"/{PROJECT}/buy-clicked").status_code == 204
        server.emulator.clear_log()

        proc = stack.refresh("--expect-no-changes", check=False)
        assert proc.returncode != 0, proc.stdout
        assert "no changes were expected" in proc.stdout + proc.stderr
        # The refresh is still applied: 1 metric updated, 1 dropped from state.
        out = proc.stdout
        assert summary_count(out, "updated") == 1 and summary_count(out, "deleted") == 1, out
        assert writes(server) == []
        assert "buy-clicked" not in {r["id"].split("/")[1] for r in state_metrics(stack)}

        preview = stack.preview("--diff").stdout
        assert '"Renamed in the UI" => "Signup completed"' in preview, preview
        assert summary_count(preview, "to create") == 1, preview
        assert summary_count(preview, "to update") == 1, preview

        server.emulator.clear_log()
        out = stack.up().stdout
        assert summary_count(out, "created") == 1 and summary_count(out, "updated") == 1, out
        assert sorted(writes(server)) == [
            f"PATCH /api/v2/metrics/{PROJECT}/signup-completed",
            f"POST /api/v2/metrics/{PROJECT}",
        ]
        assert_emulator_holds(server, declared)
        stack.preview("--expect-no-changes")
        stack.destroy()
        assert live_ids(server) == set()
