"""Server-side defaults the emulator fills into every stored metric.

`DEFAULTS` is the one documented table of what LaunchDarkly returns for a field the
request omitted. Other modules (the client's normalisation) read it from here, so keep it
the single source of truth. Several values are unconfirmed against the live API
(reference §16.4); they follow the Terraform provider's defaults (reference §7, §11).

| field               | default when omitted                                                  |
|---------------------|-----------------------------------------------------------------------|
| name                | the metric key                                                        |
| tags                | []                                                                    |
| isNumeric           | false                                                                 |
| successCriteria     | "HigherThanBaseline" for kind custom and trace; absent otherwise      |
| unitAggregationType | "average"                                                             |
| analysisType        | "mean"                                                                |
| eventDefault        | {"disabled": false, "value": 0} for mean,                             |
|                     | {"disabled": true, "value": 0} for percentile (sub-fields filled too) |
| analysisUnits       | ["user"]; randomizationUnits always mirrors analysisUnits             |
| dataSource          | {"key": "launchdarkly-hosted", "_name": "LaunchDarkly hosted"}        |
| maintainerId        | the member id of the calling token                                    |
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any, Final

JSONDict = dict[str, Any]

HOSTED_DATA_SOURCE_KEY: Final = "launchdarkly-hosted"
HOSTED_DATA_SOURCE_NAME: Final = "LaunchDarkly hosted"

DEFAULTS: Final[dict[str, Any]] = {
    "tags": [],
    "isNumeric": False,
    "unitAggregationType": "average",
    "analysisType": "mean",
    "analysisUnits": ["user"],
    "dataSource": {"key": HOSTED_DATA_SOURCE_KEY, "_name": HOSTED_DATA_SOURCE_NAME},
}
"""Static defaults. `name`, `successCriteria`, `eventDefault` and `maintainerId` depend on
other fields and are filled by `apply_defaults`; `DEFAULT_SUCCESS_CRITERIA`,
`SUCCESS_CRITERIA_KINDS` and `EVENT_DEFAULT_DISABLED` describe them."""

DEFAULT_SUCCESS_CRITERIA: Final = "HigherThanBaseline"
SUCCESS_CRITERIA_KINDS: Final = frozenset({"custom", "trace"})
"""Kinds that get `successCriteria` by default (TF 2.18.1 default for custom metrics)."""

EVENT_DEFAULT_DISABLED: Final[dict[str, bool]] = {"mean": False, "percentile": True}
"""`eventDefault.disabled` by analysis type (TF `include_units_without_events`, inverted)."""

EVENT_DEFAULT_VALUE: Final = 0
"""The only supported `eventDefault.value` according to the spec text."""


def member_id_for_token(token: str) -> str:
    """Return the deterministic 24-hex member id the emulator assigns to `token`."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:24]


def apply_defaults(metric: JSONDict, *, maintainer_id: str) -> JSONDict:
    """Return a copy of `metric` (camelCase editable fields) with every default filled in.

    Fields that are present are kept as they are, apart from the units mirror: the
    response always carries `analysisUnits` and `randomizationUnits` with equal values
    (TF `readIntoModel`, verified against the live API per its comment).
    """
    out = copy.deepcopy(metric)
    for field, value in DEFAULTS.items():
        if field == "analysisUnits":
            continue
        out.setdefault(field, copy.deepcopy(value))
    if isinstance(out.get("key"), str):
        out.setdefault("name", out["key"])
    out.setdefault("maintainerId", maintainer_id)
    kind = out.get("kind")
    # Not validated yet: a list or object here must not reach the (hashing) set lookup.
    if isinstance(kind, str) and kind in SUCCESS_CRITERIA_KINDS:
        out.setdefault("successCriteria", DEFAULT_SUCCESS_CRITERIA)

    units = out.get("analysisUnits", out.get("randomizationUnits"))
    if units is None:
        units = copy.deepcopy(DEFAULTS["analysisUnits"])
    out["analysisUnits"] = units
    out["randomizationUnits"] = copy.deepcopy(units)

    analysis_type = out.get("analysisType")
    event_default = out.get("eventDefault")
    if isinstance(event_default, dict) or event_default is None:
        filled = dict(event_default or {})
        disabled = EVENT_DEFAULT_DISABLED.get(str(analysis_type), False)
        filled.setdefault("disabled", disabled)
        filled.setdefault("value", EVENT_DEFAULT_VALUE)
        out["eventDefault"] = filled

    data_source = out.get("dataSource")
    if isinstance(data_source, dict) and data_source.get("key") == HOSTED_DATA_SOURCE_KEY:
        data_source.setdefault("_name", HOSTED_DATA_SOURCE_NAME)
    return out
