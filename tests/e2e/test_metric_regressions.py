"""Regression tests for provider bugs the end-to-end runs found (both fixed):
- filters nested in a group were sent with snake_case `context_kind`, which the API drops, so
  every `pulumi up` patched again and never converged;
- undeclared server-chosen fields made every create log a spurious "did not store" warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import StackFactory
from .ldm import assert_emulator_holds, emulator_server, init_stack, write_metrics_project

pytestmark = pytest.mark.e2e

NESTED = {
    "project_key": "e2e",
    "key": "nested-filter",
    "name": "Nested filter",
    "kind": "custom",
    "event_key": "e",
    "filters": {
        "type": "group",
        "op": "and",
        "negate": False,
        "values": [
            {
                "type": "contextAttribute",
                "context_kind": "user",
                "attribute": "region",
                "op": "in",
                "values": ["eu"],
                "negate": False,
            }
        ],
    },
}
PLAIN = {"project_key": "e2e", "key": "plain", "name": "Plain", "kind": "custom", "event_key": "e"}


def test_nested_group_filter_keeps_context_kind(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", [NESTED]))
        init_stack(stack, server)
        stack.up()
        assert_emulator_holds(server, [NESTED])
        stack.up("--expect-no-changes")


def test_create_logs_no_spurious_did_not_store_warning(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", [PLAIN]))
        init_stack(stack, server)
        proc = stack.up()
        assert_emulator_holds(server, [PLAIN])  # stored exactly as sent
        assert "did not store" not in proc.stdout + proc.stderr, proc.stdout
