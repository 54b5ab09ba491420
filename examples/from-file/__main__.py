"""Many metrics from one YAML file."""

from pathlib import Path

import pulumi

from pulumi_ldmetrics import metrics_from_file

project_key = pulumi.Config("ldmetrics").get("projectKey") or "default"
metrics = metrics_from_file(Path(__file__).parent / "metrics.yaml", project_key=project_key)
pulumi.export("metric_ids", [m.id for m in metrics.values()])
