"""Render an `ImportPlan` as a metrics file for `metrics_from_file`.

`metrics_from_file` names each resource after the metric key, so the import file written for a
YAML import uses the keys as resource names too (`ImportedMetric.resource_name` is the key for
every valid LaunchDarkly key).
"""

from __future__ import annotations

from typing import Any

import yaml

from pulumi_ldmetrics.importer.plan import ImportPlan, notes
from pulumi_ldmetrics.models import ADOPT_EXISTING


def render_yaml(plan: ImportPlan) -> str:
    """The YAML text: `project_key` once at the top, then one entry per metric in key order."""
    entries: list[dict[str, Any]] = []
    for metric in plan.metrics:
        entry = {k: v for k, v in metric.declared.items() if k != "project_key"}
        if plan.adopt:
            entry[ADOPT_EXISTING] = True
        entries.append(entry)
    count = len(plan.metrics)
    header = (
        f"# LaunchDarkly metrics: {count} entr{'y' if count == 1 else 'ies'},"
        " from `ldmetrics import`.\n"
        "# Declare them with pulumi_ldmetrics.metrics_from_file(path). Only values that differ\n"
        "# from LaunchDarkly's defaults are written.\n"
    )
    # YAML entries cannot carry comments through safe_dump; the notes go in the header.
    for metric in plan.metrics:
        for note in notes(metric):
            header += f"# {metric.key}: {note}\n"
    body = yaml.safe_dump(
        {"project_key": plan.project_key, "metrics": entries},
        sort_keys=False,  # keep the field order of `Metric`
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return header + body
