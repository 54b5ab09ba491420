"""Generic e2e program: declares every metric listed in ``metrics.json`` beside it.

Copied into a test's project directory as ``__main__.py``. ``metrics.json`` holds
``{"metrics": [...], "gets": {...}}``: each metric entry is the keyword arguments of
``Metric`` plus optional ``resource_name`` (default: the key) and ``import_`` (resource option);
``gets`` maps a resource name to an id read with ``Metric.get`` (its ``name`` and ``version``
are exported as ``<resource name>_name`` / ``<resource name>_version``).
"""

import json
from pathlib import Path

import pulumi

from pulumi_ldmetrics import Metric

document = json.loads((Path.cwd() / "metrics.json").read_text())
ids = {}
for raw in document.get("metrics", []):
    entry = dict(raw)
    name = entry.pop("resource_name", None) or entry["key"]
    import_id = entry.pop("import_", None)
    opts = pulumi.ResourceOptions(import_=import_id) if import_id else None
    metric = Metric(name, opts=opts, **entry)
    ids[name] = metric.id

for name, metric_id in document.get("gets", {}).items():
    found = Metric.get(name, metric_id)
    pulumi.export(f"{name}_name", found.name)
    pulumi.export(f"{name}_version", found.version)

pulumi.export("metric_count", len(ids))
