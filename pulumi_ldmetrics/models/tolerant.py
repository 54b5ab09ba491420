"""Parse values we may not fully understand into a `MetricSpec`, never raising.

What LaunchDarkly returns (and what earlier refreshes stored in the state) may hold a kind, an
enum value or a nested field this version does not know. `tolerant_spec` keeps every field the
spec accepts and carries each other one verbatim in `MetricSpec.unrecognized`, so it reaches
outputs, inputs, diffs and patches instead of failing the operation.

Unrecognized values are kept in *input shape*: the snake_case field names the spec knows, at any
depth, and every unknown key exactly as the server spelled it. `wire_shape` turns them back, so
what goes out in a patch is byte for byte what came in, minus what the user changed. Both
directions are derived from the models' own fields.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from pulumi_ldmetrics.models.rules import PLACEHOLDERS, field_of
from pulumi_ldmetrics.models.spec import SPEC_FIELDS, EventFilter, MetricSpec

_MAX_WALK_DEPTH = 64
"""Past this depth a value is copied as it is: known field names nest a handful of levels (a
filter tree at most `MAX_FILTER_DEPTH`), and a hostile depth must not exhaust the stack."""


def tolerant_spec(data: Mapping[str, Any]) -> MetricSpec:
    """The spec for snake_case `data`: each field that does not validate is set aside into
    `unrecognized` (in input shape) and replaced by a placeholder (required) or left out."""
    fields = {k: v for k, v in data.items() if k in SPEC_FIELDS and v is not None}
    set_aside: set[str] = set()
    spec: MetricSpec | None = None
    # Each failing round sets aside at least one more field (or stands in for an absent
    # required one), so this needs at most len(fields) + len(PLACEHOLDERS) + 1 rounds.
    for _ in range(len(fields) + len(PLACEHOLDERS) + 1):
        kept = {k: v for k, v in fields.items() if k not in set_aside}
        stand_ins = {k: PLACEHOLDERS[k] for k in set_aside if k in PLACEHOLDERS}
        try:
            spec = MetricSpec.model_validate({**kept, **stand_ins})
            break
        except ValidationError as err:
            located = (field_of(e["loc"]) for e in err.errors(include_url=False))
            failing = {name for name in located if name is not None}
            # A required field that is absent gets a stand-in but carries nothing.
            absent = {name for name in failing if name in PLACEHOLDERS and name not in fields}
            progress = {name for name in failing if name in kept} | (absent - set_aside)
            # A failure we cannot pin on a field (a guard): set everything aside.
            set_aside |= progress or set(kept)
    if spec is None:  # unreachable while PLACEHOLDERS validate; never raise regardless
        set_aside = set(fields)
        spec = MetricSpec.model_validate(dict(PLACEHOLDERS))
    return spec.carrying(
        {name: input_shape(name, fields[name]) for name in sorted(set_aside) if name in fields}
    )


def input_shape(field: str, value: Any) -> Any:
    """`value` of spec field `field` with every known field name in snake_case."""
    return _convert(value, _model_of(MetricSpec.model_fields[field].annotation), False, 0)


def wire_shape(field: str, value: Any) -> Any:
    """`value` of spec field `field` with every known field name in camelCase (the wire)."""
    return _convert(value, _model_of(MetricSpec.model_fields[field].annotation), True, 0)


def _convert(value: Any, model: type[BaseModel] | None, to_wire: bool, depth: int) -> Any:
    if depth > _MAX_WALK_DEPTH:
        return value
    if isinstance(value, list):
        return [_convert(item, model, to_wire, depth + 1) for item in value]
    if model is None or not isinstance(value, Mapping):
        return value
    out: dict[Any, Any] = {}
    for key, item in value.items():
        name = _names(model).get(key) if isinstance(key, str) else None
        if name is None:  # unknown to this version: exactly as it came
            out[key] = item
            continue
        field = model.model_fields[name]
        # A group's `values` are filters; any other filter's values are scalars, left as is.
        child: type[BaseModel] | None = (
            EventFilter
            if model is EventFilter and name == "values"
            else _model_of(field.annotation)
        )
        out[(field.alias or name) if to_wire else name] = _convert(item, child, to_wire, depth + 1)
    return out


def _names(model: type[BaseModel]) -> dict[str, str]:
    """Both spellings of each field of `model` -> the field name."""
    names = {name: name for name in model.model_fields}
    names.update({f.alias: name for name, f in model.model_fields.items() if f.alias})
    return names


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly, in a list or optionally (`X | None`, `list[X]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
