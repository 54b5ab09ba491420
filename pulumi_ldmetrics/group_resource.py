"""`MetricGroup`: a funnel or standard group of metrics, declared next to its metrics.

Metrics may be given as keys or as `Metric` resources. A `Metric` passes its `key` output, so
the engine creates the group after its metrics and deletes it before them; when such a metric
is replaced, the group is replaced with it (see `MetricGroupProvider.diff`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, cast, overload

import pulumi
from pulumi import Input
from pulumi.dynamic import Resource
from typing_extensions import Required, Unpack

from pulumi_ldmetrics._resource_base import read_only_options, register
from pulumi_ldmetrics.group_provider import MetricGroupProvider
from pulumi_ldmetrics.models.group_convert import GROUP_OUTPUT_ONLY_FIELDS
from pulumi_ldmetrics.models.group_spec import GROUP_FIELDS
from pulumi_ldmetrics.provider import ADOPT_EXISTING, UNMANAGED_FIELDS
from pulumi_ldmetrics.resource import Metric

MetricRef = Input[str] | Metric
"""A metric of the group: its key, or the `Metric` resource itself."""


class MetricInGroupArgs(TypedDict, total=False):
    """One metric of a group, with its step name."""

    key: Required[MetricRef]
    """The metric's key, or the `Metric` resource."""
    name_in_group: Input[str]
    """Step name: required for every metric of a funnel, not accepted in a standard group."""


class MetricGroupArgs(TypedDict, total=False):
    """Arguments of a `MetricGroup`. `project_key`, `key`, `name`, `kind`, `metrics` are
    required."""

    project_key: Required[Input[str]]
    """Project of the group and of its metrics. Changing it replaces the group."""
    key: Required[Input[str]]
    """Unique key in the project. Changing it replaces the group."""
    name: Required[Input[str]]
    """Human-readable name."""
    kind: Required[Input[Literal["funnel", "standard"]]]
    """`funnel` (ordered steps, each named) or `standard`. Changing it replaces the group."""
    metrics: Required[Sequence[MetricRef | MetricInGroupArgs]]
    """At least two metrics, in order (a funnel's step order)."""
    description: Input[str]
    """Free-text description."""
    maintainer_id: Input[str]
    """Maintainer member id (24 hex). Omitted: the first metric's maintainer, not managed."""
    tags: Input[Sequence[Input[str]]]
    """Tags (a set), each 1 to 64 of letters, digits, `.`, `_`, `-`."""
    adopt_existing: Input[bool]
    """If a group with this key already exists, take it over (GET + at most one PATCH)
    instead of failing. Not sent to LaunchDarkly."""


class MetricGroup(Resource, module="ldmetrics", name="MetricGroup"):
    """A LaunchDarkly metric group (beta API). Type token
    `pulumi-python:dynamic/ldmetrics:MetricGroup`; id `"{project_key}/{key}"`.

    Every rule (at least two metrics, step names on every funnel step and none in a standard
    group, key and tag shapes) fails `pulumi preview` with one message per field, before any
    API call. Changing `project_key`, `key` or `kind` replaces the group; anything else is one
    PATCH of the changed fields.
    """

    project_key: pulumi.Output[str]
    key: pulumi.Output[str]
    name: pulumi.Output[str]
    kind: pulumi.Output[str]
    description: pulumi.Output[str | None]
    maintainer_id: pulumi.Output[str]
    """The maintainer's member id (the first metric's maintainer unless declared)."""
    tags: pulumi.Output[list[str]]
    metrics: pulumi.Output[list[dict[str, str]]]
    """`[{key, name_in_group?}]`, in order."""
    adopt_existing: pulumi.Output[bool | None]
    group_id: pulumi.Output[str]
    """LaunchDarkly's `_id` of the group."""
    version: pulumi.Output[int]
    """`_version`: 1 after create, +1 per effective change."""
    creation_date: pulumi.Output[int]
    """`_creationDate`, epoch milliseconds."""
    last_modified: pulumi.Output[int]
    """`_lastModified`, epoch milliseconds."""
    unmanaged_fields: pulumi.Output[list[str]]
    """`["maintainer_id"]` when the maintainer was not declared."""

    @overload
    def __init__(
        self, resource_name: str, args: MetricGroupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Unpack[MetricGroupArgs],
    ) -> None: ...

    def __init__(
        self,
        resource_name: str,
        args: MetricGroupArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        props: dict[str, Any] = {**dict(args or {}), **kwargs}
        unknown = sorted(set(props) - set(GROUP_FIELDS) - {ADOPT_EXISTING})
        if unknown:
            raise TypeError(
                f"MetricGroup {resource_name!r}: unknown argument(s) {', '.join(unknown)}"
            )
        metrics = props.get("metrics")
        if isinstance(metrics, Sequence) and not isinstance(metrics, str):
            if props.get("maintainer_id") is None:
                first = _first_metric_resource(metrics)
                if first is not None:
                    # LaunchDarkly requires a maintainer; borrow the first metric's (no
                    # request, and it works with service tokens, which have no member).
                    props["maintainer_id"] = first.maintainer_id
            props["metrics"] = [_metric_entry(entry) for entry in metrics]
        register(self, MetricGroupProvider(), resource_name, props, opts, properties=_PROPERTIES)

    @staticmethod
    def get(
        resource_name: str,
        id: str,  # `id`, like every Pulumi resource's get()
        opts: pulumi.ResourceOptions | None = None,
    ) -> MetricGroup:
        """Look up an existing group by id `"project/key"` without managing it (read-only)."""
        return MetricGroup(resource_name, cast(MetricGroupArgs, {}), read_only_options(opts, id))


_PROPERTIES: tuple[str, ...] = (
    *GROUP_FIELDS,
    ADOPT_EXISTING,
    *GROUP_OUTPUT_ONLY_FIELDS,
    UNMANAGED_FIELDS,
)
"""Every property of a `MetricGroup`, inputs and outputs."""


def _metric_entry(entry: Any) -> Any:
    """`{key, name_in_group?}` for one entry: a key, a `Metric`, or an args dict."""
    if isinstance(entry, Mapping):
        out = {k: _key_of(v) if k == "key" else v for k, v in entry.items() if v is not None}
        return out
    return {"key": _key_of(entry)}


def _key_of(ref: Any) -> Any:
    # A Metric's key output carries the dependency: created before, deleted after the group.
    return ref.key if isinstance(ref, Metric) else ref


def _first_metric_resource(metrics: Sequence[Any]) -> Metric | None:
    if not metrics:
        return None
    first = metrics[0]
    ref = first.get("key") if isinstance(first, Mapping) else first
    return ref if isinstance(ref, Metric) else None
