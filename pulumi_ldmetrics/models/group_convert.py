"""Pure converters for metric groups: spec <-> wire JSON <-> Pulumi property dicts.

Named for their direction; no I/O. The wire document (`group_document`) is the group as a
JSON Patch sees it: every patchable field present, so `replace` always has a target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_ldmetrics.models.group_defaults import normalize_group
from pulumi_ldmetrics.models.group_response import MetricGroupRep
from pulumi_ldmetrics.models.group_spec import (
    GROUP_COMPUTED_WHEN_OMITTED,
    GROUP_FIELDS,
    PATCHABLE,
    MetricGroupSpec,
    MetricInGroup,
)

JsonObject = dict[str, Any]
PatchOp = dict[str, Any]

GROUP_OUTPUT_ONLY_FIELDS: tuple[str, ...] = (
    "group_id",
    "version",
    "creation_date",
    "last_modified",
)
"""Outputs the server computes, besides every input."""

_WIRE_NAME = {"maintainer_id": "maintainerId"}


def group_document(spec: MetricGroupSpec) -> JsonObject:
    """The normalized group as camelCase JSON, every patchable field present (no project: it
    is in the URL). `maintainerId` only when known."""
    n = normalize_group(spec)
    doc: JsonObject = {
        "key": n.key,
        "name": n.name,
        "kind": n.kind,
        "description": n.description or "",
        "tags": list(n.tags or []),
        "metrics": [{"key": m.key, "nameInGroup": m.name_in_group or ""} for m in n.metrics],
    }
    if n.maintainer_id is not None:
        doc["maintainerId"] = n.maintainer_id
    return doc


def group_post_body(spec: MetricGroupSpec) -> JsonObject:
    """The create body (`MetricGroupPost`), as the Terraform provider sends it: `tags` always,
    `nameInGroup` `""` when unset, `description` only when not empty."""
    body = group_document(spec)
    if not body["description"]:
        del body["description"]
    return body


def group_patch_ops(old: MetricGroupSpec, new: MetricGroupSpec) -> list[PatchOp]:
    """The minimal patch turning `old` into `new`: one `replace` per changed patchable field,
    lists (tags, metrics) whole, as the Terraform provider does. An undeclared maintainer in
    `new` is left as it is."""
    old_doc, new_doc = group_document(old), group_document(new)
    ops: list[PatchOp] = []
    for field in PATCHABLE:
        wire = _WIRE_NAME.get(field, field)
        if wire not in new_doc:  # maintainer not declared: not managed
            continue
        if old_doc.get(wire) != new_doc[wire]:
            ops.append({"op": "replace", "path": f"/{wire}", "value": new_doc[wire]})
    return ops


def group_changed_fields(old: MetricGroupSpec, new: MetricGroupSpec) -> list[str]:
    """Input fields whose normalized values differ (an undeclared maintainer never does)."""
    old_n, new_n = normalize_group(old), normalize_group(new)
    changed = []
    for name in GROUP_FIELDS:
        if name in GROUP_COMPUTED_WHEN_OMITTED and getattr(new_n, name) is None:
            continue
        if _plain(getattr(old_n, name)) != _plain(getattr(new_n, name)):
            changed.append(name)
    return changed


def group_inputs_from_spec(spec: MetricGroupSpec) -> JsonObject:
    """Pulumi inputs (snake_case, nothing undeclared) for a spec."""
    out: JsonObject = {
        "project_key": spec.project_key,
        "key": spec.key,
        "name": spec.name,
        "kind": spec.kind,
        "description": spec.description,
        "maintainer_id": spec.maintainer_id,
        "tags": None if spec.tags is None else list(spec.tags),
        "metrics": [_metric_input(m) for m in spec.metrics],
    }
    return {k: v for k, v in out.items() if v is not None}


def group_spec_from_inputs(props: Mapping[str, Any]) -> MetricGroupSpec:
    """Stored inputs or outputs back into a spec, without validation: they were checked when
    written, or came from the server, whose values are shown rather than refused."""
    metrics = props.get("metrics")
    fields: dict[str, Any] = {name: props.get(name) for name in GROUP_FIELDS if name != "metrics"}
    fields["metrics"] = [
        MetricInGroup.model_construct(
            key=str(m.get("key")), name_in_group=m.get("name_in_group") or None
        )
        for m in (metrics if isinstance(metrics, list) else [])
        if isinstance(m, Mapping)
    ]
    return MetricGroupSpec.model_construct(**fields)


def group_spec_from_rep(rep: MetricGroupRep, project_key: str) -> MetricGroupSpec:
    """The normalized spec a live group corresponds to (refresh, import, a write's read-back).
    Never raises: values of unexpected types are kept as they came, so a diff shows them."""
    doc = rep.document
    metrics = doc.get("metrics")
    tags = doc.get("tags")
    return normalize_group(
        group_spec_from_inputs(
            {
                "project_key": project_key,
                "key": rep.key,
                "name": doc.get("name") if isinstance(doc.get("name"), str) else rep.key,
                "kind": doc.get("kind"),
                "description": doc.get("description") or None,
                "maintainer_id": rep.maintainer_id,
                "tags": [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
                "metrics": [
                    {"key": m.get("key"), "name_in_group": m.get("nameInGroup")}
                    for m in (metrics if isinstance(metrics, list) else [])
                    if isinstance(m, Mapping)
                ],
            }
        )
    )


def group_inputs_from_rep(
    rep: MetricGroupRep, project_key: str, *, manage_maintainer: bool
) -> JsonObject:
    """Pulumi inputs mirroring a live group, in the shape `check` returns; the maintainer only
    when it was declared before."""
    inputs = group_inputs_from_spec(group_spec_from_rep(rep, project_key))
    if not manage_maintainer:
        inputs.pop("maintainer_id", None)
    return inputs


def group_outputs_from_rep(rep: MetricGroupRep, project_key: str) -> JsonObject:
    """Pulumi outputs: every input as the server holds it, plus the server-computed fields."""
    outputs = group_inputs_from_spec(group_spec_from_rep(rep, project_key))
    outputs.update(
        group_id=rep.id,
        version=rep.version,
        creation_date=rep.creation_date,
        last_modified=rep.last_modified,
    )
    return {k: v for k, v in outputs.items() if v is not None}


def _metric_input(metric: MetricInGroup) -> JsonObject:
    entry: JsonObject = {"key": metric.key}
    if metric.name_in_group:
        entry["name_in_group"] = metric.name_in_group
    return entry


def _plain(value: Any) -> Any:
    """A comparable plain value (models as dicts, without None members)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, MetricInGroup):
        return {"key": value.key, "name_in_group": value.name_in_group or None}
    return value
