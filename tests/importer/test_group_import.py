"""Importing metric groups: declarations that name the generated `Metric` variables (or bare
keys for metrics outside the import), in ruff-clean Python, and import-file entries whose
inputs are exactly what `check` returns for the declaration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.emulator import Emulator, member_id_for_token
from pulumi_ldmetrics.group_provider import MetricGroupProvider
from pulumi_ldmetrics.importer.codegen_python import render_python
from pulumi_ldmetrics.importer.groups import (
    GROUP_TYPE,
    MetricVariable,
    group_import_entries,
    plan_groups,
    render_groups_python,
)
from pulumi_ldmetrics.importer.plan import build_plan
from pulumi_ldmetrics.settings import ClientSettings

from .conftest import TOKEN

PROJECT = "shop"
OTHER_MEMBER = "0123456789abcdef01234567"


def _seed() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Metrics and groups in a fresh emulator, listed back as `ldmetrics import` lists them."""
    emulator = Emulator(token=TOKEN)
    settings = ClientSettings.resolve({}, {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN})
    try:
        with LDMetricsClient(settings, transport=httpx.WSGITransport(app=emulator.wsgi_app)) as ld:
            for key in ("viewed-cart", "paid", "for", "shipped"):
                ld.create_metric(
                    PROJECT, {"key": key, "name": key, "kind": "custom", "eventKey": key}
                )
            ld.create_metric_group(
                PROJECT,
                {
                    "key": "checkout",
                    "name": "Checkout",
                    "kind": "funnel",
                    "description": "Cart to payment",
                    "maintainerId": OTHER_MEMBER,
                    "tags": ["shop", "funnel"],
                    "metrics": [
                        {"key": "viewed-cart", "nameInGroup": "Viewed cart"},
                        {"key": "paid", "nameInGroup": 'Paid "in full"'},
                    ],
                },
            )
            ld.create_metric_group(
                PROJECT,
                {
                    "key": "for",  # a keyword, and the key of a metric too
                    "name": "Standard",
                    "kind": "standard",
                    "maintainerId": member_id_for_token(TOKEN),
                    "tags": [],
                    "metrics": [
                        {"key": "shipped", "nameInGroup": ""},
                        {"key": "for", "nameInGroup": ""},
                    ],
                },
            )
            return ld.list_metrics(PROJECT), ld.list_metric_groups(PROJECT)
    finally:
        emulator.close()


@pytest.fixture(scope="module")
def seeded() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return _seed()


def _plans(seeded: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> tuple[Any, Any]:
    metrics, groups = seeded
    plan = build_plan(metrics, PROJECT, site_base_url="https://app.launchdarkly.com")
    # "shipped" is left out of the variables, as when an import is filtered.
    variables = {m.key: m.variable_name for m in plan.metrics if m.key != "shipped"}
    return plan, plan_groups(groups, PROJECT, variables, taken_variables={"PROJECT_KEY", "METRICS"})


def test_declarations_name_metric_variables_and_round_trip(seeded: Any) -> None:
    plan, groups = _plans(seeded)
    assert [g.key for g in groups] == ["checkout", "for"]
    checkout, standard = groups
    assert checkout.declared == {
        "project_key": PROJECT,
        "key": "checkout",
        "name": "Checkout",
        "kind": "funnel",
        "description": "Cart to payment",
        "maintainer_id": OTHER_MEMBER,
        "tags": ["funnel", "shop"],
        "metrics": [
            {"key": MetricVariable("viewed_cart", "viewed-cart"), "name_in_group": "Viewed cart"},
            {"key": MetricVariable("paid", "paid"), "name_in_group": 'Paid "in full"'},
        ],
    }
    assert standard.declared["metrics"] == [
        {"key": "shipped"},
        {"key": MetricVariable("for_", "for")},
    ]
    # Not a keyword, not a metric variable: a name of its own.
    assert standard.variable_name == "for_group" and checkout.variable_name == "checkout_group"
    # inputs: exactly what check gives; outputs: the live group, maintainer managed.
    provider = MetricGroupProvider()
    resolved = {
        **checkout.declared,
        "metrics": [
            {"key": "viewed-cart", "name_in_group": "Viewed cart"},
            {"key": "paid", "name_in_group": 'Paid "in full"'},
        ],
    }
    expected = provider.check({}, resolved).inputs
    assert {k: v for k, v in checkout.inputs.items() if k != "__provider"} == expected
    assert checkout.outputs["version"] == 1 and checkout.outputs["unmanaged_fields"] == []
    entries = group_import_entries(groups)
    assert [(e["type"], e["name"], e["id"]) for e in entries] == [
        (GROUP_TYPE, "checkout", "shop/checkout"),
        (GROUP_TYPE, "for", "shop/for"),
    ]
    assert "__provider" in entries[0]["inputs"] and "__provider" in entries[0]["outputs"]


def test_rendered_module_is_ruff_clean_and_builds_the_groups(
    seeded: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, groups = _plans(seeded)
    text = render_groups_python(render_python(plan), groups)
    assert "from pulumi_ldmetrics import Metric, MetricGroup\n" in text
    path = tmp_path / "generated.py"
    path.write_text(text)
    for args in (["format", "--check", "--diff"], ["check", "--no-cache"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *args, str(path)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr + text

    import pulumi_ldmetrics

    built: dict[str, tuple[str, dict[str, Any]]] = {}

    class Recorder:
        def __init__(self, resource_name: str, **kwargs: Any) -> None:
            built[f"{type(self).__name__}:{resource_name}"] = (resource_name, kwargs)

    class Metric(Recorder):
        pass

    class MetricGroup(Recorder):
        pass

    monkeypatch.setattr(pulumi_ldmetrics, "Metric", Metric)
    monkeypatch.setattr(pulumi_ldmetrics, "MetricGroup", MetricGroup)
    namespace: dict[str, Any] = {"__name__": "generated"}
    exec(compile(text, "generated.py", "exec"), namespace)  # our own output, under test
    funnel = namespace["checkout_group"]
    assert isinstance(funnel, MetricGroup)
    first = built["MetricGroup:checkout"][1]["metrics"][0]
    assert first["key"] is namespace["viewed_cart"] and first["name_in_group"] == "Viewed cart"
    assert built["MetricGroup:for"][1]["metrics"] == [
        {"key": "shipped"},
        {"key": namespace["for_"]},
    ]
    assert built["MetricGroup:checkout"][1]["project_key"] == PROJECT
