"""`ldmetrics import`: turn the metrics of an existing LaunchDarkly project into declarations.

Modules: `plan` (which fields each declaration carries, resource names, the provider's view of
inputs and outputs), `codegen_python` / `codegen_yaml` (the declarations), `import_file` (the
file for `pulumi import --file`), `progress` (the stderr bar), `atomic` (all-or-nothing writes).
The command itself is `pulumi_ldmetrics.cli`.
"""

from pulumi_ldmetrics.importer.plan import (
    ImportDefaults,
    ImportedMetric,
    ImportPlan,
    SkippedMetric,
    build_plan,
    infer_defaults,
)

__all__ = [
    "ImportDefaults",
    "ImportPlan",
    "ImportedMetric",
    "SkippedMetric",
    "build_plan",
    "infer_defaults",
]
