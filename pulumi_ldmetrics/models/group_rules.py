"""Rules of a metric group spec, checked before any API call, every violation at once.

The Terraform provider's plan-time checks (schema validators and `ModifyPlan`) plus what the
API itself requires (`MetricGroupPost`). Each rule is reported as (field path, message):

| rule | source |
|---|---|
| key, project key, metric keys match the key pattern | TF `keyPattern` |
| `name` not empty | API (required) |
| `kind` is `funnel` or `standard` | API enum, TF `OneOf` |
| at least `MIN_METRICS` metrics | TF `SizeAtLeast(2)` |
| funnel: every metric has a `name_in_group` | TF `ModifyPlan` |
| standard: no metric has a `name_in_group` | TF `ModifyPlan` |
| `maintainer_id` is 24 hex characters | TF validator |
| each tag 1 to 64 of `[a-zA-Z0-9_.-]` | TF `tagValidator` |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from pulumi_ldmetrics.models.group_spec import MIN_METRICS, MetricGroupSpec
from pulumi_ldmetrics.models.limits import MAINTAINER_PATTERN
from pulumi_ldmetrics.models.rules import Violation, contains_unknown

__all__ = ["FUNNEL_NEEDS_NAMES", "STANDARD_REFUSES_NAMES", "validate_group"]

FUNNEL_NEEDS_NAMES = "funnel metric groups require 'name_in_group' on every metric"
STANDARD_REFUSES_NAMES = "standard metric groups do not accept 'name_in_group'"

# Valid stand-ins for required values that cannot be used (unknown at preview, or invalid and
# already reported), so the other fields are still parsed and checked.
_PLACEHOLDERS: Mapping[str, Any] = {
    "project_key": "unknown",
    "key": "unknown",
    "name": "unknown",
    "kind": "standard",
    "metrics": [],
}
_UNKNOWN_METRIC_KEY = "unknown"
_UNKNOWN_STEP_NAME = "unknown"


def validate_group(
    data: Mapping[str, Any], *, is_unknown: Callable[[Any], bool] = lambda _v: False
) -> tuple[MetricGroupSpec | None, list[Violation]]:
    """Validate raw snake_case inputs: the spec (None unless everything parses) and every
    violation, type errors first, then the cross-field rules among the fields that parsed.

    `is_unknown` marks values not known yet (preview). A wholly unknown field is taken as
    valid; inside `metrics`, an unknown key or step name is taken as set, so the count and the
    funnel/standard rules still apply to the rest (a metric passed as a `Metric` resource has
    an unknown key until it is created)."""
    unknown = {n for n, v in data.items() if n != "metrics" and contains_unknown(v, is_unknown)}
    known = {n: v for n, v in data.items() if n not in unknown and v is not None}
    unknown_names: set[int] = set()
    if "metrics" in known:
        if is_unknown(known["metrics"]):
            unknown.add("metrics")
            del known["metrics"]
        elif isinstance(known["metrics"], list):
            known["metrics"], unknown_names = _stand_in_metrics(known["metrics"], is_unknown)
    violations: list[Violation] = []
    try:
        spec = MetricGroupSpec.model_validate({**known, **_stand_ins(unknown)})
    except ValidationError as err:
        errors = err.errors(include_url=False)
        violations = [_violation(e) for e in errors]
        invalid = {str(e["loc"][0]) for e in errors if e["loc"]}
        partial = {k: v for k, v in known.items() if k not in invalid}
        unknown |= invalid
        try:
            rest = MetricGroupSpec.model_validate({**partial, **_stand_ins(unknown)})
        except ValidationError:  # a guard: every failing field was set aside
            return None, violations
        return None, violations + _cross_field(rest, frozenset(unknown), unknown_names)
    violations = _cross_field(spec, frozenset(unknown), unknown_names)
    return (None if violations else spec), violations


def _stand_in_metrics(
    metrics: list[Any], is_unknown: Callable[[Any], bool]
) -> tuple[list[Any], set[int]]:
    """`metrics` with unknown keys and step names replaced by valid stand-ins, and the indexes
    whose step name is unknown (a rule about step names cannot be decided for them)."""
    out: list[Any] = []
    unknown_names: set[int] = set()
    for i, item in enumerate(metrics):
        if is_unknown(item):
            out.append({"key": _UNKNOWN_METRIC_KEY})
            unknown_names.add(i)
        elif isinstance(item, dict):
            entry = dict(item)
            if contains_unknown(entry.get("key"), is_unknown):
                entry["key"] = _UNKNOWN_METRIC_KEY
            if contains_unknown(entry.get("name_in_group"), is_unknown):
                entry["name_in_group"] = _UNKNOWN_STEP_NAME
                unknown_names.add(i)
            out.append(entry)
        else:
            out.append(item)
    return out, unknown_names


def _stand_ins(names: set[str]) -> dict[str, Any]:
    return {name: _PLACEHOLDERS[name] for name in names if name in _PLACEHOLDERS}


def _cross_field(
    spec: MetricGroupSpec, unknown: frozenset[str], unknown_names: set[int]
) -> list[Violation]:
    out: list[Violation] = []
    if "name" not in unknown and not spec.name.strip():
        out.append(Violation("name", "must not be empty"))
    if "metrics" not in unknown:
        if len(spec.metrics) < MIN_METRICS:
            out.append(Violation("metrics", f"a metric group needs at least {MIN_METRICS} metrics"))
        if "kind" not in unknown:
            for i, metric in enumerate(spec.metrics):
                if i in unknown_names:
                    continue
                named = bool(metric.name_in_group and metric.name_in_group.strip())
                if spec.kind == "funnel" and not named:
                    out.append(Violation(f"metrics.{i}.name_in_group", FUNNEL_NEEDS_NAMES))
                elif spec.kind == "standard" and metric.name_in_group:
                    out.append(Violation(f"metrics.{i}.name_in_group", STANDARD_REFUSES_NAMES))
    if spec.maintainer_id is not None and not MAINTAINER_PATTERN.match(spec.maintainer_id):
        out.append(Violation("maintainer_id", "must be a member id of 24 hexadecimal characters"))
    return out


def _violation(error: Any) -> Violation:
    loc = [str(part) for part in error["loc"]]
    # Wire aliases (nameInGroup) are reported as users write them.
    loc = ["name_in_group" if p == "nameInGroup" else p for p in loc]
    loc = ["maintainer_id" if p == "maintainerId" else p for p in loc]
    path = ".".join(loc) or "metric_group"
    message = str(error["msg"])
    if error["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    elif error["type"] == "extra_forbidden":
        message = "is not a metric group field"
    elif error["type"] == "missing":
        message = "is required"
    return Violation(path, message)
