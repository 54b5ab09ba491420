"""Generated declarations: ruff-clean Python, valid YAML, names, only non-default fields."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_ldmetrics.importer.codegen_python import python_string, render_python
from pulumi_ldmetrics.importer.codegen_yaml import render_yaml
from pulumi_ldmetrics.importer.plan import (
    DEFAULT_ANALYSIS_UNITS,
    HOSTED_DATA_SOURCE_KEY,
    ImportPlan,
    build_plan,
    infer_defaults,
    resource_names,
    variable_names,
)
from pulumi_ldmetrics.models import MetricSpec, wire_document

from .seed import OTHER_MAINTAINER, seed_specs

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKEN_MEMBER = "aaaaaaaaaaaaaaaaaaaaaaaa"


def wire(spec: dict[str, Any], maintainer: str = TOKEN_MEMBER) -> dict[str, Any]:
    """What the list API returns for `spec` once the server filled in its choices."""
    doc = wire_document(MetricSpec.model_validate(spec))
    doc.setdefault("maintainerId", maintainer)
    doc.setdefault("analysisUnits", ["user"])
    doc.setdefault("dataSource", {"key": HOSTED_DATA_SOURCE_KEY, "_name": "LaunchDarkly hosted"})
    return {**doc, "_id": "0" * 24, "_version": 1, "_creationDate": 1}


def plan_for(specs: list[dict[str, Any]], **options: Any) -> ImportPlan:
    return build_plan([wire(s) for s in specs], "web", site_base_url="https://app", **options)


def custom(key: str, **fields: Any) -> dict[str, Any]:
    return {
        "project_key": "web",
        "key": key,
        "name": key,
        "kind": "custom",
        "event_key": "e",
        **fields,
    }


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


TRICKY = [
    custom("class", description="x" * 120),  # keyword; a string too long for any line
    custom("1-first", description='tab\there, newline\nthere, backslash \\ and "dq"'),
    custom("a-b", description="It's"),
    custom("a_b", description='say "hi" and "bye"'),
    custom("dict", tags=["ünïcödé", "日本", "zero\u200bwidth"]),  # a builtin name
    custom("Signup"),
    custom(
        "signup",
        filters={"type": "eventProperty", "attribute": "a" * 70, "op": "in", "values": ["v" * 80]},
    ),
    custom("m_2"),
    custom("m-2"),
]


@pytest.mark.parametrize("line_length", ["88", "100"])
def test_python_output_is_ruff_clean(tmp_path: Path, line_length: str) -> None:
    specs = seed_specs(24, "web") + TRICKY
    module = tmp_path / "imported.py"
    module.write_text(render_python(plan_for(specs)))
    # Default rules plus the repository's selection, at ruff's default and at our line length.
    options = ["--isolated", "--line-length", line_length]
    check = ruff("check", *options, "--select", "E,F,I,B,PIE,UP,W", module.name, cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    formatted = ruff("format", *options, "--check", "--diff", module.name, cwd=tmp_path)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_python_output_under_repository_config() -> None:
    text = render_python(plan_for(seed_specs(24, "web") + TRICKY))
    for args in (
        ["check", "--stdin-filename", "x.py", "-"],
        ["format", "--check", "--stdin-filename", "x.py", "-"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *args],
            input=text,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "It's",
        'say "hi"',
        "both ' and \"",
        "back\\slash",
        "nl\nand\ttab",
        "\x00\x7f",
        "ü\u200b",
    ],
)
def test_python_string_round_trips(text: str) -> None:
    assert eval(python_string(text)) == text  # noqa: S307 - our own literal


def test_variable_names_are_identifiers_and_unique() -> None:
    keys = [
        "class",
        "1-first",
        "a-b",
        "a_b",
        "dict",
        "Signup",
        "signup",
        "m_2",
        "m-2",
        "--",
        "Metric",
        "METRICS",
    ]
    names = variable_names(keys)
    assert names == [
        "class_",
        "m_1_first",
        "a_b",
        "a_b_2",
        "dict_",
        "signup",
        "signup_2",
        "m_2",
        "m_2_2",
        "metric",
        "metric_2",
        "metrics",
    ]
    assert all(n.isidentifier() for n in names)


def test_resource_names_are_keys_made_safe_and_unique() -> None:
    assert resource_names(["signup", "a b", "a-b", "ok.v2_x"]) == [
        "signup",
        "a-b",
        "a-b-2",
        "ok.v2_x",
    ]


def test_only_non_default_fields_are_declared() -> None:
    specs = seed_specs(11, "web")
    plan = plan_for(specs)
    declared = {m.key: m.declared for m in plan.metrics}
    identity = ["project_key", "key", "name", "kind"]
    # Variant 10 spells every default out; it must come back as the bare minimum.
    assert list(declared["m-0010"]) == [*identity, "event_key"]
    assert list(declared["m-0000"]) == [*identity, "event_key"]
    # Percentile: event_default's percentile default (disabled) is implied, not written.
    assert "event_default" not in declared["m-0001"]
    assert declared["m-0001"]["analysis_type"] == "percentile"
    # A non-default event_default keeps only its non-default part.
    assert declared["m-0009"]["event_default"] == {"disabled": True}
    assert declared["m-0009"]["analysis_units"] == ["device", "user"]
    # Server-chosen fields: written only when they differ from the server's choice.
    assert declared["m-0002"]["analysis_units"] == ["org"]
    assert declared["m-0008"]["maintainer_id"] == OTHER_MAINTAINER
    assert declared["m-0008"]["data_source"] == {
        "key": "snowflake-prod",
        "environment_key": "production",
    }
    assert not any("maintainer_id" in d for k, d in declared.items() if k != "m-0008")
    assert not any("data_source" in d for k, d in declared.items() if k != "m-0008")
    # Sets come back sorted; a default-negate filter group drops `negate`.
    assert declared["m-0003"]["tags"] == ["checkout", "team-0", "zeta"]
    assert "negate" not in declared["m-0003"]["filters"]


def test_maintainer_default_is_inferred_or_given() -> None:
    specs = [custom("a"), custom("b"), custom("c", maintainer_id=OTHER_MAINTAINER)]
    plan = plan_for(specs)
    assert plan.defaults.maintainer_id == TOKEN_MEMBER  # the maintainer of most metrics
    assert [("maintainer_id" in m.declared) for m in plan.metrics] == [False, False, True]
    given = plan_for(specs, default_maintainer=OTHER_MAINTAINER)
    assert [m.declared.get("maintainer_id") for m in given.metrics] == [
        TOKEN_MEMBER,
        TOKEN_MEMBER,
        None,
    ]
    # Ties go to the smallest id, so the output never depends on listing order.
    tie = infer_defaults(
        [MetricSpec.model_validate(custom("x", maintainer_id=i * 24)) for i in "ba"]
    )
    assert tie.maintainer_id == "a" * 24
    assert tie.analysis_units == DEFAULT_ANALYSIS_UNITS


def test_defaults_mirror_the_emulator_table() -> None:
    from pulumi_ldmetrics.emulator.defaults import DEFAULTS

    assert DEFAULTS["analysisUnits"] == list(DEFAULT_ANALYSIS_UNITS)
    assert DEFAULTS["dataSource"]["key"] == HOSTED_DATA_SOURCE_KEY


def test_order_is_stable_and_by_key() -> None:
    specs = seed_specs(24, "web")
    shuffled = specs[:]
    random.Random(7).shuffle(shuffled)
    assert render_python(plan_for(shuffled)) == render_python(plan_for(specs))
    assert render_yaml(plan_for(shuffled)) == render_yaml(plan_for(specs))
    assert [m.key for m in plan_for(shuffled).metrics] == sorted(s["key"] for s in specs)


def test_metric_from_a_newer_api_is_declared_not_dropped() -> None:
    good = wire(custom("good"))
    alien = {**wire(custom("alien")), "kind": "funnel"}
    plan = build_plan([alien, good], "web", site_base_url="https://app")
    assert [m.key for m in plan.metrics] == ["alien", "good"] and plan.skipped == []
    assert plan.metrics[0].declared["kind"] == "funnel"
    assert plan.metrics[0].unrecognized == ("kind",) and plan.metrics[1].unrecognized == ()


def test_metric_breaking_an_enforced_rule_is_declared_with_a_note_not_dropped() -> None:
    # LaunchDarkly holds it, so the rule table is wrong about it: declare it as held, say so,
    # and let preview refuse it (it used to be skipped: import must never drop a metric).
    broken = {k: v for k, v in wire(custom("broken")).items() if k != "eventKey"}
    plan = build_plan([broken, wire(custom("good"))], "web", site_base_url="https://app")
    assert [m.key for m in plan.metrics] == ["broken", "good"] and plan.skipped == []
    assert plan.metrics[0].refused == ("event_key: custom metrics require 'event_key' to be set",)
    assert "event_key" not in plan.metrics[0].declared
    assert "# LaunchDarkly holds this metric although it breaks a rule" in render_python(plan)


def test_empty_project_renders() -> None:
    plan = plan_for([])
    assert "METRICS: dict[str, Metric] = {}" in render_python(plan)
    assert "metrics: []" in render_yaml(plan)
