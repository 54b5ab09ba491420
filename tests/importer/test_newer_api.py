"""`ldmetrics import` of a project holding a metric from a newer API (unknown kind, unknown
aggregation, unknown nested filter field), through the real client against a loopback server:
the metric is declared with those values, not dropped, and says why `preview` will refuse it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_ldmetrics.from_file import MetricsFileError, load_metric_entries
from pulumi_ldmetrics.models import ADOPT_EXISTING
from pulumi_ldmetrics.provider import MetricProvider
from tests.newer_api import NEW_AGGREGATION, NEW_KIND, PROJECT, NewerApi, newer_metric, serving

from .conftest import exec_declarations, run_cli


def _import(tmp_path: Path, fmt: str) -> tuple[str, dict[str, Any] | None]:
    api = NewerApi(newer_metric("funnel"), newer_metric("plain", kind="custom"))
    out = tmp_path / ("metrics.py" if fmt == "python" else "metrics.yaml")
    with serving(api) as url:
        result = run_cli(
            ["import", "--project", PROJECT, "--api-host", url, "--format", fmt, "--out", str(out)]
        )
    assert result.code == 0, result.stderr
    assert "skipped" not in result.stderr
    import_file = out.with_name(out.stem + ".import.json")
    found = import_file if import_file.exists() else None
    return out.read_text(), json.loads(found.read_text()) if found else None


def test_python_declaration_keeps_the_unknown_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, import_file = _import(tmp_path, "python")
    declared = exec_declarations(text, monkeypatch)
    funnel = declared["funnel"]
    assert funnel["kind"] == NEW_KIND
    assert funnel["unit_aggregation_type"] == NEW_AGGREGATION
    assert funnel["filters"]["caseSensitive"] is True
    assert funnel["filters"]["context_kind"] == "user"
    assert declared["plain"]["kind"] == "custom"
    assert "does not understand (filters, kind, unit_aggregation_type)" in " ".join(
        line.lstrip("# ") for line in text.splitlines()
    )

    assert import_file is not None
    resources = {r["name"]: r for r in import_file["resources"]}
    for values in (resources["funnel"]["inputs"], resources["funnel"]["outputs"]):
        assert values["kind"] == NEW_KIND
        assert values["unit_aggregation_type"] == NEW_AGGREGATION
        assert values["filters"]["caseSensitive"] is True

    # The declaration does not round-trip yet: check is strict, and says exactly what it
    # refuses, each on its field.
    failures = MetricProvider().check({}, funnel).failures or []
    assert {f.property for f in failures} == {
        "kind",
        "unit_aggregation_type",
        "filters.caseSensitive",
    }


def test_yaml_declaration_keeps_the_unknown_values(tmp_path: Path) -> None:
    text, _ = _import(tmp_path, "yaml")
    entries = {e["key"]: e for e in yaml.safe_load(text)["metrics"]}
    assert entries["funnel"]["kind"] == NEW_KIND
    assert entries["funnel"]["filters"]["caseSensitive"] is True
    assert "# funnel: LaunchDarkly returned values" in text
    assert ADOPT_EXISTING not in entries["funnel"]
    with pytest.raises(MetricsFileError, match="kind"):
        load_metric_entries(tmp_path / "metrics.yaml")
