"""Bad input in the program (issue 4, item 7): ``pulumi preview`` fails with the field's
message, before any request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import StackFactory
from .ldm import calls, emulator_server, init_stack, log, write_metrics_project

pytestmark = pytest.mark.e2e

BAD: list[dict[str, Any]] = [
    {"project_key": "e2e", "key": "no-event-key", "name": "No event key", "kind": "custom"},
    {
        "project_key": "e2e",
        "key": "no-percentile",
        "name": "No percentile value",
        "kind": "custom",
        "event_key": "latency",
        "is_numeric": True,
        "unit": "ms",
        "analysis_type": "percentile",
    },
    {
        "project_key": "e2e",
        "key": "click-no-selector",
        "name": "Click without selector",
        "kind": "click",
        "urls": [{"kind": "regex"}],
    },
]
GOOD: dict[str, Any] = {
    "project_key": "e2e",
    "key": "fine",
    "name": "Fine",
    "kind": "custom",
    "event_key": "e",
}
MESSAGES = {
    "no-event-key": ["property event_key", "custom metrics require 'event_key' to be set"],
    "no-percentile": [
        "property percentile_value",
        "percentile_value is required when analysis_type is percentile",
    ],
    # A regex matcher without `pattern` is advisory since models/ruleset.py (LaunchDarkly's
    # UrlPost requires no field): only the missing selector refuses the preview.
    "click-no-selector": ["click metrics require 'selector' to be set"],
}


@pytest.mark.parametrize("bad", BAD, ids=[e["key"] for e in BAD])
def test_bad_input_fails_preview_without_requests(
    pulumi_stack: StackFactory, tmp_path: Path, bad: dict[str, Any]
) -> None:
    # The engine aborts the deployment at the first failed check, so one bad metric per run.
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", [GOOD, bad]))
        init_stack(stack, server)
        proc = stack.preview(check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0, output
        assert f"ldmetrics:Metric ({bad['key']})" in output, output
        for message in MESSAGES[str(bad["key"])]:
            assert message in output, output
        assert log(server) == [], calls(server)

        if bad["key"] != "no-event-key":
            return
        proc = stack.up(check=False)
        assert proc.returncode != 0
        # up stops at the same check: nothing is written, not even the valid metric.
        assert log(server) == [], calls(server)
