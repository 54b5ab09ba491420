"""The desired state of one metric, as a user declares it (strict; snake_case in Python).

camelCase exists only on the wire: every model serializes with `by_alias=True` to the
LaunchDarkly field names (`MetricPost`, API v25) and validates from either spelling.
Cross-field rules live in `rules.py`; server defaults in `defaults.py`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field, ValidationInfo, field_validator

from pulumi_ldmetrics.models._wire import camel_case_config

MetricKind = Literal["pageview", "click", "custom", "trace"]
UrlKind = Literal["exact", "canonical", "substring", "regex"]
SuccessCriteria = Literal["HigherThanBaseline", "LowerThanBaseline"]
UnitAggregationType = Literal["average", "sum", "count_distinct"]
AnalysisType = Literal["mean", "percentile"]
FilterType = Literal["contextAttribute", "eventProperty", "group"]


class _WireModel(BaseModel):
    """snake_case attributes, camelCase on the wire, unknown keys rejected (they are typos)."""

    model_config = camel_case_config(extra="forbid")


class UrlMatcher(_WireModel):
    """Which pages a click or pageview metric counts (`UrlPost`)."""

    kind: UrlKind
    """`exact` and `canonical` match `url`; `substring` matches `substring`; `regex` `pattern`."""
    url: str | None = None
    """The URL, for `exact` and `canonical` matchers."""
    substring: str | None = None
    """The text to find in the URL, for `substring` matchers."""
    pattern: str | None = None
    """The regular expression, for `regex` matchers."""


class EventDefault(_WireModel):
    """How units without events count (`MetricEventDefaultRep`)."""

    disabled: bool | None = None
    """True leaves units without events out. Default: false for mean, true for percentile."""
    value: float | None = None
    """Value given to units without events. LaunchDarkly supports only 0."""


class DataSource(_WireModel):
    """Where the metric's events come from (`MetricDataSourceRefRep`, writable part)."""

    key: str
    """Data source key, e.g. a warehouse integration. LaunchDarkly-hosted when omitted."""
    environment_key: str | None = None
    """Environment of the data source, for warehouse-native metrics."""


class EventFilter(_WireModel):
    """A filter tree on event properties or context attributes (`EventFilter`)."""

    type: FilterType
    """`contextAttribute`, `eventProperty`, or `group` (whose `values` are nested filters)."""
    op: str
    """Operator, e.g. `in`, `startsWith`, `greaterThan`; for groups `and` / `or`."""
    values: list[Any]
    """Values to compare with (at most 14 decimal places), or nested filters for groups."""
    negate: bool = False
    """Invert the operator: `in` becomes `not in`."""
    attribute: str | None = None
    """Context attribute or event property name (not for groups)."""
    context_kind: str | None = None
    """Context kind, for context attribute filters."""

    @field_validator("values")
    @classmethod
    def _group_members_are_filters(cls, values: list[Any], info: ValidationInfo) -> list[Any]:
        # A group's values are filters themselves. Parsed as models they are checked and, like
        # the top level, written in camelCase (a raw `context_kind` would be dropped by the API).
        if info.data.get("type") != "group":
            return values
        return [EventFilter.model_validate(v) if isinstance(v, dict) else v for v in values]


class Denominator(_WireModel):
    """Denominator of a ratio metric on a warehouse data source (`DenominatorPost`)."""

    event_name: str
    """The warehouse event column of the denominator."""
    is_numeric: bool | None = None
    """Whether the denominator aggregates a numeric value."""
    data_source: DataSource | None = None
    """Data source of the denominator events."""
    unit_aggregation_type: UnitAggregationType | None = None
    """How unit values aggregate: average, sum, or count_distinct."""
    unit_aggregation_field: str | None = None
    """Column counted by count_distinct (required for it)."""
    value_column: str | None = None
    """Warehouse column holding the numeric value."""
    filters: EventFilter | None = None
    """Filter applied to denominator events."""
    window_start_offset: int | None = None
    """Start of the measurement window, in milliseconds."""
    window_end_offset: int | None = None
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

    project_key: str
    """Project the metric belongs to. Changing it replaces the metric."""
    key: str
    """Unique key of the metric in its project. Changing it replaces the metric."""
    name: str
    """Human-readable name."""
    kind: MetricKind
    """`custom` (events you send), `pageview`, `click`, or `trace`. Changing it replaces."""
    description: str | None = None
    """Free-text description."""
    selector: str | None = None
    """CSS selector of the clicked element (click metrics)."""
    urls: list[UrlMatcher] | None = None
    """Pages the metric applies to (click and pageview metrics)."""
    is_numeric: bool | None = None
    """True for a numeric (value) metric, false for conversion. Default: false."""
    unit: str | None = None
    """Unit of a numeric metric, e.g. `ms` or `USD` (required for numeric metrics)."""
    event_key: str | None = None
    """Event key the metric counts (custom metrics; case-sensitive)."""
    success_criteria: SuccessCriteria | None = None
    """Which direction is better. Default for custom and trace: `HigherThanBaseline`."""
    tags: list[str] | None = None
    """Tags, compared as a set. Default: none."""
    analysis_units: list[str] | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "analysis_units", "analysisUnits", "randomization_units", "randomizationUnits"
        ),
        serialization_alias="analysisUnits",
    )
    """Context kinds the metric is analyzed by (`randomization_units` is a deprecated alias).
    When omitted, LaunchDarkly chooses and the value is not managed."""
    maintainer_id: str | None = None
    """Member id (24 hex) of the maintainer. When omitted, the token's member; not managed."""
    unit_aggregation_type: UnitAggregationType | None = None
    """How events of one unit aggregate: `average` (default), `sum`, `count_distinct`."""
    analysis_type: AnalysisType | None = None
    """`mean` (default) or `percentile`."""
    percentile_value: int | None = None
    """Percentile (1..99) for percentile analysis; forbidden with mean."""
    event_default: EventDefault | None = None
    """Treatment of units without events (default depends on analysis_type)."""
    data_source: DataSource | None = None
    """Data source; when omitted, LaunchDarkly-hosted events and not managed."""
    filters: EventFilter | None = None
    """Filter on event properties or context attributes."""
    window_start_offset: int | None = None
    """Start of the measurement window, in milliseconds."""
    window_end_offset: int | None = None
    """End of the measurement window, in milliseconds."""
    winsor_lower_percentile: float | None = None
    """Lower winsorization percentile, in (0, 100)."""
    winsor_upper_percentile: float | None = None
    """Upper winsorization percentile, in (0, 100), above the lower one."""
    winsor_include_imputed: bool | None = None
    """Whether imputed values take part in winsorization."""
    trace_query: str | None = None
    """Trace query selecting spans (trace metrics)."""
    trace_value_location: str | None = None
    """Where in the span the value is read (trace metrics)."""
    unit_aggregation_field: str | None = None
    """Field counted by `count_distinct` (required for it)."""
    value_column: str | None = None
    """Warehouse column holding the numeric value (warehouse-native metrics)."""
    denominator: Denominator | None = None
    """Denominator of a ratio metric."""


SPEC_FIELDS: tuple[str, ...] = tuple(MetricSpec.model_fields)
"""Every input field name, in declaration order."""

COMPUTED_WHEN_OMITTED: frozenset[str] = frozenset(
    {"maintainer_id", "analysis_units", "data_source"}
)
"""Fields LaunchDarkly chooses when they are not declared, from facts we cannot know locally
(the token's member, the project's default context kind, the data source). Left out, they are
not managed: diffs ignore them and no patch touches them. Declared, they are managed."""

REPLACE_ON_CHANGE: tuple[str, ...] = ("project_key", "key", "kind")
"""The key is the metric's id in the URL and the project its parent; the kind is treated as
immutable, like the Terraform provider's RequiresReplace."""
