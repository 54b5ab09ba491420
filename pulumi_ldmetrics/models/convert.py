"""Pure converters between the spec, the wire, and Pulumi's property dicts.

Named for their direction. Nothing here does I/O; the provider calls the client and these.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pulumi_ldmetrics.models.defaults import normalize
from pulumi_ldmetrics.models.response import MetricRep
from pulumi_ldmetrics.models.spec import COMPUTED_WHEN_OMITTED, SPEC_FIELDS, MetricSpec

JsonObject = dict[str, Any]
PatchOp = dict[str, Any]

OUTPUT_ONLY_FIELDS: tuple[str, ...] = (
    "metric_id",
    "version",
    "version_id",
    "creation_date",
    "site_url",
)
"""Outputs the server computes, besides every input."""


def wire_document(spec: MetricSpec) -> JsonObject:
    """The camelCase JSON LaunchDarkly stores for `spec`, without the project (it is in the URL)."""
    return spec.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"project_key"})


def post_body(spec: MetricSpec) -> JsonObject:
    """The create body: the normalized spec, defaults spelled out so the server cannot differ."""
    return wire_document(normalize(spec))


def inputs_from_spec(spec: MetricSpec) -> JsonObject:
    """Pulumi inputs (snake_case, nothing undeclared) for a spec."""
    return spec.model_dump(mode="json", exclude_none=True)


def spec_from_inputs(props: Mapping[str, Any]) -> MetricSpec:
    """Parse stored inputs or outputs (already validated once) back into a spec."""
    return MetricSpec.model_validate(
        {k: v for k, v in props.items() if k in SPEC_FIELDS and v is not None}
    )


def with_unmanaged_from(new: MetricSpec, old: MetricSpec) -> MetricSpec:
    """`new`, with each undeclared server-chosen field taken from `old`, so nothing compares it."""
    carried = {
        name: getattr(old, name) for name in COMPUTED_WHEN_OMITTED if getattr(new, name) is None
    }
    return new.model_copy(update=carried)


def changed_fields(old: MetricSpec, new: MetricSpec) -> list[str]:
    """Input fields whose normalized values differ, ignoring undeclared server-chosen ones."""
    old_n, new_n = normalize(old), with_unmanaged_from(normalize(new), normalize(old))
    return [name for name in SPEC_FIELDS if getattr(old_n, name) != getattr(new_n, name)]


def patch_ops(old: MetricSpec, new: MetricSpec) -> list[PatchOp]:
    """The minimal RFC 6902 patch that turns the stored `old` into `new`.

    Only changed paths appear; nested objects are diffed down to their leaves, lists are replaced
    whole (their order or membership changed). A removed optional field without a default becomes
    a `remove`; one with a default is already spelled out by `normalize`, so it is a `replace`.
    """
    old_n = normalize(old)
    new_n = with_unmanaged_from(normalize(new), old_n)
    return json_diff(wire_document(old_n), wire_document(new_n))


def json_diff(old: JsonObject, new: JsonObject, prefix: str = "") -> list[PatchOp]:
    """RFC 6902 operations turning object `old` into object `new`, leaves only."""
    ops: list[PatchOp] = []
    for name in sorted(old.keys() | new.keys()):
        path = f"{prefix}/{_escape_pointer(name)}"
        if name not in new:
            ops.append({"op": "remove", "path": path})
        elif name not in old:
            ops.append({"op": "add", "path": path, "value": new[name]})
        elif isinstance(old[name], dict) and isinstance(new[name], dict):
            ops.extend(json_diff(old[name], new[name], path))
        elif old[name] != new[name] or _is_bool(old[name]) != _is_bool(new[name]):
            ops.append({"op": "replace", "path": path, "value": new[name]})
    return ops


def spec_from_rep(rep: MetricRep, project_key: str) -> MetricSpec:
    """The normalized spec a live metric corresponds to (refresh and import)."""
    data: JsonObject = {
        "project_key": project_key,
        "key": rep.key,
        "name": rep.name or rep.key,
        "kind": rep.kind,
        "analysis_units": rep.effective_analysis_units,
        "maintainer_id": rep.effective_maintainer_id,
        "urls": [{k: v for k, v in u.items() if v is not None} for u in rep.urls]
        if rep.urls
        else None,
        "data_source": _writable_part(rep.data_source),
        "denominator": _strip_read_only(rep.denominator),
    }
    for name in SPEC_FIELDS:
        if name not in data and hasattr(rep, name):
            data[name] = getattr(rep, name)
    return normalize(spec_from_inputs(data))


def inputs_from_rep(
    rep: MetricRep, project_key: str, *, managed: Collection[str] = ()
) -> JsonObject:
    """Pulumi inputs mirroring a live metric, in the exact shape `check` returns.

    Server-chosen fields (`COMPUTED_WHEN_OMITTED`) are kept only when named in `managed` (they
    were declared before), so a refresh does not make undeclared values look declared.
    """
    spec = spec_from_rep(rep, project_key)
    dropped = {name: None for name in COMPUTED_WHEN_OMITTED if name not in managed}
    return inputs_from_spec(spec.model_copy(update=dropped))


def outputs_from_rep(rep: MetricRep, project_key: str, *, site_base_url: str) -> JsonObject:
    """Pulumi outputs: every input as stored on the server, plus the server-computed fields."""
    outputs = inputs_from_spec(spec_from_rep(rep, project_key))
    site_href = rep.site.href if rep.site and rep.site.href else None
    outputs.update(
        metric_id=rep.id,
        version=rep.version,
        version_id=rep.version_id,
        creation_date=rep.creation_date,
        site_url=f"{site_base_url.rstrip('/')}{site_href}" if site_href else None,
    )
    return {k: v for k, v in outputs.items() if v is not None}


def _writable_part(data_source: Mapping[str, Any] | None) -> JsonObject | None:
    if not data_source or not data_source.get("key"):
        return None
    return {
        k: v for k, v in data_source.items() if k in ("key", "environmentKey") and v is not None
    }


def _strip_read_only(value: Any) -> Any:
    """Drop `_`-prefixed (read-only) keys recursively: they are not part of any write body."""
    if isinstance(value, dict):
        return {
            k: _strip_read_only(v)
            for k, v in value.items()
            if not k.startswith("_") and v is not None
        }
    return value


def _is_bool(value: Any) -> bool:
    # True == 1 in Python, but not on the wire.
    return isinstance(value, bool)


def _escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
