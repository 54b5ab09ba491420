"""One-field edit (issue 4, item 4): ``preview --diff`` shows old and new value, ``up`` sends
exactly one PATCH; and the same edit with the alternative DIFF_UNKNOWN diff mode, to compare.

Set ``LDMETRICS_E2E_WRITE_ARTIFACTS=1`` to (re)write the verbatim previews under
``tests/e2e/artifacts/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import StackFactory
from .ldm import (
    ARTIFACTS,
    PROGRAMS,
    assert_emulator_holds,
    calls,
    emulator_server,
    init_stack,
    log,
    set_declared,
    summary_count,
    write_metrics_project,
)
from .programs.catalog import PROJECT, catalog

pytestmark = pytest.mark.e2e

KEYS = ("signup-completed", "page-load-p95", "buy-clicked")
ARTIFACT_NAMES = {
    "changes": "preview-diff-one-field.txt",
    "unknown": "preview-diff-one-field-diff-unknown.txt",
}


@pytest.mark.parametrize("mode", ["changes", "unknown"])
def test_one_field_edit(pulumi_stack: StackFactory, tmp_path: Path, mode: str) -> None:
    """``changes``: the provider as shipped (``DiffResult(changes=True/False)``).
    ``unknown``: ``programs/unknown_diff.py`` (``changes=None``; the engine diffs inputs)."""
    declared = [e for e in catalog() if e["key"] in KEYS]
    workdir = write_metrics_project(tmp_path / "proj", declared)
    if mode == "unknown":
        (workdir / "unknown_diff.py").write_text((PROGRAMS / "unknown_diff.py").read_text())
        main = workdir / "__main__.py"
        main.write_text("import unknown_diff  # noqa: F401\n" + main.read_text())
    with emulator_server() as server:
        stack = pulumi_stack(workdir)
        init_stack(stack, server)
        stack.up()
        stack.preview("--expect-no-changes")

        edited = next(e for e in declared if e["key"] == "signup-completed")
        edited["name"] = "Signup finished"
        set_declared(workdir, declared)
        server.emulator.clear_log()
        preview = stack.preview("--diff").stdout
        assert log(server) == [], calls(server)
        assert re.search(r'~ name\s*: "Signup completed" => "Signup finished"', preview), preview
        assert summary_count(preview, "to update") == 1, preview
        assert "[id=e2e/signup-completed]" in preview
        assert "[id=e2e/buy-clicked]" not in preview  # unchanged metrics are not listed
        if os.environ.get("LDMETRICS_E2E_WRITE_ARTIFACTS"):
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / ARTIFACT_NAMES[mode]).write_text(preview)

        out = stack.up().stdout
        assert summary_count(out, "updated") == 1, out
        assert calls(server) == [f"PATCH /api/v2/metrics/{PROJECT}/signup-completed"]
        assert_emulator_holds(server, declared)
        server.emulator.clear_log()
        stack.preview("--expect-no-changes")
        assert log(server) == []
