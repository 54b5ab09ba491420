"""The desired state of one metric, as a user declares it (strict; snake_case in Python).

camelCase exists only on the wire: every model serializes with `by_alias=True` to the
LaunchDarkly field names (`MetricPost`, API v25) and validates from either spelling.
Strict means no coercion: `"yes"` is no boolean and `"100"` no number. Size limits are in
`limits.py`, cross-field rules in `rules.py`, server defaults in `defaults.py`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from pulumi_ldmetrics.models._wire import camel_case_config
from pulumi_ldmetrics.models.limits import (
    INT64_MAX,
    INT64_MIN,
    KEY_PATTERN,
    KEY_RULE,
    MAX_FILTER_DEPTH,
    MAX_KEY_LENGTH,
    MAX_STRING_LENGTH,
)

MetricKind = Literal["pageview", "click", "custom", "trace"]
UrlKind = Literal["exact", "canonical", "substring", "regex"]
SuccessCriteria = Literal["HigherThanBaseline", "LowerThanBaseline"]
UnitAggregationType = Literal["average", "sum", "count_distinct"]
AnalysisType = Literal["mean", "percentile"]
FilterType = Literal["contextAttribute", "eventProperty", "group"]


def _key_shape(value: str) -> str:
    if not KEY_PATTERN.match(value):
        raise ValueError(KEY_RULE)
    return value


def _whole_number(value: Any) -> Any:
    # Pulumi hands every number over as a float: 50.0 is the integer 50. Anything else is left
    # for the strict int check to refuse (50.5, "50", True).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Key = Annotated[str, StringConstraints(max_length=MAX_KEY_LENGTH), AfterValidator(_key_shape)]
"""A metric key or project key: the whole string matches `KEY_PATTERN`."""
Text = Annotated[str, StringConstraints(max_length=MAX_STRING_LENGTH)]
"""Any other string."""
Integer = Annotated[int, BeforeValidator(_whole_number), Field(ge=INT64_MIN, le=INT64_MAX)]
"""A whole number (int64), given as an int or an integral float."""


class _WireModel(BaseModel):
    """snake_case attributes, camelCase on the wire, unknown keys rejected (they are typos)."""

    model_config = camel_case_config(strict=True)


class UrlMatcher(_WireModel):
    """Which pages a click or pageview metric counts (`UrlPost`)."""

    kind: UrlKind
    """`exact` and `canonical` match `url`; `substring` matches `substring`; `regex` `pattern`."""
    url: Text | None = None
    """The URL, for `exact` and `canonical` matchers."""
    substring: Text | None = None
    """The text to find in the URL, for `substring` matchers."""
    pattern: Text | None = None
    """The regular expression, for `regex` matchers."""


class EventDefault(_WireModel):
    """How units without events count (`MetricEventDefaultRep`)."""

    disabled: bool | None = None
    """True leaves units without events out. Default: false for mean, true for percentile."""
    value: float | None = None
    """Value given to units without events. LaunchDarkly supports only 0."""


class DataSource(_WireModel):
    """Where the metric's events come from (`MetricDataSourceRefRep`, writable part)."""

    key: Text
    """Data source key, e.g. a warehouse integration. LaunchDarkly-hosted when omitted."""
    environment_key: Text | None = None
    """Environment of the data source, for warehouse-native metrics."""


def filter_depth(data: Any) -> int:
    """How many filter levels `data` nests (1 for a filter, 2 for a group of filters...), counted
    without recursion and only up to one level past `MAX_FILTER_DEPTH`, so a hostile depth costs
    nothing."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack and deepest <= MAX_FILTER_DEPTH:
        node, depth = stack.pop()
        if not isinstance(node, Mapping):
            continue
        deepest = max(deepest, depth)
        values = node.get("values")
        if isinstance(values, list):
            stack.extend((child, depth + 1) for child in values if isinstance(child, Mapping))
    return deepest


def _filter_value(value: Any, info: ValidationInfo) -> Any:
    """One of a filter's `values`: a nested filter in a group, else a string, a finite number
    or a boolean (what LaunchDarkly compares; a dict would fail only at create)."""
    filter_type = info.data.get("type")
    if filter_type is None:  # the type itself is invalid and reported; guess nothing here
        return value
    if filter_type == "group":
        if isinstance(value, (Mapping, EventFilter)):
            # Parsed as a model, a member is checked and, like the top level, written in
            # camelCase (a raw `context_kind` would be dropped by the API).
            return EventFilter.model_validate(value)
        raise ValueError("a group's values must be filters")
    if isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number (not NaN or Infinity)")
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING_LENGTH:
            raise ValueError(f"must be at most {MAX_STRING_LENGTH} characters")
        return value
    raise ValueError("must be a string, a number or a boolean (only a group's values are filters)")


class EventFilter(_WireModel):
    """A filter tree on event properties or context attributes (`EventFilter`)."""

    type: FilterType
    """`contextAttribute`, `eventProperty`, or `group` (whose `values` are nested filters)."""
    op: Text
    """Operator, e.g. `in`, `startsWith`, `greaterThan`; for groups `and` / `or`."""
    values: list[Annotated[Any, AfterValidator(_filter_value)]]
    """Values to compare with (strings, finite numbers, booleans), or nested filters for groups
    (at most `MAX_FILTER_DEPTH` levels)."""
    negate: bool = False
    """Invert the operator: `in` becomes `not in`."""
    attribute: Text | None = None
    """Context attribute or event property name (not for groups)."""
    context_kind: Text | None = None
    """Context kind, for context attribute filters."""

    @model_validator(mode="before")
    @classmethod
    def _not_too_deep(cls, data: Any) -> Any:
        # Before any nested parsing: each level of a group is one more level of recursion.
        if filter_depth(data) > MAX_FILTER_DEPTH:
            raise ValueError(f"filters nest at most {MAX_FILTER_DEPTH} levels deep")
        return data


class Denominator(_WireModel):
    """Denominator of a ratio metric on a warehouse data source (`DenominatorPost`)."""

    event_name: Text
    """The warehouse event column of the denominator."""
    is_numeric: bool | None = None
    """Whether the denominator aggregates a numeric value."""
    data_source: DataSource | None = None
    """Data source of the denominator events."""
    unit_aggregation_type: UnitAggregationType | None = None
    """How unit values aggregate: average, sum, or count_distinct."""
    unit_aggregation_field: Text | None = None
    """Column counted by count_distinct (required for it)."""
    value_column: Text | None = None
    """Warehouse column holding the numeric value."""
    filters: EventFilter | None = None
    """Filter applied to denominator events."""
    window_start_offset: Integer | None = None
    """Start of the measurement window, in milliseconds."""
    window_end_offset: Integer | None = None
    """End of the measurement window, in milliseconds."""
    winsor_lower_percentile: float | None = None
    """Lower winsorization percentile, in (0, 100)."""
    winsor_upper_percentile: float | None = None
    """Upper winsorization percentile, in (0, 100), above the lower one."""
    winsor_include_imputed: bool | None = None
    """Whether imputed values take part in winsorization."""


class MetricSpec(_WireModel):
    """Every writable field of a LaunchDarkly metric, plus the project it lives in.

    `None` means "not declared". `defaults.normalize` fills the values the API fills in, so a
    field left out and a field set to its default compare equal.
    """

    project_key: Key
    """Project the metric belongs to. Changing it replaces the metric."""
    key: Key
    """Unique key of the metric in its project. Changing it replaces the metric."""
    name: Text
    """Human-readable name."""
    kind: MetricKind
    """`custom` (events you send), `pageview`, `click`, or `trace`. Changing it replaces."""
    description: Text | None = None
    """Free-text description."""
    selector: Text | None = None
    """CSS selector of the clicked element (click metrics)."""
    urls: list[UrlMatcher] | None = None
    """Pages the metric applies to (click and pageview metrics)."""
    is_numeric: bool | None = None
    """True for a numeric (value) metric, false for conversion. Default: false."""
    unit: Text | None = None
    """Unit of a numeric metric, e.g. `ms` or `USD` (required for numeric metrics)."""
    event_key: Text | None = None
    """Event key the metric counts (custom metrics; case-sensitive)."""
    success_criteria: SuccessCriteria | None = None
    """Which direction is better. Default for custom and trace: `HigherThanBaseline`."""
    tags: list[Text] | None = None
    """Tags, compared as a set. Default: none."""
    analysis_units: list[Text] | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "analysis_units", "analysisUnits", "randomization_units", "randomizationUnits"
        ),
        serialization_alias="analysisUnits",
    )
    """Context kinds the metric is analyzed by (`randomization_units` is a deprecated alias).
    When omitted, LaunchDarkly chooses and the value is not managed."""
    maintainer_id: Text | None = None
    """Member id (24 hex) of the maintainer. When omitted, the token's member; not managed."""
    unit_aggregation_type: UnitAggregationType | None = None
    """How events of one unit aggregate: `average` (default), `sum`, `count_distinct`."""
    analysis_type: AnalysisType | None = None
    """`mean` (default) or `percentile`."""
    percentile_value: Integer | None = None
    """Percentile (1..99) for percentile analysis; forbidden with mean."""
    event_default: EventDefault | None = None
    """Treatment of units without events (default depends on analysis_type)."""
    data_source: DataSource | None = None
    """Data source; when omitted, LaunchDarkly-hosted events and not managed."""
    filters: EventFilter | None = None
    """Filter on event properties or context attributes."""
    window_start_offset: Integer | None = None
    """Start of the measurement window, in milliseconds."""
    window_end_offset: Integer | None = None
    """End of the measurement window, in milliseconds."""
    winsor_lower_percentile: float | None = None
    """Lower winsorization percentile, in (0, 100)."""
    winsor_upper_percentile: float | None = None
    """Upper winsorization percentile, in (0, 100), above the lower one."""
    winsor_include_imputed: bool | None = None
    """Whether imputed values take part in winsorization."""
    trace_query: Text | None = None
    """Trace query selecting spans (trace metrics)."""
    trace_value_location: Text | None = None
    """Where in the span the value is read (trace metrics)."""
    unit_aggregation_field: Text | None = None
    """Field counted by `count_distinct` (required for it)."""
    value_column: Text | None = None
    """Warehouse column holding the numeric value (warehouse-native metrics)."""
    denominator: Denominator | None = None
    """Denominator of a ratio metric."""

    _unrecognized: Mapping[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def unrecognized(self) -> Mapping[str, Any]:
        """Values LaunchDarkly returned that this spec cannot represent (a newer API's kind,
        aggregation, or nested field), by field name, snake_case where the field is known.

        Always empty for what a user declares. On a spec read from the server, each such field
        holds a placeholder (required fields) or None here, and the converters in `convert.py`
        put the value back into inputs, outputs, diffs and patches, so it is shown, compared
        and replaced, never silently dropped."""
        return MappingProxyType(dict(self._unrecognized))

    def carrying(self, unrecognized: Mapping[str, Any]) -> MetricSpec:
        """A copy of this spec carrying `unrecognized` (see there)."""
        copy = self.model_copy()
        copy._unrecognized = dict(unrecognized)
        return copy


SPEC_FIELDS: tuple[str, ...] = tuple(MetricSpec.model_fields)
"""Every input field name, in declaration order."""

ADOPT_EXISTING = "adopt_existing"
"""The one `Metric` input that is not a metric field: take over an existing metric of the same
key instead of failing (never sent to LaunchDarkly). Must be a real boolean."""

COMPUTED_WHEN_OMITTED: frozenset[str] = frozenset(
    {"maintainer_id", "analysis_units", "data_source"}
)
"""Fields LaunchDarkly chooses when they are not declared, from facts we cannot know locally
(the token's member, the project's default context kind, the data source). Left out, they are
not managed: diffs ignore them and no patch touches them. Declared, they are managed."""

REPLACE_ON_CHANGE: tuple[str, ...] = ("project_key", "key", "kind")
"""The key is the metric's id in the URL and the project its parent; the kind is treated as
immutable, like the Terraform provider's RequiresReplace."""
