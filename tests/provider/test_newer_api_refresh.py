"""Refresh, diff and update through the real provider host against a server that speaks a newer
API: a metric of an unknown kind, with an unknown aggregation and an unknown nested field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime.proto import provider_pb2 as pb

from tests.newer_api import NEW_AGGREGATION, NEW_KIND, PROJECT, NewerApi, newer_metric, serving

from .engine_host import HostProcess, host_env, strip_provider

TOKEN = "api-newer-0000-0000-0000-000000000000"
FILTER = {
    "type": "contextAttribute",
    "attribute": "country",
    "op": "in",
    "values": ["JP"],
    "context_kind": "user",
}
# What the program declares for each metric: the kinds and aggregations this package knows.
CODE = {
    "funnel": {
        "project_key": PROJECT,
        "key": "funnel",
        "name": "Checkout funnel",
        "kind": "custom",
        "event_key": "checkout",
        "filters": FILTER,
    },
    "checkout": {
        "project_key": PROJECT,
        "key": "checkout",
        "name": "Checkout funnel",
        "kind": "custom",
        "event_key": "checkout",
        "filters": FILTER,
    },
}


@pytest.fixture
def api() -> NewerApi:
    return NewerApi(newer_metric("funnel"), newer_metric("checkout", kind="custom"))


@pytest.fixture
def host(api: NewerApi) -> Iterator[HostProcess]:
    with serving(api) as url:
        process = HostProcess(host_env())
        process.configure(
            {"ldmetrics:accessToken": TOKEN, "ldmetrics:apiHost": url},
            secret_keys=("ldmetrics:accessToken",),
        )
        try:
            yield process
        finally:
            process.close()


def _state_from_code(host: HostProcess, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(checked inputs, outputs as `up` stored them) for the declaration `CODE[name]`."""
    checked, failures = host.check(name, {}, CODE[name])
    assert failures == []
    checked = strip_provider(checked)
    outputs = {**checked, "unmanaged_fields": ["analysis_units", "data_source", "maintainer_id"]}
    return checked, outputs


def test_refresh_keeps_unknown_kind_aggregation_and_nested_field(
    host: HostProcess, api: NewerApi
) -> None:
    _, stored = _state_from_code(host, "funnel")
    id_, outs, inputs = host.read("funnel", f"{PROJECT}/funnel", stored)
    outs, inputs = strip_provider(outs), strip_provider(inputs)

    assert id_ == f"{PROJECT}/funnel"
    assert api.requests == [("GET", "/api/v2/metrics/web/funnel", None)]
    for values in (outs, inputs):
        assert values["kind"] == NEW_KIND
        assert values["unit_aggregation_type"] == NEW_AGGREGATION
        # Known nested names in snake_case, the new one exactly as the server spelled it.
        assert values["filters"]["context_kind"] == "user"
        assert values["filters"]["caseSensitive"] is True
        assert values["event_key"] == "checkout"  # what is understood is kept as well
    assert (outs["version"], outs["metric_id"]) == (4, "a" * 24)
    assert outs["site_url"].endswith("/web/metrics/funnel/details")
    assert "funnelSteps" not in outs and "funnel_steps" not in outs  # not a metric input


def test_diff_after_refresh_shows_the_unknown_values(host: HostProcess) -> None:
    checked, stored = _state_from_code(host, "funnel")
    _, outs, _ = host.read("funnel", f"{PROJECT}/funnel", stored)
    d = host.diff("funnel", f"{PROJECT}/funnel", strip_provider(outs), checked)
    assert d.changes == pb.DiffResponse.DIFF_SOME
    assert list(d.replaces) == ["kind"]  # the code's kind replaces the unknown one


def test_update_replaces_unknown_values_with_the_declared_ones(
    host: HostProcess, api: NewerApi
) -> None:
    checked, stored = _state_from_code(host, "checkout")
    id_ = f"{PROJECT}/checkout"
    _, outs, _ = host.read("checkout", id_, stored)
    outs = strip_provider(outs)
    d = host.diff("checkout", id_, outs, checked)
    assert d.changes == pb.DiffResponse.DIFF_SOME and list(d.replaces) == []

    api.requests.clear()
    updated = strip_provider(host.update("checkout", id_, outs, checked))
    assert api.requests == [
        (
            "PATCH",
            "/api/v2/metrics/web/checkout",
            [
                {"op": "remove", "path": "/filters/caseSensitive"},
                {"op": "replace", "path": "/unitAggregationType", "value": "average"},
            ],
        )
    ]
    assert updated["unit_aggregation_type"] == "average" and updated["version"] == 5
    assert "caseSensitive" not in updated["filters"]
    after = host.diff("checkout", id_, updated, checked)
    assert after.changes == pb.DiffResponse.DIFF_NONE
