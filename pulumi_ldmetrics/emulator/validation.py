"""Wire-level validation of metric bodies, as the real API applies it.

Two layers. The JSON shape is the emulator's own concern (the client gets it from its pydantic
models): types, enums and required properties of `MetricPost` and its parts (reference §4).
The cross-field rules are not copied here: they are the enforced rules of the shared table,
`models/ruleset.py`, with their sources; its advisory rules (the Terraform provider's
plan-time opinions) are accepted, as the live API must accept them for the metrics it holds.
tests/emulator/test_rule_parity.py runs one corpus through this and the client.

Every problem is reported as `"<field>: <reason>"`, and all of them are collected so a client
sees everything wrong with a body at once. Empty strings and empty lists count as "not set"
(`ruleset.is_set`): the Terraform provider sends `"unit": ""` and `"urls": []` for kinds that
do not use them, and `""` for the unused fields of a URL matcher (dropped by `pick_editable`).
"""

from __future__ import annotations

import math
import re
from typing import Any, Final, TypeGuard

from pulumi_ldmetrics.models.limits import KEY_PATTERN
from pulumi_ldmetrics.models.ruleset import URL_VALUE_FIELD, Enforcement, evaluate

JSONDict = dict[str, Any]

KINDS: Final = ("pageview", "click", "custom", "trace")
URL_KINDS: Final = URL_VALUE_FIELD
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
    """Whether `key` is an acceptable metric or project key (`\\Z`-anchored: no `"k\\n"`)."""
    return bool(KEY_PATTERN.match(key))


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
    kind = metric.get("kind")
    if isinstance(kind, str) and kind not in KINDS:
        errors.append(f"kind: must be one of {', '.join(KINDS)}")
    _check_enums(metric, errors)
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
    # A field whose shape is wrong is already reported: the shared rules must not read it.
    unusable = frozenset(re.split(r"[.\[]", problem, maxsplit=1)[0] for problem in errors)
    for _rule, finding in evaluate(metric, unusable=unusable, enforcement=Enforcement.ENFORCED):
        errors.append(f"{_wire_path(finding.path)}: {finding.message}")
    return errors


def _wire_path(path: tuple[str | int, ...]) -> str:
    """`("urls", 0, "pattern")` as the emulator writes it: `urls[0].pattern`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


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
        for field in ("url", "substring", "pattern"):
            if field in url:
                _check_type(f"{path}.{field}", url[field], "string", errors)


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
    if "eventName" not in denominator:  # spec `DenominatorPost.eventName`: "Required."
        errors.append("denominator.eventName: is required")
    aggregation = denominator.get("unitAggregationType")
    if isinstance(aggregation, str) and aggregation not in AGGREGATION_TYPES:
        errors.append(
            f"denominator.unitAggregationType: must be one of {', '.join(AGGREGATION_TYPES)}"
        )
    if isinstance(denominator.get("dataSource"), dict):
        _check_data_source("denominator.dataSource", denominator["dataSource"], errors)
    if isinstance(denominator.get("filters"), dict):
        _check_filter("denominator.filters", denominator["filters"], errors)
