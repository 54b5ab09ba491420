"""Provider bugs found by the end-to-end runs, as minimal strict-xfail tests: each flips to
XPASS (and fails the run, ``xfail_strict``) once fixed, so the marker must then be removed."""

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


@pytest.mark.xfail(
    strict=True,
    reason="EventFilter.values is list[Any]: filters nested in a group are sent as declared "
    "(snake_case `context_kind`), the API keeps only `contextKind`, so the stored metric lacks "
    "it and every `pulumi up` PATCHes again (never converges)",
)
def test_nested_group_filter_keeps_context_kind(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", [NESTED]))
        init_stack(stack, server)
        stack.up()
        assert_emulator_holds(server, [NESTED])
        stack.up("--expect-no-changes")


@pytest.mark.xfail(
    strict=True,
    reason="MetricProvider._outputs calls changed_fields(spec, live) the wrong way round: "
    "every create/update of a metric that leaves analysis_units/maintainer_id/data_source "
    "undeclared logs 'LaunchDarkly did not store [...] as sent' (shown twice by the CLI)",
)
def test_create_logs_no_spurious_did_not_store_warning(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", [PLAIN]))
        init_stack(stack, server)
        proc = stack.up()
        assert_emulator_holds(server, [PLAIN])  # stored exactly as sent
        assert "did not store" not in proc.stdout + proc.stderr, proc.stdout
