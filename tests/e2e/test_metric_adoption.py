"""Adopting metrics that already exist (issue 4, item 9) and reading one with ``Metric.get``.

Routes: (a) the ``import_`` resource option, which the 3.259 engine cannot do for dynamic
resources (pulumi/pulumi#16175: ``Read`` gets no ``__provider``), asserted as that failure;
(b) ``adopt_existing=True``; (c) ``pulumi import --file`` with inputs and outputs. Each working
route ends in ``pulumi preview --expect-no-changes`` with no write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_ldmetrics.emulator import EmulatorServer
from pulumi_ldmetrics.models import post_body

from .conftest import StackFactory
from .ldm import (
    assert_emulator_holds,
    calls,
    count,
    declared_spec,
    emulator_server,
    host_reports_tracebacks,
    http,
    import_file,
    init_stack,
    live_ids,
    log,
    run_import,
    set_declared,
    state_metrics,
    summary_count,
    write_metrics_project,
    writes,
)
from .programs.catalog import catalog

pytestmark = pytest.mark.e2e

# One of each kind, two declaring server-chosen fields (analysis units, maintainer, source).
KEYS = (
    "signup-completed",
    "trial-started",
    "warehouse-revenue",
    "page-load-p95",
    "pricing-viewed",
    "cta-clicked",
    "api-error-duration",
)


def _existing(server: EmulatorServer) -> list[dict[str, Any]]:
    """Create the chosen catalog metrics through the API, as if made in the UI earlier."""
    declared = [e for e in catalog() if e["key"] in KEYS and e["project_key"] == "e2e"]
    with http(server) as api:
        for entry in declared:
            reply = api.post(f"/{entry['project_key']}", json=post_body(declared_spec(entry)))
            assert reply.status_code == 201, reply.text
    server.emulator.clear_log()
    return declared


def test_import_resource_option_fails_like_16175(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    """(a) Documents the engine limitation: ``import_`` fails in ``Read`` with a missing
    ``__provider``, before any request, and imports nothing. If this starts passing, the
    engine gained the feature: switch this test to the working route."""
    with emulator_server() as server:
        declared = _existing(server)[:1]
        declared[0]["import_"] = "e2e/signup-completed"
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", declared))
        init_stack(stack, server)
        proc = stack.preview(check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0, output
        # The host's own KeyError (not ours, so it keeps the SDK's report: a traceback on
        # newer SDKs, gRPC's one line on older ones).
        if host_reports_tracebacks():
            assert "KeyError: '__provider'" in output, output
        else:
            assert "Exception calling application: '__provider'" in output, output
        assert log(server) == [], calls(server)
        proc = stack.up(check=False)
        assert proc.returncode != 0
        assert writes(server) == []
        assert state_metrics(stack) == []


def test_adopt_existing(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    """(b) ``adopt_existing=True``: 1 GET per metric, 0 POST; an out-of-date one gets 1 PATCH."""
    with emulator_server() as server:
        declared = _existing(server)
        with http(server) as api:
            stale = api.patch(
                "/e2e/cta-clicked",
                json=[{"op": "replace", "path": "/name", "value": "Old name"}],
            )
            assert stale.status_code == 200
        server.emulator.clear_log()
        for entry in declared:
            entry["adopt_existing"] = True
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", declared))
        init_stack(stack, server)
        out = stack.up().stdout
        assert summary_count(out, "created") == len(declared) + 1, out
        assert count(server, "POST") == 0, calls(server)
        assert count(server, "GET") == len(declared), calls(server)
        assert writes(server) == ["PATCH /api/v2/metrics/e2e/cta-clicked"]
        assert_emulator_holds(server, declared)
        server.emulator.clear_log()
        stack.preview("--expect-no-changes")
        assert log(server) == []

        # Dropping the flag later changes nothing on the server either.
        for entry in declared:
            del entry["adopt_existing"]
        set_declared(stack.workdir, declared)
        stack.up()
        assert writes(server) == [], calls(server)
        stack.preview("--expect-no-changes")


def test_import_file(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    """(c) ``pulumi import --file`` with inputs + outputs (+ ``__provider``) and
    ``--generate-code=false``: 0 requests, then the program's preview shows no change."""
    with emulator_server() as server:
        declared = _existing(server)
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", declared))
        init_stack(stack, server)
        out = run_import(stack, import_file(server, declared), tmp_path / "import.json")
        assert summary_count(out, "imported") == len(declared), out
        assert log(server) == [], calls(server)
        assert {r["id"] for r in state_metrics(stack)} == live_ids(server)

        stack.preview("--expect-no-changes")
        stack.up("--expect-no-changes")
        assert writes(server) == [], calls(server)
        stack.refresh("--expect-no-changes")
        stack.preview("--expect-no-changes")
        assert writes(server) == []

        # Now managed: an edit is 1 PATCH, destroy deletes them.
        declared[0]["description"] = "managed now"
        set_declared(stack.workdir, declared)
        server.emulator.clear_log()
        stack.up()
        assert writes(server) == ["PATCH /api/v2/metrics/e2e/signup-completed"]
        stack.destroy()
        assert live_ids(server) == set()


def test_metric_get_reads_one_metric(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    """``Metric.get`` in a program: 1 GET per program run, nothing managed, a field exported."""
    with emulator_server() as server:
        _existing(server)
        stack = pulumi_stack(
            write_metrics_project(tmp_path / "proj", [], gets={"found": "e2e/trial-started"})
        )
        init_stack(stack, server)
        stack.preview()
        assert calls(server) == ["GET /api/v2/metrics/e2e/trial-started"]
        server.emulator.clear_log()
        stack.up()
        # up = preview + update: the read runs in both.
        assert calls(server) == ["GET /api/v2/metrics/e2e/trial-started"] * 2
        assert stack.outputs() == {
            "found_name": "Trial started",
            "found_version": 1,
            "metric_count": 0,
        }
        assert state_metrics(stack) == []  # read-only: not managed
        stack.destroy()
        assert "e2e/trial-started" in live_ids(server)  # destroy leaves a read metric alone
