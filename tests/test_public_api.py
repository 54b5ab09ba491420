"""The public surface is pinned: anything added or removed here is a deliberate decision."""

from __future__ import annotations

import subprocess
import sys

import pulumi_ldmetrics
from pulumi_ldmetrics import MetricArgs
from pulumi_ldmetrics.models import SPEC_FIELDS


def test_all_is_sorted_and_complete() -> None:
    assert pulumi_ldmetrics.__all__ == sorted(pulumi_ldmetrics.__all__)
    assert set(pulumi_ldmetrics.__all__) == {
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
    }
    for name in pulumi_ldmetrics.__all__:
        assert hasattr(pulumi_ldmetrics, name)


def test_the_provider_host_does_not_import_the_resource_layer() -> None:
    # The host unpickles pulumi_ldmetrics.provider.MetricProvider on every deployment: keep its
    # cold start free of what only programs need.
    code = (
        "import sys, pulumi_ldmetrics.provider; "
        "print(sorted(m for m in ('pulumi_ldmetrics.resource', 'pulumi_ldmetrics.from_file') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_provider_path_is_stable() -> None:
    # Pickled by reference into users' state: moving it breaks their refresh and destroy.
    assert pulumi_ldmetrics.MetricProvider.__module__ == "pulumi_ldmetrics.provider"


def test_metric_args_cover_every_spec_field() -> None:
    keys = set(MetricArgs.__required_keys__ | MetricArgs.__optional_keys__)
    assert keys == set(SPEC_FIELDS) | {"adopt_existing", "randomization_units"}
    # String annotations (PEP 563) hide Required[] from __required_keys__; read the strings.
    required = {
        k
        for k, v in MetricArgs.__annotations__.items()
        if getattr(v, "__forward_arg__", str(v)).startswith("Required[")
    }
    assert required == {"project_key", "key", "name", "kind"}
