"""`ldmetrics import` for metric groups: declarations that name the generated `Metric`
variables, and the import-file entries that adopt the groups.

A group's metric that the same import declares is written as its variable (`viewed_cart`), so
the engine orders the group after it; any other metric as its bare key. The maintainer is always
declared: the live group has one, and nothing guarantees it is the first metric's (what an
undeclared maintainer would become). So every declaration round-trips: `check` on it gives the
import file's `inputs`, and it normalizes back to the live group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi.dynamic.dynamic import serialize_provider

from pulumi_ldmetrics.group_provider import MetricGroupProvider, format_group_id
from pulumi_ldmetrics.importer.codegen_python import LINE_LENGTH, python_literal, python_string
from pulumi_ldmetrics.importer.plan import resource_names, variable_names
from pulumi_ldmetrics.models.group_convert import (
    group_changed_fields,
    group_outputs_from_rep,
    group_spec_from_inputs,
    group_spec_from_rep,
)
from pulumi_ldmetrics.models.group_response import MetricGroupRep
from pulumi_ldmetrics.provider import UNMANAGED_FIELDS

__all__ = [
    "GROUP_TYPE",
    "ImportedGroup",
    "MetricVariable",
    "group_import_entries",
    "plan_groups",
    "render_groups_python",
]

GROUP_TYPE: Final = "pulumi-python:dynamic/ldmetrics:MetricGroup"
_INDENT: Final = "    "


@dataclass(frozen=True)
class MetricVariable:
    """A reference to the generated `Metric` variable of a metric key."""

    name: str
    """The variable."""
    key: str
    """The metric key it declares (what its `key` output will be)."""


@dataclass(frozen=True)
class ImportedGroup:
    """One live group, ready to be written as a declaration and adopted."""

    key: str
    resource_name: str
    variable_name: str
    declared: dict[str, Any]
    """`MetricGroup` keyword arguments; a metric's `key` is a `MetricVariable` or a key."""
    inputs: dict[str, Any]
    """What `MetricGroupProvider.check` returns for `declared`, plus `__provider`."""
    outputs: dict[str, Any]
    """The state `pulumi import` stores (outputs + `unmanaged_fields` + `__provider`)."""

    @property
    def id(self) -> str:
        """Pulumi resource id, `project/key`."""
        return format_group_id(self.declared["project_key"], self.key)


def plan_groups(
    raw_groups: Iterable[Mapping[str, Any]],
    project_key: str,
    metric_variables: Mapping[str, str],
    *,
    taken_variables: Iterable[str] = (),
) -> list[ImportedGroup]:
    """Listed groups (`MetricGroupRep` JSON) as declarations, sorted by key.

    `metric_variables` maps the metric keys the same import declares to their variables;
    `taken_variables` are the module's other names, which group variables must not reuse."""
    reps = sorted(
        (
            MetricGroupRep.model_validate(raw)
            for raw in raw_groups
            if isinstance(raw.get("key"), str)
        ),
        key=lambda rep: rep.key,
    )
    keys = [rep.key for rep in reps]
    taken = set(taken_variables) | set(metric_variables.values())
    # Listed after the module's own names, so only group variables get a suffix on a clash.
    variables = variable_names([*sorted(taken), *(f"{k}_group" for k in keys)])[len(taken) :]
    provider = serialize_provider(MetricGroupProvider())
    checker = MetricGroupProvider()
    groups = []
    for rep, resource_name, variable in zip(reps, resource_names(keys), variables, strict=True):
        declared = _declared(rep, project_key, metric_variables)
        resolved = {**declared, "metrics": [_resolved(m) for m in declared["metrics"]]}
        checked = checker.check({}, resolved)
        if checked.failures:  # LaunchDarkly holds it; say what this version refuses
            reasons = "; ".join(f"{f.property}: {f.reason}" for f in checked.failures)
            raise ValueError(f"metric group {project_key}/{rep.key} cannot be declared: {reasons}")
        live = group_spec_from_rep(rep, project_key)
        drift = group_changed_fields(live, group_spec_from_inputs(checked.inputs))
        if drift:  # a guard: the declaration must give back the live group
            raise ValueError(f"metric group {project_key}/{rep.key}: {drift} do not round-trip")
        outputs = {**group_outputs_from_rep(rep, project_key), UNMANAGED_FIELDS: []}
        groups.append(
            ImportedGroup(
                key=rep.key,
                resource_name=resource_name,
                variable_name=variable,
                declared=declared,
                inputs={**checked.inputs, "__provider": provider},
                outputs={**outputs, "__provider": provider},
            )
        )
    return groups


def _declared(
    rep: MetricGroupRep, project_key: str, metric_variables: Mapping[str, str]
) -> dict[str, Any]:
    spec = group_spec_from_rep(rep, project_key)
    declared: dict[str, Any] = {
        "project_key": project_key,
        "key": spec.key,
        "name": spec.name,
        "kind": spec.kind,
    }
    if spec.description:
        declared["description"] = spec.description
    if spec.maintainer_id:
        declared["maintainer_id"] = spec.maintainer_id
    if spec.tags:
        declared["tags"] = list(spec.tags)
    metrics = []
    for metric in spec.metrics:
        variable = metric_variables.get(metric.key)
        ref = MetricVariable(variable, metric.key) if variable else metric.key
        entry: dict[str, Any] = {"key": ref}
        if metric.name_in_group:
            entry["name_in_group"] = metric.name_in_group
        metrics.append(entry)
    declared["metrics"] = metrics
    return declared


def _resolved(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry with its variable replaced by the key the `Metric` will output."""
    key = entry["key"]
    return {**entry, "key": key.key if isinstance(key, MetricVariable) else key}


def group_import_entries(groups: Sequence[ImportedGroup]) -> list[dict[str, Any]]:
    """`resources` entries of the `pulumi import --file` document (see `import_file.py`)."""
    return [
        {
            "type": GROUP_TYPE,
            "name": group.resource_name,
            "id": group.id,
            "logicalName": group.resource_name,
            "inputs": group.inputs,
            "outputs": group.outputs,
        }
        for group in groups
    ]


def render_groups_python(
    metrics_module: str, groups: Sequence[ImportedGroup], *, adopt: bool = False
) -> str:
    """`metrics_module` (the `render_python` text) with the group declarations appended and
    `MetricGroup` imported next to `Metric`, in `ruff format` style."""
    if not groups:
        return metrics_module
    module = metrics_module.replace(
        "from pulumi_ldmetrics import Metric\n",
        "from pulumi_ldmetrics import Metric, MetricGroup\n",
        1,
    )
    lines: list[str] = []
    for group in groups:
        lines.append("")
        lines.append(f"{group.variable_name} = MetricGroup(")
        lines.append(_fit(f"{_INDENT}{python_string(group.resource_name)},"))
        for name, value in group.declared.items():
            if name == "project_key":
                lines.append(f"{_INDENT}project_key=PROJECT_KEY,")
            elif name == "metrics":
                lines.append(f"{_INDENT}metrics=[")
                lines.extend(_fit(f"{_INDENT * 2}{_entry(entry)},") for entry in value)
                lines.append(f"{_INDENT}],")
            else:
                lines.extend(_value_lines(name, value))
        if adopt:
            lines.append(f"{_INDENT}adopt_existing=True,")
        lines.append(")")
    return module + "\n".join(lines) + "\n"


def _entry(entry: Mapping[str, Any]) -> str:
    key = entry["key"]
    parts = [f'"key": {key.name if isinstance(key, MetricVariable) else python_string(key)}']
    if "name_in_group" in entry:
        parts.append(f'"name_in_group": {python_string(entry["name_in_group"])}')
    return "{" + ", ".join(parts) + "}"


def _value_lines(name: str, value: Any) -> list[str]:
    flat = f"{_INDENT}{name}={python_literal(value)},"
    if len(flat) <= LINE_LENGTH or not isinstance(value, list):
        return [_fit(flat)]
    items = [_fit(f"{_INDENT * 2}{python_literal(item)},") for item in value]
    return [f"{_INDENT}{name}=[", *items, f"{_INDENT}],"]


def _fit(line: str) -> str:
    # ruff's width ignores pragma comments; a long string cannot be split.
    return line + "  # noqa: E501" if len(line) > LINE_LENGTH else line
