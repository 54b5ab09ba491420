"""Manage LaunchDarkly experimentation metrics as code with Pulumi.

    from pulumi_ldmetrics import Metric

    Metric("signup", project_key="web", key="signup", name="Signup", kind="custom",
           event_key="signup-completed")

Names are imported on first use (PEP 562): the provider host unpickles
`pulumi_ldmetrics.provider.MetricProvider`, which imports this package first, and should not pay
for the resource classes or the YAML loader it never uses (cold start of every deployment).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pulumi_ldmetrics._version import __version__

if TYPE_CHECKING:
    from pulumi_ldmetrics.from_file import MetricsFileError, load_metric_entries, metrics_from_file
    from pulumi_ldmetrics.group_provider import MetricGroupExistsError, MetricGroupProvider
    from pulumi_ldmetrics.group_resource import MetricGroup, MetricGroupArgs, MetricInGroupArgs
    from pulumi_ldmetrics.provider import MetricExistsError, MetricProvider
    from pulumi_ldmetrics.resource import (
        DataSourceArgs,
        DenominatorArgs,
        EventDefaultArgs,
        EventFilterArgs,
        Metric,
        MetricArgs,
        UrlMatcherArgs,
    )

_WHERE = {
    "DataSourceArgs": "pulumi_ldmetrics.resource",
    "DenominatorArgs": "pulumi_ldmetrics.resource",
    "EventDefaultArgs": "pulumi_ldmetrics.resource",
    "EventFilterArgs": "pulumi_ldmetrics.resource",
    "Metric": "pulumi_ldmetrics.resource",
    "MetricArgs": "pulumi_ldmetrics.resource",
    "MetricExistsError": "pulumi_ldmetrics.provider",
    "MetricGroup": "pulumi_ldmetrics.group_resource",
    "MetricGroupArgs": "pulumi_ldmetrics.group_resource",
    "MetricGroupExistsError": "pulumi_ldmetrics.group_provider",
    "MetricGroupProvider": "pulumi_ldmetrics.group_provider",
    "MetricInGroupArgs": "pulumi_ldmetrics.group_resource",
    "MetricProvider": "pulumi_ldmetrics.provider",
    "MetricsFileError": "pulumi_ldmetrics.from_file",
    "UrlMatcherArgs": "pulumi_ldmetrics.resource",
    "load_metric_entries": "pulumi_ldmetrics.from_file",
    "metrics_from_file": "pulumi_ldmetrics.from_file",
}

__all__ = [
    "DataSourceArgs",
    "DenominatorArgs",
    "EventDefaultArgs",
    "EventFilterArgs",
    "Metric",
    "MetricArgs",
    "MetricExistsError",
    "MetricGroup",
    "MetricGroupArgs",
    "MetricGroupExistsError",
    "MetricGroupProvider",
    "MetricInGroupArgs",
    "MetricProvider",
    "MetricsFileError",
    "UrlMatcherArgs",
    "__version__",
    "load_metric_entries",
    "metrics_from_file",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_ldmetrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
