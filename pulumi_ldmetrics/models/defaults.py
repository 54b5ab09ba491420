"""The values LaunchDarkly fills in when a field is omitted, and normalization against them.

`normalize(spec)` returns the canonical form of a spec: defaults filled in, sets sorted. Two
specs that LaunchDarkly would store identically normalize to equal values, so "omitted" and
"set to the default" never show as a diff.

- `tags`: `[]`. Reference §6: tags are always returned, `[]` when empty.
- `is_numeric`: `false`. The Terraform provider reads a missing `isNumeric` as false.
- `success_criteria`: `HigherThanBaseline` for custom and trace metrics, none for click and
  pageview (Terraform provider 2.18.1, #203).
- `unit_aggregation_type`: `average`; `analysis_type`: `mean` (Terraform schema defaults).
- `event_default`: `{disabled: analysis_type == "percentile", value: 0}`. Terraform's
  `include_units_without_events` defaults (#220); the OpenAPI text says value is "Set to 0".
- `percentile_value`: none (Terraform treats 0 as unset).
- `maintainer_id`, `analysis_units`, `data_source`: not managed when omitted. The server picks
  them from facts we cannot see locally (token member, project default, hosted events); see
  `COMPUTED_WHEN_OMITTED`.
- `description`: `""` is the same as absent (Terraform reads `""` as null).

Everything else has no default: omitted means absent on the server too.
"""

from __future__ import annotations

from typing import Final

from pulumi_ldmetrics.models.spec import EventDefault, MetricSpec

DEFAULT_SUCCESS_CRITERIA: Final = "HigherThanBaseline"
DEFAULT_UNIT_AGGREGATION_TYPE: Final = "average"
DEFAULT_ANALYSIS_TYPE: Final = "mean"
KINDS_WITH_SUCCESS_CRITERIA: Final = frozenset({"custom", "trace"})


def normalize(spec: MetricSpec) -> MetricSpec:
    """The canonical form of `spec`: server defaults filled in, set-like lists sorted."""
    analysis_type = spec.analysis_type or DEFAULT_ANALYSIS_TYPE
    event_default = spec.event_default or EventDefault()
    success_criteria = spec.success_criteria
    if success_criteria is None and spec.kind in KINDS_WITH_SUCCESS_CRITERIA:
        success_criteria = DEFAULT_SUCCESS_CRITERIA
    return spec.model_copy(
        update={
            "description": spec.description
            or None,  # the API treats "" as absent (TF reads "" as null)
            "tags": sorted(set(spec.tags or [])),
            "analysis_units": None
            if spec.analysis_units is None
            else sorted(set(spec.analysis_units)),
            "is_numeric": bool(spec.is_numeric),
            "success_criteria": success_criteria,
            "unit_aggregation_type": spec.unit_aggregation_type or DEFAULT_UNIT_AGGREGATION_TYPE,
            "analysis_type": analysis_type,
            "event_default": EventDefault(
                disabled=(analysis_type == "percentile")
                if event_default.disabled is None
                else event_default.disabled,
                value=0.0 if event_default.value is None else float(event_default.value),
            ),
            "urls": spec.urls or None,
        }
    )
