"""The official `launchdarkly-api` client's `MetricsApi`, with its own HTTP stack (urllib3),
against the emulator over a real socket: create, paginate, patch, delete, and its errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from launchdarkly_api import ApiClient, Configuration
from launchdarkly_api.api.metrics_api import MetricsApi
from launchdarkly_api.api.projects_api import ProjectsApi
from launchdarkly_api.exceptions import ApiException
from launchdarkly_api.models.metric_post import MetricPost
from launchdarkly_api.models.patch_operation import PatchOperation
from launchdarkly_api.models.url_post import UrlPost

from pulumi_ldmetrics.emulator import EmulatorServer

from .helpers import PROJECT, TOKEN


@pytest.fixture
def api_client(server: EmulatorServer) -> Iterator[ApiClient]:
    config = Configuration(host=server.url, api_key={"ApiKey": TOKEN})
    with ApiClient(config) as client:
        yield client


def test_create_list_with_pagination_patch_and_delete(api_client: ApiClient) -> None:
    metrics = MetricsApi(api_client)
    keys = [f"m{i:02d}" for i in range(23)]
    for key in keys:
        rep = metrics.post_metric(PROJECT, MetricPost(key=key, kind="custom", event_key=f"e-{key}"))
        assert rep.key == key and rep.version == 1
    pageview = MetricPost(
        key="visits", kind="pageview", urls=[UrlPost(kind="substring", substring="/cart")]
    )
    assert metrics.post_metric(PROJECT, pageview).urls == [
        {"kind": "substring", "substring": "/cart"}
    ]

    seen: list[str] = []
    offset = 0
    while True:
        page = metrics.get_metrics(PROJECT, limit=10, offset=offset)
        assert page.total_count == 24
        if not page.items:
            break
        seen += [item.key for item in page.items]
        offset += len(page.items)
    assert seen == [*keys, "visits"]

    patched = metrics.patch_metric(
        PROJECT,
        "m00",
        [
            PatchOperation(op="replace", path="/name", value="First"),
            PatchOperation(op="add", path="/tags", value=["a"]),
            PatchOperation(op="replace", path="/percentileValue", value=None),
        ],
    )
    assert (patched.name, patched.tags, patched.version) == ("First", ["a"], 2)
    assert metrics.get_metric(PROJECT, "m00").version == 2

    metrics.delete_metric(PROJECT, "m00")
    with pytest.raises(ApiException) as missing:
        metrics.get_metric(PROJECT, "m00")
    assert missing.value.status == 404


def test_client_errors_are_parsed(api_client: ApiClient) -> None:
    metrics = MetricsApi(api_client)
    metrics.post_metric(PROJECT, MetricPost(key="dup", kind="custom", event_key="e"))
    with pytest.raises(ApiException) as duplicate:
        metrics.post_metric(PROJECT, MetricPost(key="dup", kind="custom", event_key="e"))
    assert duplicate.value.status == 409
    with pytest.raises(ApiException) as invalid:
        metrics.post_metric(PROJECT, MetricPost(key="bad", kind="custom"))
    assert invalid.value.status == 400 and "eventKey" in str(invalid.value.body)


def test_projects_api(api_client: ApiClient) -> None:
    project = ProjectsApi(api_client).get_project(PROJECT)
    assert project.key == PROJECT and project.tags == []
