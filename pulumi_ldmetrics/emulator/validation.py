"""Wire-level validation of metric bodies, as the real API applies it.

The per-kind rules are the Terraform provider's plan-time checks (reference §5), which are
the best public statement of what LaunchDarkly accepts; the types come from `MetricPost`
(reference §4). Every problem is reported as `"<field>: <reason>"`, and all of them are
collected so a client sees everything wrong with a body at once.

Empty strings and empty lists count as "not set" for the required/forbidden rules: the
Terraform provider sends `"unit": ""` and `"urls": []` for kinds that do not use them, and
`""` for the unused fields of a URL matcher (dropped by `pick_editable`).
"""

from __future__ import annotations

import math
import re
from typing import Any, Final, TypeGuard

JSONDict = dict[str, Any]

KEY_PATTERN: Final = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
"""Metric and project keys (TF `framework_validators.go` `keyPattern`)."""

MAINTAINER_PATTERN: Final = re.compile(r"^[a-fA-F0-9]{24}$")

KINDS: Final = ("pageview", "click", "custom", "trace")
URL_KINDS: Final = {
    "exact": "url",
    "canonical": "url",
    "substring": "substring",
    "regex": "pattern",
}
ANALYSIS_TYPES: Final = ("mean", "percentile")
AGGREGATION_TYPES: Final = ("average", "sum", "count_distinct")
SUCCESS_CRITERIA: Final = ("HigherThanBaseline", "LowerThanBaseline")
FILTER_TYPES: Final = ("contextAttribute", "eventProperty", "group")

_STRING_FIELDS: Final = (
    "key",
    "name",
    "description",
    "kind",
    "selector",
    "unit",
    "eventKey",
    "successCriteria",
    "maintainerId",
    "unitAggregationType",
    "analysisType",
    "traceQuery",
    "traceValueLocation",
    "unitAggregationField",
    "valueColumn",
)
_BOOL_FIELDS: Final = ("isNumeric", "winsorIncludeImputed", "winsorExcludeImputed")
_INT_FIELDS: Final = ("percentileValue", "windowStartOffset", "windowEndOffset")
_NUMBER_FIELDS: Final = ("winsorLowerPercentile", "winsorUpperPercentile")
_STRING_LIST_FIELDS: Final = ("tags", "analysisUnits", "randomizationUnits")
_OBJECT_FIELDS: Final = ("urls", "eventDefault", "dataSource", "filters", "denominator")

EDITABLE_FIELDS: Final = frozenset(
    _STRING_FIELDS
    + _BOOL_FIELDS
    + _INT_FIELDS
    + _NUMBER_FIELDS
    + _STRING_LIST_FIELDS
    + _OBJECT_FIELDS
)
"""Every `MetricPost` field (v23-v25). Anything else in a body is silently ignored (§1)."""

_DENOMINATOR_FIELDS: Final = {
    "eventName": "string",
    "isNumeric": "bool",
    "unitAggregationType": "string",
    "unitAggregationField": "string",
    "valueColumn": "string",
    "windowStartOffset": "int",
    "windowEndOffset": "int",
    "winsorLowerPercentile": "number",
    "winsorUpperPercentile": "number",
    "winsorIncludeImputed": "bool",
    "winsorExcludeImputed": "bool",
    "dataSource": "object",
    "filters": "object",
}


_FILTER_FIELDS: Final = ("type", "attribute", "op", "values", "contextKind", "negate")


def pick_editable(body: JSONDict) -> JSONDict:
    """Keep only `MetricPost` fields, recursively; a JSON `null` counts as "not sent".

    Unknown fields are dropped rather than rejected, like the real API (reference §1).
    """
    out = {k: v for k, v in body.items() if k in EDITABLE_FIELDS and v is not None}
    if isinstance(out.get("urls"), list):
        # LaunchDarkly's Terraform provider (v2) sends all of url/substring/pattern with the
        # unused ones as "": "" means "not sent" here as it does for top-level fields.
        out["urls"] = [
            {k: v for k, v in u.items() if v != "" and v is not None} if isinstance(u, dict) else u
            for u in out["urls"]
        ]
    if isinstance(out.get("eventDefault"), dict):
        out["eventDefault"] = _known(out["eventDefault"], ("disabled", "value"))
    if isinstance(out.get("dataSource"), dict):
        # `_name`/`_integrationKey` are server-computed; only key/environmentKey are echoed.
        out["dataSource"] = _known(out["dataSource"], ("key", "environmentKey"))
    if isinstance(out.get("filters"), dict):
        out["filters"] = _known_filter(out["filters"])
    denominator = out.get("denominator")
    if isinstance(denominator, dict):
        denominator = _known(denominator, tuple(_DENOMINATOR_FIELDS))
        if isinstance(denominator.get("dataSource"), dict):
            denominator["dataSource"] = _known(denominator["dataSource"], ("key", "environmentKey"))
        if isinstance(denominator.get("filters"), dict):
            denominator["filters"] = _known_filter(denominator["filters"])
        out["denominator"] = denominator
    return out


def _known(obj: JSONDict, fields: tuple[str, ...]) -> JSONDict:
    return {k: v for k, v in obj.items() if k in fields and v is not None}


def _known_filter(node: JSONDict) -> JSONDict:
    out = _known(node, _FILTER_FIELDS)
    if out.get("type") == "group" and isinstance(out.get("values"), list):
        out["values"] = [_known_filter(v) if isinstance(v, dict) else v for v in out["values"]]
    return out


def is_valid_key(key: str) -> bool:
    """Whether `key` is an acceptable metric or project key."""
    return bool(KEY_PATTERN.match(key))


def _is_set(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _check_type(path: str, value: Any, kind: str, errors: list[str]) -> bool:
    ok = {
        "string": isinstance(value, str),
        "bool": isinstance(value, bool),
        "int": _is_int(value),
        "number": _is_number(value),
        "object": isinstance(value, dict),
        "list": isinstance(value, list),
    }[kind]
    if not ok:
        article = "an" if kind in ("int", "object") else "a"
        noun = {"int": "integer", "bool": "boolean"}.get(kind, kind)
        errors.append(f"{path}: must be {article} {noun}")
    return ok


def validate_metric(metric: JSONDict) -> list[str]:
    """Return every problem with `metric` (editable fields, defaults already applied)."""
    errors: list[str] = []
    _check_types(metric, errors)
    for field in ("key", "kind"):
        if field not in metric:
            errors.append(f"{field}: is required")
    key = metric.get("key")
    if isinstance(key, str) and not is_valid_key(key):
        errors.append(f"key: must match {KEY_PATTERN.pattern}")
    kind = metric.get("kind")
    if isinstance(kind, str):
        if kind not in KINDS:
            errors.append(f"kind: must be one of {', '.join(KINDS)}")
        else:
            _check_kind_rules(kind, metric, errors)
    _check_enums(metric, errors)
    _check_analysis(metric, errors)
    _check_winsor("", metric, errors)
    maintainer = metric.get("maintainerId")
    if isinstance(maintainer, str) and not MAINTAINER_PATTERN.match(maintainer):
        errors.append("maintainerId: must be 24 hexadecimal characters")
    if isinstance(metric.get("urls"), list):
        _check_urls(metric["urls"], errors)
    if isinstance(metric.get("filters"), dict):
        _check_filter("filters", metric["filters"], errors)
    if isinstance(metric.get("dataSource"), dict):
        _check_data_source("dataSource", metric["dataSource"], errors)
    if isinstance(metric.get("eventDefault"), dict):
        _check_event_default(metric["eventDefault"], errors)
    if isinstance(metric.get("denominator"), dict):
        _check_denominator(metric["denominator"], errors)
    return errors


def _check_types(metric: JSONDict, errors: list[str]) -> None:
    groups = (
        (_STRING_FIELDS, "string"),
        (_BOOL_FIELDS, "bool"),
        (_INT_FIELDS, "int"),
        (_NUMBER_FIELDS, "number"),
        (("urls",), "list"),
        (("eventDefault", "dataSource", "filters", "denominator"), "object"),
    )
    for fields, kind in groups:
        for field in fields:
            if field in metric:
                _check_type(field, metric[field], kind, errors)
    for field in _STRING_LIST_FIELDS:
        if field in metric and _check_type(field, metric[field], "list", errors):
            if not all(isinstance(item, str) for item in metric[field]):
                errors.append(f"{field}: must be a list of strings")


# kind -> (required fields, forbidden fields), reference §5; trace from the v23 schema.
_KIND_RULES: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "click": (("selector", "urls"), ("successCriteria", "unit", "eventKey")),
    "pageview": (("urls",), ("successCriteria", "unit", "eventKey", "selector")),
    "custom": (("eventKey",), ("urls", "selector")),
    "trace": (("traceQuery", "traceValueLocation"), ("urls", "selector", "eventKey")),
}


def _check_kind_rules(kind: str, metric: JSONDict, errors: list[str]) -> None:
    required, forbidden = _KIND_RULES[kind]
    for field in required:
        if not _is_set(metric.get(field)):
            errors.append(f"{field}: is required for {kind} metrics")
    for field in forbidden:
        if _is_set(metric.get(field)):
            errors.append(f"{field}: is not allowed for {kind} metrics")
    if metric.get("isNumeric") is True and not _is_set(metric.get("unit")):
        errors.append("unit: is required for numeric metrics")


def _check_enums(metric: JSONDict, errors: list[str]) -> None:
    enums = (
        ("successCriteria", SUCCESS_CRITERIA),
        ("unitAggregationType", AGGREGATION_TYPES),
        ("analysisType", ANALYSIS_TYPES),
    )
    for field, allowed in enums:
        value = metric.get(field)
        if isinstance(value, str) and value not in allowed:
            errors.append(f"{field}: must be one of {', '.join(allowed)}")
    if metric.get("unitAggregationType") == "count_distinct" and not _is_set(
        metric.get("unitAggregationField")
    ):
        errors.append(
            "unitAggregationField: is required when unitAggregationType is count_distinct"
        )


def _check_analysis(metric: JSONDict, errors: list[str]) -> None:
    analysis_type = metric.get("analysisType")
    percentile = metric.get("percentileValue")
    if analysis_type == "percentile":
        if percentile is None:
            errors.append("percentileValue: is required when analysisType is percentile")
        event_default = metric.get("eventDefault")
        if isinstance(event_default, dict) and event_default.get("disabled") is False:
            # TF: include_units_without_events=true is not allowed with percentile.
            errors.append("eventDefault.disabled: must be true when analysisType is percentile")
    elif analysis_type == "mean" and percentile is not None:
        errors.append("percentileValue: mean type metrics can not have percentile values")
    if _is_int(percentile) and not 1 <= percentile <= 99:
        errors.append("percentileValue: must be between 1 and 99")


def _check_winsor(prefix: str, obj: JSONDict, errors: list[str]) -> None:
    lower = obj.get("winsorLowerPercentile")
    upper = obj.get("winsorUpperPercentile")
    for name, value in (("winsorLowerPercentile", lower), ("winsorUpperPercentile", upper)):
        if _is_number(value) and not 0 < value < 100:
            errors.append(f"{prefix}{name}: must be in the open interval (0, 100)")
    if _is_number(lower) and _is_number(upper) and not lower < upper:
        errors.append(f"{prefix}winsorUpperPercentile: must be greater than winsorLowerPercentile")


def _check_urls(urls: list[Any], errors: list[str]) -> None:
    for i, url in enumerate(urls):
        path = f"urls[{i}]"
        if not isinstance(url, dict):
            errors.append(f"{path}: must be an object")
            continue
        kind = url.get("kind")
        if not isinstance(kind, str) or kind not in URL_KINDS:
            errors.append(f"{path}.kind: must be one of {', '.join(URL_KINDS)}")
            continue
        needed = URL_KINDS[kind]
        if not isinstance(url.get(needed), str) or not url[needed]:
            errors.append(f"{path}.{needed}: is required for {kind} URLs")
        for extra in sorted(set(url) - {"kind", needed}):
            errors.append(f"{path}.{extra}: is not allowed for {kind} URLs")


def _check_filter(path: str, node: JSONDict, errors: list[str]) -> None:
    for field in ("type", "op", "values", "negate"):
        if field not in node:
            errors.append(f"{path}.{field}: is required")
    node_type = node.get("type")
    if "type" in node and node_type not in FILTER_TYPES:
        errors.append(f"{path}.type: must be one of {', '.join(FILTER_TYPES)}")
    if "op" in node:
        _check_type(f"{path}.op", node["op"], "string", errors)
    if "negate" in node:
        _check_type(f"{path}.negate", node["negate"], "bool", errors)
    for field in ("attribute", "contextKind"):
        if field in node:
            _check_type(f"{path}.{field}", node[field], "string", errors)
    values = node.get("values")
    if "values" not in node or not _check_type(f"{path}.values", values, "list", errors):
        return
    assert isinstance(values, list)
    for i, value in enumerate(values):
        item_path = f"{path}.values[{i}]"
        if node_type == "group":
            # Group nodes carry nested filter nodes as their values.
            if _check_type(item_path, value, "object", errors):
                _check_filter(item_path, value, errors)
        elif isinstance(value, (dict, list)):
            errors.append(f"{item_path}: must be a scalar value")


def _check_data_source(path: str, source: JSONDict, errors: list[str]) -> None:
    if "key" not in source:
        errors.append(f"{path}.key: is required")
    for field in ("key", "environmentKey", "_name", "_integrationKey"):
        if field in source:
            _check_type(f"{path}.{field}", source[field], "string", errors)


def _check_event_default(event_default: JSONDict, errors: list[str]) -> None:
    if "disabled" in event_default:
        _check_type("eventDefault.disabled", event_default["disabled"], "bool", errors)
    if "value" in event_default:
        _check_type("eventDefault.value", event_default["value"], "number", errors)


def _check_denominator(denominator: JSONDict, errors: list[str]) -> None:
    for field, kind in _DENOMINATOR_FIELDS.items():
        if field in denominator:
            _check_type(f"denominator.{field}", denominator[field], kind, errors)
    if denominator.get("unitAggregationType") == "count_distinct" and not _is_set(
        denominator.get("unitAggregationField")
    ):
        errors.append(
            "denominator.unitAggregationField: is required when unitAggregationType is "
            "count_distinct"
        )
    _check_winsor("denominator.", denominator, errors)
    if isinstance(denominator.get("dataSource"), dict):
        _check_data_source("denominator.dataSource", denominator["dataSource"], errors)
    if isinstance(denominator.get("filters"), dict):
        _check_filter("denominator.filters", denominator["filters"], errors)
