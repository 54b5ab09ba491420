"""What one `pulumi preview` shows for declaration mistakes (issue 11, items 8, 9, 11), with the
real CLI against the emulator.

- Three invalid metrics: every one is reported, each under its own resource with its own first
  line, in the same preview (the engine alone stops at the first failed `check`).
- The same `project_key`/`key` declared by two resources fails the preview naming both.
- A misspelt argument says which one was meant.
In every case nothing reaches LaunchDarkly: no request at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import StackFactory
from .ldm import calls, emulator_server, init_stack, write_metrics_project
from .pulumi_runner import write_project

pytestmark = pytest.mark.e2e

METRIC = "pulumi-python:dynamic/ldmetrics:Metric"


def custom(key: str, **changes: Any) -> dict[str, Any]:
    metric = {"project_key": "e2e", "key": key, "name": key, "kind": "custom", "event_key": key}
    metric.update(changes)
    return {k: v for k, v in metric.items() if v is not None}


def diagnostics(output: str) -> dict[str, list[str]]:
    """The `Diagnostics:` block as {header: its lines}, each stripped."""
    found: dict[str, list[str]] = {}
    header = None
    for line in output[output.index("Diagnostics:") :].splitlines()[1:]:
        if not line.strip():
            header = None
        elif line.startswith("    ") and header is not None:
            found[header].append(line.strip())
        elif line.startswith("  ") and line.rstrip().endswith(":"):
            header = line.strip()
            found[header] = []
    return found


def preview(
    tmp_path: Path,
    pulumi_stack: StackFactory,
    metrics: list[dict[str, Any]],
    *,
    traceback: bool = False,
) -> str:
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", metrics))
        init_stack(stack, server)
        proc = stack.preview(check=False)
        sent = calls(server)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert ("Traceback" in output) is traceback, output
    assert sent == [], sent  # nothing reached LaunchDarkly
    return output


def test_three_invalid_metrics_are_all_reported_in_one_preview(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    output = preview(
        tmp_path,
        pulumi_stack,
        [
            custom("good"),
            custom("no-event", event_key=None),
            custom("numeric", is_numeric=True),
            custom("percentile", analysis_type="percentile"),
        ],
    )
    blocks = diagnostics(output)
    expected = {
        "no-event": "property event_key value (not set) has a problem: custom metrics require "
        "'event_key' to be set",
        "numeric": "property unit value (not set) has a problem: numeric metrics require 'unit' "
        "to be set",
        "percentile": "property percentile_value value (not set) has a problem: "
        "percentile_value is required when analysis_type is percentile",
    }
    for name, message in expected.items():
        block = blocks[f"{METRIC} ({name}):"]
        assert block[0] == f"error: {METRIC} resource '{name}': {message}", block
    assert f"{METRIC} (good):" not in blocks
    # The run ends on one line that counts them.
    assert any(
        "3 invalid Metric declarations ('no-event', 'numeric', 'percentile')" in line
        for lines in blocks.values()
        for line in lines
    ), blocks


def test_the_same_key_declared_twice_fails_naming_both(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    output = preview(
        tmp_path,
        pulumi_stack,
        [custom("signup"), {**custom("signup"), "resource_name": "signup-again"}],
    )
    block = diagnostics(output)[f"{METRIC} (signup-again):"]
    assert block[0] == (
        f"error: {METRIC} resource 'signup-again': property key value \"signup\" has a problem: "
        "e2e/signup is also declared by Metric 'signup', and one LaunchDarkly metric can be "
        "managed by one resource only (remove one, or change its key)"
    ), block


def test_a_misspelt_argument_names_the_one_meant(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    # A misspelt keyword is a TypeError, like any Python call's, with the traceback to the line.
    output = preview(tmp_path, pulumi_stack, [custom("signup", evnet_key="x")], traceback=True)
    assert (
        "TypeError: Metric 'signup': unknown argument 'evnet_key' (did you mean 'event_key'?)"
        in output
    ), output


def test_a_nested_typo_names_the_object_and_the_field(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    pageview = {
        "project_key": "e2e",
        "key": "home",
        "name": "Home",
        "kind": "pageview",
        "urls": [{"kind": "substring", "substr": "/home"}],
    }
    block = diagnostics(preview(tmp_path, pulumi_stack, [pageview]))[f"{METRIC} (home):"]
    assert block[0] == (
        f"error: {METRIC} resource 'home': property urls.0.substr value \"/home\" has a problem: "
        "is not a URL matcher field (did you mean 'substring'?)"
    ), block


def test_advice_is_a_warning_on_the_resource_and_the_preview_passes(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    percentile = custom(
        "p95",
        is_numeric=True,
        unit="ms",
        analysis_type="percentile",
        percentile_value=95,
        event_default={"disabled": False},
    )
    with emulator_server() as server:
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", [percentile]))
        init_stack(stack, server)
        output = stack.preview().stdout
        assert calls(server) == []
    block = diagnostics(output)[f"{METRIC} (p95):"]
    assert block[0] == (
        "warning: event_default.disabled: percentile metrics cannot include units without events "
        "(disabled must be true) (advice: percentile-excludes-empty-units; LaunchDarkly may accept "
        "it, see docs/rules.md)"
    ), block


def test_up_with_an_invalid_metric_writes_nothing_not_even_the_valid_ones(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    # The valid metrics wait for the program's verdict before they register (declarations.gate).
    with emulator_server() as server:
        metrics = [custom("good"), custom("also-good"), custom("bad", event_key=None)]
        stack = pulumi_stack(write_metrics_project(tmp_path / "proj", metrics))
        init_stack(stack, server)
        proc = stack.up(check=False)
        sent = calls(server)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert sent == [], sent
    assert "1 invalid Metric declaration ('bad')" in output, output


def test_a_bad_metrics_file_is_one_line_without_traceback(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    workdir = tmp_path / "proj"
    program = "from pulumi_ldmetrics import metrics_from_file\n\nmetrics_from_file('m.yaml')\n"
    write_project(workdir, "ldm-file", program)
    (workdir / "m.yaml").write_text(
        "project_key: e2e\nmetrics:\n  - {key: a, name: A, kind: custom}\n"
        "  - {key: b, name: B, kind: custom, evnet_key: x}\n"
    )
    with emulator_server() as server:
        stack = pulumi_stack(workdir)
        init_stack(stack, server)
        proc = stack.preview(check=False)
        sent = calls(server)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and sent == [], output
    assert "Traceback" not in output, output
    (line,) = [x.strip() for x in output.splitlines() if "problem(s) in m.yaml" in x][-1:]
    assert line == (
        "error: 3 problem(s) in m.yaml: m.yaml: metrics[0] (key 'a'): event_key: custom metrics "
        "require 'event_key' to be set; m.yaml: metrics[1] (key 'b'): evnet_key: is not a metric "
        "field (did you mean 'event_key'?); m.yaml: metrics[1] (key 'b'): event_key: custom "
        "metrics require 'event_key' to be set"
    ), output
