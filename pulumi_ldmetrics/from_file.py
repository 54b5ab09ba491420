"""`metrics_from_file`: declare many metrics from one YAML or JSON file.

File format (YAML shown; JSON is the same structure):

    project_key: my-project        # optional; the `project_key` argument wins when given
    metrics:
      - key: signup-completed      # every `Metric` argument, snake_case
        name: Signup completed
        kind: custom
        event_key: signup-completed
      - key: checkout-latency
        name: Checkout latency
        kind: custom
        event_key: checkout
        is_numeric: true
        unit: ms
        success_criteria: LowerThanBaseline

A top-level list of metrics is accepted too. Resource names are the metric keys (prefixed with
`name_prefix`). Every entry is validated before any resource is declared, and all problems are
reported together, each naming the file and the entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import pulumi
import yaml

from pulumi_ldmetrics.models import ADOPT_EXISTING, adopt_existing_violations, validate_spec
from pulumi_ldmetrics.resource import Metric, MetricArgs


class MetricsFileError(pulumi.RunError, ValueError):
    """Raised when a metrics file cannot be read or one of its entries is invalid.

    A `pulumi.RunError`: the language host prints its message as one line, with no traceback
    (the message already names the file, the entry and the field)."""


def load_metric_entries(path: str | Path, project_key: str | None = None) -> list[dict[str, Any]]:
    """Read and validate the entries of a metrics file; raise `MetricsFileError` listing every
    problem (`file: metrics[i] (key 'k'): field: message`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as err:
        raise MetricsFileError(f"{path}: cannot read metrics file: {err}") from err
    if isinstance(document, Mapping):
        entries, project_key = document.get("metrics"), project_key or document.get("project_key")
    else:
        entries = document
    if not isinstance(entries, list):
        raise MetricsFileError(f"{path}: expected a list under 'metrics' (or a top-level list)")
    problems: list[str] = []
    result: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = f"{path}: metrics[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping of metric fields")
            continue
        where += f" (key {entry.get('key')!r})"
        fields = {"project_key": project_key, **entry} if project_key else dict(entry)
        spec_fields = {k: v for k, v in fields.items() if k != ADOPT_EXISTING}
        _, violations = validate_spec(spec_fields)
        violations += adopt_existing_violations(fields.get(ADOPT_EXISTING))
        problems.extend(f"{where}: {violation}" for violation in violations)
        identity = f"{fields.get('project_key')}/{fields.get('key')}"
        if identity in seen:
            problems.append(f"{where}: duplicate of metrics[{seen[identity]}]")
        seen.setdefault(identity, index)
        result.append(fields)
    if problems:
        raise MetricsFileError(f"{len(problems)} problem(s) in {path}: " + "; ".join(problems))
    return result


def metrics_from_file(
    path: str | Path,
    project_key: str | None = None,
    *,
    name_prefix: str = "",
    opts: pulumi.ResourceOptions | None = None,
) -> dict[str, Metric]:
    """Declare one `Metric` per entry of a YAML/JSON file; returns them by metric key."""
    metrics: dict[str, Metric] = {}
    for fields in load_metric_entries(path, project_key):
        resource_name = (
            f"{name_prefix}{fields['project_key']}-{fields['key']}"
            if name_prefix
            else fields["key"]
        )
        metrics[fields["key"]] = Metric(resource_name, cast(MetricArgs, fields), opts)
    return metrics
