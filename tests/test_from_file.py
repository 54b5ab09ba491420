"""`metrics_from_file`: the file format and its error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pulumi_ldmetrics import MetricsFileError, load_metric_entries

GOOD = """
project_key: web
metrics:
  - key: signup
    name: Signup
    kind: custom
    event_key: signup
  - key: docs
    name: Docs
    kind: pageview
    urls: [{kind: substring, substring: /docs}]
"""


def test_yaml_entries_get_the_file_project(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(GOOD)
    entries = load_metric_entries(path)
    assert [(e["project_key"], e["key"]) for e in entries] == [("web", "signup"), ("web", "docs")]


def test_argument_project_wins_and_json_works(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"key": "a", "name": "A", "kind": "custom", "event_key": "a"}]))
    assert load_metric_entries(path, project_key="mobile")[0]["project_key"] == "mobile"


def test_every_problem_names_the_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "project_key: web\nmetrics:\n"
        "  - {key: a, name: A, kind: custom}\n"
        "  - {key: b, name: B, kind: custom, event_key: b, analysis_type: percentile}\n"
        "  - {key: a, name: A2, kind: custom, event_key: a}\n"
        "  - just-a-string\n"
    )
    with pytest.raises(MetricsFileError) as info:
        load_metric_entries(path)
    message = str(info.value)
    assert message.startswith(f"4 problem(s) in {path}")
    assert (
        f"{path}: metrics[0] (key 'a'): event_key: custom metrics require 'event_key' to be set"
        in message
    )
    assert (
        f"{path}: metrics[1] (key 'b'): percentile_value: percentile_value is required" in message
    )
    assert f"{path}: metrics[2] (key 'a'): duplicate of metrics[0]" in message
    assert f"{path}: metrics[3]: expected a mapping of metric fields" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("metrics: {a: 1}", "expected a list under 'metrics'"),
        ("metrics: [", "cannot read metrics file"),
    ],
)
def test_unreadable_files_say_why(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(content)
    with pytest.raises(MetricsFileError, match=expected):
        load_metric_entries(path)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(MetricsFileError, match="cannot read metrics file"):
        load_metric_entries(tmp_path / "nope.yaml")


def test_strings_are_not_booleans_in_a_file(tmp_path: Path) -> None:
    # YAML quotes make strings: "false" must neither adopt nor pass as is_numeric.
    path = tmp_path / "m.yaml"
    path.write_text(
        "project_key: web\nmetrics:\n"
        "  - {key: a, name: A, kind: custom, event_key: a, adopt_existing: 'false'}\n"
        "  - {key: b, name: B, kind: custom, event_key: b, is_numeric: 'yes', unit: ms}\n"
        "  - {key: c, name: C, kind: custom, event_key: c, adopt_existing: false}\n"
    )
    with pytest.raises(MetricsFileError) as info:
        load_metric_entries(path)
    message = str(info.value)
    assert message.startswith(f"2 problem(s) in {path}")
    assert "metrics[0] (key 'a'): adopt_existing: must be a boolean (true or false)" in message
    assert "metrics[1] (key 'b'): is_numeric: Input should be a valid boolean" in message
