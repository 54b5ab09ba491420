"""The file for `pulumi import --file F --generate-code=false --yes`.

Format (`pkg/cmd/pulumi/operations/import.go`, `importFile` / `importSpec`, CLI >= 3.254):
`{"resources": [{"type", "name", "id", "logicalName", "inputs", "outputs"}, ...]}`.

- `name` is the resource name the declarations use; `logicalName` repeats it (the CLI copies
  `name` into it when empty, spelled out so the file reads unambiguously).
- `outputs` present: the engine stores them as they are and skips the provider's `Read`, which
  for dynamic providers cannot work by id alone (pulumi/pulumi#16175).
- `inputs` are what `check` returns for the declaration; the engine still calls
  `Check(olds=inputs, news=inputs)`, which unpickles the provider from `__provider`, so both
  inputs and outputs carry it (a by-reference pickle of `MetricProvider`, no secrets).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_ldmetrics.declarations import METRIC_TYPE as METRIC_TYPE  # re-exported
from pulumi_ldmetrics.importer.plan import ImportPlan


def import_file_document(plan: ImportPlan) -> dict[str, Any]:
    """The import file as JSON-ready data."""
    return {
        "resources": [
            {
                "type": METRIC_TYPE,
                "name": metric.resource_name,
                "id": metric.id,
                "logicalName": metric.resource_name,
                "inputs": metric.inputs,
                "outputs": metric.outputs,
            }
            for metric in plan.metrics
        ]
    }


def render_import_file(plan: ImportPlan, more_resources: Sequence[Mapping[str, Any]] = ()) -> str:
    """The import file text (stable key order, so re-running an import gives the same bytes);
    `more_resources` are entries of other types adopted with the metrics (metric groups)."""
    document = import_file_document(plan)
    document["resources"] += [dict(entry) for entry in more_resources]
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
