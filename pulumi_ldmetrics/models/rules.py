"""Cross-field rules of a metric spec, checked before any API call.

They are the Terraform provider's plan-time checks (`ModifyPlan`) plus the API's own
constraints from the OpenAPI text. Every violation is reported at once, as
(field path, message), so one `pulumi preview` shows everything to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, ValidationError
from pydantic.alias_generators import to_snake

from pulumi_ldmetrics.models.limits import KEY_PATTERN, MAINTAINER_PATTERN
from pulumi_ldmetrics.models.spec import ADOPT_EXISTING, MetricSpec, UrlMatcher

__all__ = [
    "KEY_PATTERN",
    "MAINTAINER_PATTERN",
    "PLACEHOLDERS",
    "Violation",
    "adopt_existing_violations",
    "contains_unknown",
    "cross_field_violations",
    "field_of",
    "validate_spec",
]

# Each URL matcher kind needs exactly one value field (Terraform provider, URL validation).
_URL_FIELD_FOR_KIND = {
    "exact": "url",
    "canonical": "url",
    "substring": "substring",
    "regex": "pattern",
}

# What each kind requires and forbids (Terraform provider ModifyPlan; trace from the v23 schema).
_REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    "click": ("selector", "urls"),
    "pageview": ("urls",),
    "custom": ("event_key",),
    "trace": ("trace_query", "trace_value_location"),
}
_FORBIDDEN_BY_KIND: dict[str, tuple[str, ...]] = {
    "click": ("success_criteria", "unit", "event_key", "trace_query", "trace_value_location"),
    "pageview": (
        "success_criteria",
        "unit",
        "event_key",
        "selector",
        "trace_query",
        "trace_value_location",
    ),
    "custom": ("urls", "selector", "trace_query", "trace_value_location"),
    "trace": ("urls", "selector", "event_key"),
}

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

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def validate_spec(
    data: Mapping[str, Any], *, is_unknown: Callable[[Any], bool] = lambda _v: False
) -> tuple[MetricSpec | None, list[Violation]]:
    """Validate raw snake_case inputs; return the spec (None unless every field parses) and
    every violation at once: type errors, then the cross-field rules among the fields that
    parsed.

    `is_unknown` marks values not known yet (Pulumi preview): such a field is taken as set to
    something valid, so a rule that involves it is skipped rather than guessed. A field of the
    wrong type is treated the same way for the cross-field rules: it is already reported.
    """
    unknown = {name for name, value in data.items() if contains_unknown(value, is_unknown)}
    known = {
        name: value for name, value in data.items() if name not in unknown and value is not None
    }
    try:
        spec = MetricSpec.model_validate(_with_placeholders(known, unknown))
    except ValidationError as err:
        errors = err.errors(include_url=False)
        type_violations = [_violation_from_pydantic(e) for e in errors]
        invalid = {field_of(e["loc"]) for e in errors} - {None}
        partial = {k: v for k, v in known.items() if k not in invalid}
        assumed = unknown | {name for name in invalid if isinstance(name, str)}
        try:
            rest = MetricSpec.model_validate(_with_placeholders(partial, assumed))
        except ValidationError:  # a guard: every failing field was set aside
            return None, type_violations
        return None, type_violations + cross_field_violations(rest, unknown=frozenset(assumed))
    return spec, cross_field_violations(spec, unknown=frozenset(unknown))


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
    spec: MetricSpec, *, unknown: frozenset[str] = frozenset()
) -> list[Violation]:
    """Every rule that involves more than a field's own type."""
    out: list[Violation] = []

    def is_set(name: str) -> bool:
        return name in unknown or getattr(spec, name) is not None

    if "name" not in unknown and not spec.name.strip():
        out.append(Violation("name", "must not be empty"))
    if "kind" not in unknown:
        kind = spec.kind
        for name in _REQUIRED_BY_KIND[kind]:
            if not is_set(name) or (name == "urls" and spec.urls == []):
                out.append(Violation(name, f"{kind} metrics require '{name}' to be set"))
        for name in _FORBIDDEN_BY_KIND[kind]:
            if name not in unknown and getattr(spec, name) is not None:
                out.append(Violation(name, f"{kind} metrics do not support '{name}'"))
        if kind in ("click", "pageview") and spec.is_numeric:
            out.append(Violation("is_numeric", f"{kind} metrics cannot be numeric"))
    if spec.is_numeric and not is_set("unit"):
        out.append(Violation("unit", "numeric metrics require 'unit' to be set"))
    out.extend(_url_violations(spec.urls or []))
    out.extend(_analysis_violations(spec, unknown))
    out.extend(
        _aggregation_violations("", spec.unit_aggregation_type, is_set("unit_aggregation_field"))
    )
    out.extend(_winsor_violations("", spec.winsor_lower_percentile, spec.winsor_upper_percentile))
    out.extend(_window_violations("", spec.window_start_offset, spec.window_end_offset))
    if spec.maintainer_id is not None and not MAINTAINER_PATTERN.match(spec.maintainer_id):
        out.append(Violation("maintainer_id", "must be a member id of 24 hexadecimal characters"))
    if spec.tags is not None:
        out.extend(
            Violation(f"tags.{i}", "must not be empty") for i, t in enumerate(spec.tags) if not t
        )
    if spec.denominator is not None:
        d = spec.denominator
        out.extend(
            _aggregation_violations(
                "denominator.", d.unit_aggregation_type, d.unit_aggregation_field is not None
            )
        )
        out.extend(
            _winsor_violations("denominator.", d.winsor_lower_percentile, d.winsor_upper_percentile)
        )
        out.extend(_window_violations("denominator.", d.window_start_offset, d.window_end_offset))
    return out


def _url_violations(urls: list[UrlMatcher]) -> list[Violation]:
    out: list[Violation] = []
    for i, matcher in enumerate(urls):
        wanted = _URL_FIELD_FOR_KIND[matcher.kind]
        if not getattr(matcher, wanted):
            out.append(
                Violation(f"urls.{i}.{wanted}", f"{matcher.kind} URL matchers require '{wanted}'")
            )
        for other in ("url", "substring", "pattern"):
            if other != wanted and getattr(matcher, other) is not None:
                out.append(
                    Violation(
                        f"urls.{i}.{other}", f"{matcher.kind} URL matchers take only '{wanted}'"
                    )
                )
        if matcher.kind == "regex" and matcher.pattern:
            try:
                re.compile(matcher.pattern)
            except (re.error, RecursionError, OverflowError) as err:
                # A pattern nested too deep for the regex parser is as unusable as a bad one.
                out.append(
                    Violation(f"urls.{i}.pattern", f"is not a valid regular expression: {err}")
                )
    return out


def _analysis_violations(spec: MetricSpec, unknown: frozenset[str]) -> list[Violation]:
    if "analysis_type" in unknown or "percentile_value" in unknown:
        return []
    out: list[Violation] = []
    if spec.analysis_type == "percentile":
        if spec.percentile_value is None:
            out.append(
                Violation(
                    "percentile_value",
                    "percentile_value is required when analysis_type is percentile",
                )
            )
        if spec.event_default is not None and spec.event_default.disabled is False:
            out.append(
                Violation(
                    "event_default.disabled",
                    "percentile metrics cannot include units "
                    "without events (disabled must be true)",
                )
            )
    elif spec.percentile_value is not None:
        out.append(
            Violation("percentile_value", "mean type metrics can not have percentile values")
        )
    if spec.percentile_value is not None and not 1 <= spec.percentile_value <= 99:
        out.append(Violation("percentile_value", "must be between 1 and 99"))
    if spec.event_default is not None and spec.event_default.value not in (None, 0):
        out.append(Violation("event_default.value", "LaunchDarkly supports only 0"))
    return out


def _aggregation_violations(
    prefix: str, aggregation: str | None, has_field: bool
) -> list[Violation]:
    if aggregation == "count_distinct" and not has_field:
        return [
            Violation(
                f"{prefix}unit_aggregation_field",
                "unit_aggregation_field is required when unit_aggregation_type is count_distinct",
            )
        ]
    return []


def _winsor_violations(prefix: str, lower: float | None, upper: float | None) -> list[Violation]:
    out = [
        Violation(f"{prefix}winsor_{side}_percentile", "must be strictly between 0 and 100")
        for side, value in (("lower", lower), ("upper", upper))
        if value is not None and not 0 < value < 100
    ]
    if lower is not None and upper is not None and lower >= upper:
        out.append(
            Violation(
                f"{prefix}winsor_upper_percentile", "must be greater than winsor_lower_percentile"
            )
        )
    return out


def _window_violations(prefix: str, start: int | None, end: int | None) -> list[Violation]:
    out = [
        Violation(f"{prefix}window_{side}_offset", "must not be negative")
        for side, value in (("start", start), ("end", end))
        if value is not None and value < 0
    ]
    if start is not None and end is not None and end < start:
        out.append(
            Violation(f"{prefix}window_end_offset", "must not be before window_start_offset")
        )
    return out


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
        message = "is not a metric field"
    elif error["type"] == "missing":
        message = "is required"
    return Violation(path, message)


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
