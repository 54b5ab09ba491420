"""`Metric`: the typed Pulumi resource users declare.

Every field of `MetricSpec` is a keyword argument accepting `pulumi.Input`; `MetricArgs` (a
TypedDict, so `MetricArgs(key=..., ...)` builds one) is the alternative for passing them around.
"""

from __future__ import annotations

import inspect
from typing import Any, Literal, TypedDict, cast, overload

import pulumi
from pulumi import Input
from pulumi.dynamic import Resource
from typing_extensions import NotRequired, Required, Unpack

from pulumi_ldmetrics._resource_base import read_only_options, register
from pulumi_ldmetrics.declarations import (
    Checked,
    check_declaration,
    declared_in_project,
    gate,
    report_invalid,
    report_warnings,
)
from pulumi_ldmetrics.models import OUTPUT_ONLY_FIELDS, SPEC_FIELDS
from pulumi_ldmetrics.models.suggest import did_you_mean
from pulumi_ldmetrics.provider import ADOPT_EXISTING, UNMANAGED_FIELDS, MetricProvider
from pulumi_ldmetrics.read_batch import EXPECTED_READS


class UrlMatcherArgs(TypedDict, total=False):
    """Which pages a click or pageview metric counts."""

    kind: Required[Input[Literal["exact", "canonical", "substring", "regex"]]]
    """`exact`/`canonical` use `url`, `substring` uses `substring`, `regex` uses `pattern`."""
    url: Input[str]
    """The URL (exact and canonical matchers)."""
    substring: Input[str]
    """Text to find in the URL (substring matchers)."""
    pattern: Input[str]
    """Regular expression (regex matchers)."""


class EventDefaultArgs(TypedDict, total=False):
    """How units without events count."""

    disabled: Input[bool]
    """True leaves units without events out. Default: false for mean, true for percentile."""
    value: Input[float]
    """Value given to units without events; LaunchDarkly supports only 0."""


class DataSourceArgs(TypedDict, total=False):
    """Where events come from."""

    key: Required[Input[str]]
    """Data source key."""
    environment_key: Input[str]
    """Environment of the data source."""


class EventFilterArgs(TypedDict, total=False):
    """A filter on event properties or context attributes (groups nest filters in `values`)."""

    type: Required[Input[Literal["contextAttribute", "eventProperty", "group"]]]
    """`contextAttribute`, `eventProperty`, or `group`."""
    op: Required[Input[str]]
    """Operator, e.g. `in`; `and`/`or` for groups."""
    values: Required[Input[list[Any]]]
    """Values to compare with (strings, finite numbers, booleans), or nested filters for groups
    (depth limit in `models/limits.py`)."""
    negate: Input[bool]
    """Invert the operator."""
    attribute: Input[str]
    """Attribute or property name."""
    context_kind: Input[str]
    """Context kind of a context attribute filter."""


class DenominatorArgs(TypedDict, total=False):
    """Denominator of a ratio metric on a warehouse data source."""

    event_name: Required[Input[str]]
    """Warehouse event column of the denominator."""
    is_numeric: Input[bool]
    """Whether the denominator aggregates a numeric value."""
    data_source: Input[DataSourceArgs]
    """Data source of the denominator events."""
    unit_aggregation_type: Input[Literal["average", "sum", "count_distinct"]]
    """How unit values aggregate."""
    unit_aggregation_field: Input[str]
    """Column counted by count_distinct."""
    value_column: Input[str]
    """Warehouse column holding the value."""
    filters: Input[EventFilterArgs]
    """Filter on denominator events."""
    window_start_offset: Input[int]
    """Window start, ms."""
    window_end_offset: Input[int]
    """Window end, ms."""
    winsor_lower_percentile: Input[float]
    """Lower winsorization percentile, in (0, 100)."""
    winsor_upper_percentile: Input[float]
    """Upper winsorization percentile, in (0, 100)."""
    winsor_include_imputed: Input[bool]
    """Whether imputed values are winsorized."""


class MetricArgs(TypedDict, total=False):
    """Arguments of a `Metric`. `project_key`, `key`, `name` and `kind` are required."""

    project_key: Required[Input[str]]
    """Project the metric belongs to. Changing it replaces the metric."""
    key: Required[Input[str]]
    """Unique key in the project. Changing it replaces the metric."""
    name: Required[Input[str]]
    """Human-readable name."""
    kind: Required[Input[Literal["pageview", "click", "custom", "trace"]]]
    """`custom`, `pageview`, `click` or `trace`. Changing it replaces the metric."""
    description: Input[str]
    """Free-text description."""
    selector: Input[str]
    """CSS selector (click metrics; required there)."""
    urls: Input[list[Input[UrlMatcherArgs]]]
    """URL matchers (click and pageview metrics; required there)."""
    is_numeric: Input[bool]
    """Numeric (value) metric instead of conversion. Default false; custom and trace only."""
    unit: Input[str]
    """Unit of a numeric metric (required for numeric metrics)."""
    event_key: Input[str]
    """Event key counted (custom metrics; required there)."""
    success_criteria: Input[Literal["HigherThanBaseline", "LowerThanBaseline"]]
    """Better direction. Default `HigherThanBaseline` for custom and trace metrics."""
    tags: Input[list[Input[str]]]
    """Tags (a set)."""
    analysis_units: Input[list[Input[str]]]
    """Context kinds to analyze by. Omitted: LaunchDarkly's choice, not managed."""
    randomization_units: NotRequired[Input[list[Input[str]]]]
    """Deprecated alias of `analysis_units`."""
    maintainer_id: Input[str]
    """Maintainer member id (24 hex). Omitted: the token's member, not managed."""
    unit_aggregation_type: Input[Literal["average", "sum", "count_distinct"]]
    """How a unit's events aggregate. Default `average`."""
    analysis_type: Input[Literal["mean", "percentile"]]
    """`mean` (default) or `percentile`."""
    percentile_value: Input[int]
    """Percentile 1..99 (percentile analysis only)."""
    event_default: Input[EventDefaultArgs]
    """Treatment of units without events."""
    data_source: Input[DataSourceArgs]
    """Data source. Omitted: LaunchDarkly-hosted, not managed."""
    filters: Input[EventFilterArgs]
    """Event or context filter."""
    window_start_offset: Input[int]
    """Measurement window start, ms."""
    window_end_offset: Input[int]
    """Measurement window end, ms."""
    winsor_lower_percentile: Input[float]
    """Lower winsorization percentile, in (0, 100)."""
    winsor_upper_percentile: Input[float]
    """Upper winsorization percentile, in (0, 100)."""
    winsor_include_imputed: Input[bool]
    """Whether imputed values are winsorized."""
    trace_query: Input[str]
    """Span query (trace metrics; required there)."""
    trace_value_location: Input[str]
    """Where the value is read in the span (trace metrics; required there)."""
    unit_aggregation_field: Input[str]
    """Field counted by count_distinct (required for it)."""
    value_column: Input[str]
    """Warehouse column holding the value."""
    denominator: Input[DenominatorArgs]
    """Denominator of a ratio metric."""
    adopt_existing: Input[bool]
    """If a metric with this key already exists, take it over (GET + at most one PATCH to
    the declared state) instead of failing. Not sent to LaunchDarkly."""


class Metric(Resource, module="ldmetrics", name="Metric"):
    """A LaunchDarkly experimentation metric. Type token `pulumi-python:dynamic/ldmetrics:Metric`;
    id `"{project_key}/{key}"`.

    Invalid combinations (a custom metric without `event_key`, percentile without a value, …)
    fail at `pulumi preview` with one message per field, before any API call, every invalid
    declaration of the program in the same preview; the same `project_key`/`key` declared by
    two resources fails too. Advice (docs/rules.md) is a warning on the resource. Inputs are strict:
    no string is taken for a boolean or a number, and the size limits (key length, string
    length, filter depth) are in `pulumi_ldmetrics/models/limits.py`.
    """

    project_key: pulumi.Output[str]
    key: pulumi.Output[str]
    name: pulumi.Output[str]
    kind: pulumi.Output[str]
    description: pulumi.Output[str | None]
    selector: pulumi.Output[str | None]
    urls: pulumi.Output[list[dict[str, Any]] | None]
    is_numeric: pulumi.Output[bool]
    unit: pulumi.Output[str | None]
    event_key: pulumi.Output[str | None]
    success_criteria: pulumi.Output[str | None]
    tags: pulumi.Output[list[str]]
    analysis_units: pulumi.Output[list[str]]
    maintainer_id: pulumi.Output[str]
    """The maintainer's member id (the token's member unless declared)."""
    unit_aggregation_type: pulumi.Output[str]
    analysis_type: pulumi.Output[str]
    percentile_value: pulumi.Output[int | None]
    event_default: pulumi.Output[dict[str, Any]]
    data_source: pulumi.Output[dict[str, Any]]
    filters: pulumi.Output[dict[str, Any] | None]
    window_start_offset: pulumi.Output[int | None]
    window_end_offset: pulumi.Output[int | None]
    winsor_lower_percentile: pulumi.Output[float | None]
    winsor_upper_percentile: pulumi.Output[float | None]
    winsor_include_imputed: pulumi.Output[bool | None]
    trace_query: pulumi.Output[str | None]
    trace_value_location: pulumi.Output[str | None]
    unit_aggregation_field: pulumi.Output[str | None]
    value_column: pulumi.Output[str | None]
    denominator: pulumi.Output[dict[str, Any] | None]
    adopt_existing: pulumi.Output[bool | None]
    metric_id: pulumi.Output[str]
    """LaunchDarkly's `_id` of the metric."""
    version: pulumi.Output[int]
    """`_version`: 1 after create, +1 per effective change."""
    version_id: pulumi.Output[str]
    """`_versionId`."""
    creation_date: pulumi.Output[int]
    """`_creationDate`, epoch milliseconds."""
    site_url: pulumi.Output[str]
    """Link to the metric in the LaunchDarkly UI."""
    unmanaged_fields: pulumi.Output[list[str]]
    """Server-chosen fields left undeclared, which this resource does not manage."""

    @overload
    def __init__(
        self, resource_name: str, args: MetricArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Unpack[MetricArgs],
    ) -> None: ...

    def __init__(
        self,
        resource_name: str,
        args: MetricArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        props: dict[str, Any] = {**dict(args or {}), **kwargs}
        _refuse_unknown_arguments(resource_name, props)
        if "randomization_units" in props:  # deprecated alias, one name in state
            props.setdefault("analysis_units", props.pop("randomization_units"))
        # Read by `Metric.get` (empty props, an id): nothing to check, the metric exists.
        checked = check_declaration(resource_name, props) if props else _READ_ONLY
        if checked.errors:
            # Not registered: the engine would stop at the first invalid resource, hiding the
            # others (declarations.py). Its properties fail the run with the same error.
            parented = opts is not None and opts.parent is not None
            failure = report_invalid(resource_name, props, checked.errors, parented=parented)
            # `id` and `urn` are read-only properties over `__dict__`, as the SDK fills them.
            self.__dict__.update(dict.fromkeys(("id", "urn", *_PROPERTIES), failure))
            return
        if checked is not _READ_ONLY:
            # Registered only once the program is known to hold no invalid declaration.
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=gate()))
            if isinstance(props.get("project_key"), str):
                props[EXPECTED_READS] = declared_in_project(props["project_key"])
        register(self, MetricProvider(), resource_name, props, opts, properties=_PROPERTIES)
        report_warnings(self, checked.warnings)

    @staticmethod
    def get(
        resource_name: str,
        id: str,  # `id`, like every Pulumi resource's get()
        opts: pulumi.ResourceOptions | None = None,
    ) -> Metric:
        """Look up an existing metric by id `"project/key"` without managing it (read-only)."""
        return Metric(resource_name, cast(MetricArgs, {}), read_only_options(opts, id))


_READ_ONLY = Checked([], [])
"""The verdict on `Metric.get`'s empty declaration: nothing to check, nothing to write."""
_PROPERTIES: tuple[str, ...] = (*SPEC_FIELDS, ADOPT_EXISTING, *OUTPUT_ONLY_FIELDS, UNMANAGED_FIELDS)
"""Every property of a `Metric`, inputs and outputs."""
_ARGUMENTS: tuple[str, ...] = (*SPEC_FIELDS, ADOPT_EXISTING, "randomization_units")


def _refuse_unknown_arguments(resource_name: str, props: dict[str, Any]) -> None:
    """A misspelt argument is a programming error: TypeError, like Python's own, with the
    closest argument name."""
    unknown = sorted(set(props) - set(_ARGUMENTS))
    if unknown:
        named = "; ".join(f"'{n}'{did_you_mean(n, list(_ARGUMENTS))}" for n in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise TypeError(f"Metric {resource_name!r}: unknown argument{plural} {named}")


# The SDK evaluates a resource class's annotations again for every resource it registers
# (`pulumi._types.resource_types`, called by `resolve_outputs`): under `from __future__ import
# annotations` that is compiling and evaluating Metric's 38 strings, about 2 ms a metric (0.4 s
# of a 200-metric preview). Evaluated once here, the SDK finds the same types for a third of it.
Metric.__annotations__ = inspect.get_annotations(Metric, eval_str=True)
