"""Pure converters between the spec, the wire, and Pulumi's property dicts.

Named for their direction. Nothing here does I/O; the provider calls the client and these.
Every converter honours `MetricSpec.unrecognized`: a server value this version cannot represent
goes into inputs, outputs and the wire as it came, and counts in comparisons, so it is shown in
a diff and replaced by a patch, never dropped. Nothing that reads the server or the state raises
on such a value (`tolerant.py`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pulumi_ldmetrics.models.defaults import normalize
from pulumi_ldmetrics.models.response import MetricRep
from pulumi_ldmetrics.models.spec import COMPUTED_WHEN_OMITTED, SPEC_FIELDS, MetricSpec
from pulumi_ldmetrics.models.tolerant import tolerant_spec, wire_shape

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
    doc = spec.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"project_key"})
    for name, value in spec.unrecognized.items():
        if name != "project_key":
            doc[MetricSpec.model_fields[name].alias or name] = wire_shape(name, value)
    return doc


def post_body(spec: MetricSpec) -> JsonObject:
    """The create body: the normalized spec, defaults spelled out so the server cannot differ."""
    return wire_document(normalize(spec))


def inputs_from_spec(spec: MetricSpec) -> JsonObject:
    """Pulumi inputs (snake_case, nothing undeclared) for a spec."""
    return {**spec.model_dump(mode="json", exclude_none=True), **spec.unrecognized}


def spec_from_inputs(props: Mapping[str, Any]) -> MetricSpec:
    """Parse stored inputs or outputs back into a spec. Never raises: what a refresh stored from
    a newer API is carried in `unrecognized` (the state is not the place to reject it)."""
    return tolerant_spec(props)


def with_unmanaged_from(new: MetricSpec, old: MetricSpec) -> MetricSpec:
    """`new`, with each undeclared server-chosen field taken from `old`, so nothing compares it."""
    undeclared = [
        name
        for name in COMPUTED_WHEN_OMITTED
        if getattr(new, name) is None and name not in new.unrecognized
    ]
    carried = new.model_copy(update={name: getattr(old, name) for name in undeclared})
    foreign = {name: old.unrecognized[name] for name in undeclared if name in old.unrecognized}
    return carried.carrying({**new.unrecognized, **foreign}) if foreign else carried


def changed_fields(old: MetricSpec, new: MetricSpec) -> list[str]:
    """Input fields whose normalized values differ, ignoring undeclared server-chosen ones."""
    old_n, new_n = normalize(old), with_unmanaged_from(normalize(new), normalize(old))
    return [name for name in SPEC_FIELDS if _value(old_n, name) != _value(new_n, name)]


def _value(spec: MetricSpec, name: str) -> Any:
    # An unrecognized value (a plain JSON value) never equals a parsed one (a model or a known
    # enum value), so the field counts as changed, as it is.
    return spec.unrecognized[name] if name in spec.unrecognized else getattr(spec, name)


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
    """The normalized spec a live metric corresponds to (refresh, import, a write's read-back).

    Every writable field is read from the document as sent, named as `MetricSpec` names it on
    the wire. Read-only (`_`-prefixed) keys are left out at every depth: they are not part of
    any write body. Never raises: what the spec cannot represent is carried in `unrecognized`.
    """
    doc = rep.document
    data: JsonObject = {
        name: _strip_read_only(doc.get(MetricSpec.model_fields[name].alias or name), 0)
        for name in SPEC_FIELDS
    }
    data.update(
        project_key=project_key,
        key=rep.key,
        name=data["name"] or rep.key,
        analysis_units=_strip_read_only(rep.effective_analysis_units, 0),
        maintainer_id=rep.effective_maintainer_id,
        data_source=_writable_data_source(data["data_source"]),
    )
    return normalize(tolerant_spec(data))


def inputs_from_rep(
    rep: MetricRep, project_key: str, *, managed: Collection[str] = ()
) -> JsonObject:
    """Pulumi inputs mirroring a live metric, in the exact shape `check` returns.

    Server-chosen fields (`COMPUTED_WHEN_OMITTED`) are kept only when named in `managed` (they
    were declared before), so a refresh does not make undeclared values look declared.
    """
    spec = spec_from_rep(rep, project_key)
    dropped = {name: None for name in COMPUTED_WHEN_OMITTED if name not in managed}
    kept = {k: v for k, v in spec.unrecognized.items() if k not in dropped}
    return inputs_from_spec(spec.model_copy(update=dropped).carrying(kept))


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


def _writable_data_source(data_source: Any) -> Any:
    # LaunchDarkly-hosted metrics may come back with an empty data source: same as none.
    if isinstance(data_source, Mapping) and not data_source.get("key"):
        return None
    return data_source


_MAX_STRIP_DEPTH = 64
"""Past this depth a value is kept as it is; nothing writable nests that deep (filters at most
`MAX_FILTER_DEPTH`), and a hostile server must not exhaust the stack."""


def _strip_read_only(value: Any, depth: int) -> Any:
    """Drop `_`-prefixed (read-only) keys and null values recursively."""
    if depth > _MAX_STRIP_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {
            k: _strip_read_only(v, depth + 1)
            for k, v in value.items()
            if not (isinstance(k, str) and k.startswith("_")) and v is not None
        }
    if isinstance(value, list):
        return [_strip_read_only(v, depth + 1) for v in value]
    return value


def _is_bool(value: Any) -> bool:
    # True == 1 in Python, but not on the wire.
    return isinstance(value, bool)


def _escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
