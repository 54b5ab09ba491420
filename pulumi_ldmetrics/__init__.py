"""Manage LaunchDarkly experimentation metrics as code with Pulumi.

from pulumi_ldmetrics import Metric

Metric("signup", project_key="web", key="signup", name="Signup", kind="custom",
       event_key="signup-completed")
"""

from pulumi_ldmetrics._version import __version__
from pulumi_ldmetrics.from_file import MetricsFileError, load_metric_entries, metrics_from_file
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

__all__ = [
    "DataSourceArgs",
    "DenominatorArgs",
    "EventDefaultArgs",
    "EventFilterArgs",
    "Metric",
    "MetricArgs",
    "MetricExistsError",
    "MetricProvider",
    "MetricsFileError",
    "UrlMatcherArgs",
    "__version__",
    "load_metric_entries",
    "metrics_from_file",
]
