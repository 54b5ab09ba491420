"""The three example programs through the real CLI (issue 4, items 1-3 and 11):
preview (0 requests) -> up -> no-op up (0 requests) -> refresh / preview without changes ->
destroy (emulator empty)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_ldmetrics.from_file import load_metric_entries

from .conftest import StackFactory
from .ldm import (
    EXAMPLES,
    assert_emulator_holds,
    calls,
    copy_example,
    emulator_server,
    init_stack,
    live_ids,
    log,
    state_declared,
    summary_count,
    writes,
)

pytestmark = pytest.mark.e2e

PROJECT = "examples"
EXPECTED_KEYS = {
    "quickstart": {
        "signup-completed",
        "checkout-latency",
        "pricing-page-viewed",
        "buy-button-clicked",
    },
    "advanced": {"page-load-p95", "revenue-per-user", "searching-sessions"},
    "from-file": {
        entry["key"]
        for entry in load_metric_entries(EXAMPLES / "from-file" / "metrics.yaml", PROJECT)
    },
}


@pytest.mark.parametrize(
    "example",
    [
        "quickstart",
        "from-file",
        "advanced",
    ],
)
def test_example_lifecycle(pulumi_stack: StackFactory, tmp_path: Path, example: str) -> None:
    keys = EXPECTED_KEYS[example]
    with emulator_server() as server:
        stack = pulumi_stack(copy_example(example, tmp_path / example))
        init_stack(stack, server, project_key=PROJECT)

        out = stack.preview().stdout
        assert summary_count(out, "to create") == len(keys) + 1, out  # + the stack
        assert log(server) == [], calls(server)

        out = stack.up().stdout
        assert summary_count(out, "created") == len(keys) + 1, out
        assert live_ids(server) == {f"{PROJECT}/{key}" for key in keys}
        assert_emulator_holds(server, state_declared(stack))
        if example == "from-file":
            entries = load_metric_entries(tmp_path / example / "metrics.yaml", project_key=PROJECT)
            assert_emulator_holds(server, entries)

        server.emulator.clear_log()
        out = stack.up().stdout
        assert summary_count(out, "unchanged") == len(keys) + 1, out
        assert log(server) == [], calls(server)
        stack.preview("--expect-no-changes")

        stack.refresh("--expect-no-changes")
        assert writes(server) == []
        stack.preview("--expect-no-changes")

        stack.destroy()
        assert live_ids(server) == set()
