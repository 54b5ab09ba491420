"""Checking a metric spec before any API call: types (the pydantic models of `spec.py`), then
the shared cross-field rules of `ruleset.py`.

Rules LaunchDarkly enforces are errors; advisory ones are warnings, which never stop a
declaration (LaunchDarkly may already hold such a metric). Every problem is reported at once,
as (field path, message), so one `pulumi preview` shows everything to fix.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import AliasChoices, BaseModel, ValidationError
from pydantic.alias_generators import to_camel, to_snake

from pulumi_ldmetrics.models.limits import KEY_PATTERN, MAINTAINER_PATTERN
from pulumi_ldmetrics.models.ruleset import RULES, Enforcement, evaluate
from pulumi_ldmetrics.models.spec import (
    ADOPT_EXISTING,
    DataSource,
    Denominator,
    EventDefault,
    EventFilter,
    MetricSpec,
    UrlMatcher,
)
from pulumi_ldmetrics.models.suggest import did_you_mean

__all__ = [
    "KEY_PATTERN",
    "MAINTAINER_PATTERN",
    "PLACEHOLDERS",
    "Assessment",
    "Violation",
    "adopt_existing_violations",
    "assess",
    "contains_unknown",
    "cross_field_violations",
    "field_of",
    "validate_spec",
]

PLACEHOLDERS: Mapping[str, Any] = {
    "project_key": "unknown",
    "key": "unknown",
    "name": "unknown",
    "kind": "custom",
}
"""Valid stand-ins for required fields whose value cannot be used (unknown at preview, of the
wrong type, or from a newer API), so every other field can still be parsed and checked."""


@dataclass(frozen=True)
class Violation:
    """One broken rule: the field path (dotted, e.g. `urls.0.pattern`) and what is wrong."""

    path: str
    message: str
    rule: str | None = field(default=None, compare=False)
    """The id of the shared rule (`ruleset.RULES`) broken; None for a type error."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Assessment:
    """What checking raw inputs found."""

    spec: MetricSpec | None
    """The parsed spec; None unless every field parses."""
    errors: list[Violation]
    """Type errors and broken enforced rules: LaunchDarkly would refuse the metric."""
    warnings: list[Violation]
    """Broken advisory rules: worth a look, never a refusal."""


def assess(
    data: Mapping[str, Any], *, is_unknown: Callable[[Any], bool] = lambda _v: False
) -> Assessment:
    """Check raw snake_case inputs: type errors, then the shared rules among the fields that
    parsed, all at once.

    `is_unknown` marks values not known yet (Pulumi preview): such a field is taken as set to
    something valid, so a rule that involves it is skipped rather than guessed. A field of the
    wrong type is treated the same way for the cross-field rules: it is already reported.
    """
    unknown = {
        _FIELD_BY_SPELLING.get(name, name)
        for name, value in data.items()
        if contains_unknown(value, is_unknown)
    }
    known = {
        name: value
        for name, value in data.items()
        if _FIELD_BY_SPELLING.get(name, name) not in unknown and value is not None
    }
    try:
        spec = MetricSpec.model_validate(_with_placeholders(known, unknown))
    except ValidationError as err:
        errors = err.errors(include_url=False)
        type_violations = [_violation_from_pydantic(e) for e in errors]
        invalid = {field_of(e["loc"]) for e in errors} - {None}
        # `known` may use any spelling (camelCase from a wire document): compare field names.
        partial = {k: v for k, v in known.items() if _FIELD_BY_SPELLING.get(k, k) not in invalid}
        assumed = unknown | {name for name in invalid if isinstance(name, str)}
        try:
            rest = MetricSpec.model_validate(_with_placeholders(partial, assumed))
        except ValidationError:  # a guard: every failing field was set aside
            return Assessment(None, type_violations, [])
        found = cross_field_violations(rest, unknown=frozenset(assumed), enforcement=None)
        return Assessment(None, type_violations + _errors(found), _warnings(found))
    found = cross_field_violations(spec, unknown=frozenset(unknown), enforcement=None)
    return Assessment(spec, _errors(found), _warnings(found))


def validate_spec(
    data: Mapping[str, Any], *, is_unknown: Callable[[Any], bool] = lambda _v: False
) -> tuple[MetricSpec | None, list[Violation]]:
    """`assess` without the warnings: the spec (None unless every field parses) and every
    error."""
    found = assess(data, is_unknown=is_unknown)
    return found.spec, found.errors


_ADVISORY_IDS = frozenset(rule.id for rule in RULES if rule.enforcement is Enforcement.ADVISORY)


def _errors(found: list[Violation]) -> list[Violation]:
    return [v for v in found if v.rule not in _ADVISORY_IDS]


def _warnings(found: list[Violation]) -> list[Violation]:
    return [v for v in found if v.rule in _ADVISORY_IDS]


def adopt_existing_violations(
    value: Any, *, is_unknown: Callable[[Any], bool] = lambda _v: False
) -> list[Violation]:
    """`adopt_existing` must be a real boolean: the string "false" must not adopt."""
    if value is None or isinstance(value, bool) or is_unknown(value):
        return []
    return [Violation(ADOPT_EXISTING, "must be a boolean (true or false)")]


def field_of(loc: tuple[int | str, ...]) -> str | None:
    """The metric field a pydantic error location starts with (it may be a wire alias)."""
    if not loc or not isinstance(loc[0], str):
        return None
    return _FIELD_BY_SPELLING.get(loc[0], loc[0])


def _with_placeholders(values: Mapping[str, Any], assumed: set[str]) -> dict[str, Any]:
    return {**values, **{name: PLACEHOLDERS[name] for name in assumed & PLACEHOLDERS.keys()}}


def _spellings(name: str) -> set[str]:
    field = MetricSpec.model_fields[name]
    spellings = {name, field.alias or name}
    if isinstance(field.validation_alias, AliasChoices):
        spellings.update(c for c in field.validation_alias.choices if isinstance(c, str))
    elif isinstance(field.validation_alias, str):
        spellings.add(field.validation_alias)
    return spellings


_FIELD_BY_SPELLING: Mapping[str, str] = {
    spelling: name for name in MetricSpec.model_fields for spelling in _spellings(name)
}
"""Every accepted spelling of a field (snake_case, camelCase, deprecated alias) -> its name."""


def cross_field_violations(
    spec: MetricSpec,
    *,
    unknown: frozenset[str] = frozenset(),
    enforcement: Enforcement | None = Enforcement.ENFORCED,
) -> list[Violation]:
    """The shared rules (`ruleset.RULES`) broken by `spec`, of one `enforcement` (None: all).

    `unknown` names fields (snake_case) whose value is unknown or unusable; rules reading one
    of them are skipped."""
    doc = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    unusable = frozenset(to_camel(name) for name in unknown)
    for name in unknown:  # a placeholder stands for an unknown value: no rule may read it
        doc.pop(to_camel(name), None)
    return [
        Violation(_snake_path(finding.path), finding.message, rule=rule.id)
        for rule, finding in evaluate(
            doc, name=to_snake, unusable=unusable, enforcement=enforcement
        )
    ]


def _snake_path(path: tuple[str | int, ...]) -> str:
    return ".".join(to_snake(part) if isinstance(part, str) else str(part) for part in path)


def _violation_from_pydantic(error: Any) -> Violation:
    loc = list(error["loc"])
    # Missing fields are reported under their wire alias; users write snake_case. A key that
    # is not a field at all is shown as the user wrote it.
    verbatim = loc.pop() if error["type"] == "extra_forbidden" and loc else None
    parts = [to_snake(p) if isinstance(p, str) else str(p) for p in loc]
    if verbatim is not None:
        parts.append(str(verbatim))
    path = ".".join(_path_part(part) for part in parts) or "metric"
    message = str(error["msg"])
    if error["type"] == "value_error":  # our own validators' messages, without pydantic's prefix
        message = message.removeprefix("Value error, ")
    elif error["type"] == "extra_forbidden":
        message = _not_a_field(loc, str(verbatim))
    elif error["type"] == "missing":
        message = "is required"
    return Violation(path, message)


_NOUNS: Mapping[type[BaseModel], str] = {
    MetricSpec: "metric",
    UrlMatcher: "URL matcher",
    EventDefault: "event_default",
    DataSource: "data source",
    EventFilter: "filter",
    Denominator: "denominator",
}


def _not_a_field(parent: list[int | str], name: str) -> str:
    """`is not a URL matcher field (did you mean 'substring'?)`: named after the object the
    unknown key sits in, with the closest field of that object."""
    model = _model_at(parent)
    if model is None:
        return "is not a metric field"
    noun = _NOUNS.get(model, "metric")
    article = "an" if noun[0] in "aeiou" else "a"
    return f"is not {article} {noun} field{did_you_mean(name, model.model_fields)}"


def _model_at(loc: list[int | str]) -> type[BaseModel] | None:
    """The model that validates the object at `loc` (list indexes skipped), if one does."""
    model: type[BaseModel] = MetricSpec
    for part in loc:
        if isinstance(part, int):
            continue
        if model is EventFilter and part == "values":
            continue  # a group's values are filters themselves
        names = {spelling: n for n in model.model_fields for spelling in _all_spellings(model, n)}
        if part not in names:
            return None
        found = _model_in(model.model_fields[names[part]].annotation)
        if found is None:
            return None
        model = found
    return model


def _all_spellings(model: type[BaseModel], name: str) -> set[str]:
    return {name, model.model_fields[name].alias or name}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as `list[UrlMatcher] | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


_MAX_PATH_PART = 64
"""A property name longer than this is cut in a failure's path (it may be 70,000 long)."""


def _path_part(part: str) -> str:
    """`part` as it can appear in a property path: plain names as they are; an empty, blank,
    unprintable, dotted or overlong one as a quoted, escaped, shortened string."""
    plain = part.isprintable() and part.strip() == part and "." not in part and part != ""
    if plain and len(part) <= _MAX_PATH_PART:
        return part
    shown = part if len(part) <= _MAX_PATH_PART else part[:_MAX_PATH_PART] + "..."
    return json.dumps(shown)


def contains_unknown(value: Any, is_unknown: Callable[[Any], bool]) -> bool:
    """Whether `value`, or anything nested in it, is unknown. Iterative: inputs may nest
    deeper than Python's recursion limit, and this runs before anything refuses them."""
    stack = [value]
    while stack:
        item = stack.pop()
        if is_unknown(item):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False
