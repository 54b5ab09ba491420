"""MetricGroupProvider as the engine sees it: every RPC through the real `python -m
pulumi.dynamic` host, against the emulator on loopback, requests counted in its log."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import dill
import httpx
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2 as pb

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.group_provider import MetricGroupProvider

from .conftest import TOKEN, requests_by_method
from .engine_host import UNKNOWN, HostProcess, from_struct, strip_provider, to_struct

PROVIDER = serialize_provider(MetricGroupProvider())
URN = "urn:pulumi:dev::ldmetrics-test::pulumi-python:dynamic/ldmetrics:MetricGroup::"
MEMBER = "569fdeadbeef1644facecafe"
FUNNEL: dict[str, Any] = {
    "project_key": "web",
    "key": "checkout",
    "name": "Checkout",
    "kind": "funnel",
    "maintainer_id": MEMBER,
    "metrics": [
        {"key": "cart", "name_in_group": "Cart"},
        {"key": "paid", "name_in_group": "Paid"},
        {"key": "shipped", "name_in_group": "Shipped"},
    ],
}


class Groups:
    """The engine RPCs for one MetricGroup, through the host's gRPC stub."""

    def __init__(self, host: HostProcess) -> None:
        self.stub = host.stub

    @staticmethod
    def _p(values: dict[str, Any]) -> Any:
        return to_struct({**values, "__provider": PROVIDER})

    def check(self, news: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        r = self.stub.Check(pb.CheckRequest(urn=URN + "g", olds=to_struct({}), news=self._p(news)))
        return strip_provider(from_struct(r.inputs)), [(f.property, f.reason) for f in r.failures]

    def diff(self, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return self.stub.Diff(
            pb.DiffRequest(id="web/checkout", urn=URN + "g", olds=self._p(olds), news=self._p(news))
        )

    def create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        r = self.stub.Create(pb.CreateRequest(urn=URN + "g", properties=self._p(props)))
        return r.id, strip_provider(from_struct(r.properties))

    def update(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        r = self.stub.Update(
            pb.UpdateRequest(
                id="web/checkout", urn=URN + "g", olds=self._p(olds), news=self._p(news)
            )
        )
        return strip_provider(from_struct(r.properties))

    def read(self, id_: str, props: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        r = self.stub.Read(
            pb.ReadRequest(id=id_, urn=URN + "g", properties=self._p(props), inputs=self._p(props))
        )
        return (
            r.id,
            strip_provider(from_struct(r.properties)),
            strip_provider(from_struct(r.inputs)),
        )

    def delete(self, props: dict[str, Any]) -> None:
        self.stub.Delete(
            pb.DeleteRequest(id="web/checkout", urn=URN + "g", properties=self._p(props))
        )


@pytest.fixture
def groups(host: HostProcess, server: EmulatorServer, emulator: Emulator) -> Groups:
    with httpx.Client(base_url=server.url, headers={"Authorization": TOKEN}) as http:
        for key in ("cart", "paid", "shipped"):
            body = {"key": key, "name": key, "kind": "custom", "eventKey": key}
            assert http.post("/api/v2/metrics/web", json=body).status_code == 201
    emulator.clear_log()
    return Groups(host)


def test_lifecycle_request_counts(groups: Groups, emulator: Emulator) -> None:
    checked, failures = groups.check(FUNNEL)
    assert failures == [] and checked["tags"] == []
    assert requests_by_method(emulator) == {}  # check: 0

    id_, outs = groups.create(checked)
    assert id_ == "web/checkout" and outs["version"] == 1 and outs["unmanaged_fields"] == []
    assert requests_by_method(emulator) == {"POST": 1}
    assert all(e["ld_api_version"] == "beta" for e in emulator.request_log())
    emulator.clear_log()

    assert groups.diff(outs, checked).changes == pb.DiffResponse.DIFF_NONE
    reordered, _ = groups.check({**FUNNEL, "metrics": list(reversed(FUNNEL["metrics"]))})
    d = groups.diff(outs, reordered)
    assert d.changes == pb.DiffResponse.DIFF_SOME and list(d.replaces) == []
    assert requests_by_method(emulator) == {}  # check and diff: 0

    outs2 = groups.update(outs, reordered)
    assert [m["key"] for m in outs2["metrics"]] == ["shipped", "paid", "cart"]
    assert outs2["version"] == 2
    assert requests_by_method(emulator) == {"PATCH": 1}
    assert emulator.request_log()[0]["path"] == "/api/v2/projects/web/metric-groups/checkout"
    emulator.clear_log()

    assert groups.update(outs2, reordered)["version"] == 2
    assert requests_by_method(emulator) == {}  # no-op update: 0

    read_id, read_outs, read_inputs = groups.read(id_, outs2)
    assert read_id == id_ and read_outs["version"] == 2
    assert read_inputs == reordered  # refresh then preview: no change
    assert requests_by_method(emulator) == {"GET": 1}
    emulator.clear_log()

    groups.delete(outs2)
    assert requests_by_method(emulator) == {"DELETE": 1}
    assert groups.read(id_, outs2)[0] == ""  # gone: dropped from state


def test_no_maintainer_borrows_the_first_metrics_without_members_me(
    groups: Groups, emulator: Emulator
) -> None:
    props = {k: v for k, v in FUNNEL.items() if k != "maintainer_id"}
    checked, failures = groups.check(props)
    assert failures == [] and "maintainer_id" not in checked
    _, outs = groups.create(checked)
    metric_member = emulator.metrics()["web"][0]["maintainerId"]
    assert outs["maintainer_id"] == metric_member and outs["unmanaged_fields"] == ["maintainer_id"]
    assert [(e["method"], e["path"]) for e in emulator.request_log()] == [
        ("GET", "/api/v2/metrics/web/cart"),
        ("POST", "/api/v2/projects/web/metric-groups"),
    ]
    # Not managed: an undeclared maintainer is no diff, and refresh does not declare it.
    assert groups.diff(outs, checked).changes == pb.DiffResponse.DIFF_NONE
    assert "maintainer_id" not in groups.read("web/checkout", outs)[2]


def test_check_reports_every_failure_at_once_with_no_request(
    groups: Groups, emulator: Emulator
) -> None:
    bad = {**FUNNEL, "key": "bad key", "tags": ["no spaces"], "metrics": [{"key": "cart"}]}
    _, failures = groups.check(bad)
    # Spelt the engine's way (`metrics[0]`), so the CLI finds the value it shows next to them.
    paths = sorted(p for p, _ in failures)
    assert paths == ["key", "metrics", "metrics[0].name_in_group", "tags[0]"]
    assert requests_by_method(emulator) == {}


def test_replacements(groups: Groups, emulator: Emulator) -> None:
    checked, _ = groups.check(FUNNEL)
    _, outs = groups.create(checked)
    for field, value in (("kind", "standard"), ("key", "other"), ("project_key", "mobile")):
        d = groups.diff(outs, {**checked, field: value})
        assert list(d.replaces) == [field] and d.deleteBeforeReplace
    # What the engine sends when a metric of the group is replaced delete-before-replace:
    # `metrics` wholly unknown. The group is replaced too, so it is deleted first.
    d = groups.diff(outs, {**checked, "metrics": UNKNOWN})
    assert list(d.replaces) == ["metrics"] and d.deleteBeforeReplace
    # The borrowed maintainer unknown at preview (its Metric is being updated): no change.
    assert (
        groups.diff(outs, {**checked, "maintainer_id": UNKNOWN}).changes
        == pb.DiffResponse.DIFF_NONE
    )
    # A metric key not known yet (a new Metric at preview) is an update.
    d = groups.diff(outs, {**checked, "metrics": [*checked["metrics"][:2], {"key": UNKNOWN}]})
    assert d.changes == pb.DiffResponse.DIFF_SOME and list(d.replaces) == []
    assert requests_by_method(emulator) == {"POST": 1}


def test_adopt_existing_takes_over_with_one_patch(groups: Groups, emulator: Emulator) -> None:
    checked, _ = groups.check(FUNNEL)
    groups.create(checked)
    emulator.clear_log()
    wanted, _ = groups.check({**FUNNEL, "name": "Adopted", "adopt_existing": True})
    _, outs = groups.create(wanted)
    assert outs["name"] == "Adopted" and outs["adopt_existing"] is True
    assert [e["method"] for e in emulator.request_log()] == ["GET", "PATCH"]
    emulator.clear_log()
    plain, _ = groups.check(FUNNEL)
    with pytest.raises(Exception, match="already exists in LaunchDarkly.*adopt_existing=True"):
        groups.create(plain)


def test_the_pickled_provider_holds_no_token() -> None:
    provider = MetricGroupProvider()
    provider._config = {"ldmetrics:accessToken": TOKEN}
    assert TOKEN.encode() not in dill.dumps(provider, recurse=True)
    assert MetricGroupProvider.__module__ == "pulumi_ldmetrics.group_provider"


def test_a_missing_first_metric_says_how_to_order_or_declare(
    groups: Groups, emulator: Emulator
) -> None:
    props = {
        **{k: v for k, v in FUNNEL.items() if k != "maintainer_id"},
        "metrics": [
            {"key": "not-yet", "name_in_group": "A"},
            {"key": "cart", "name_in_group": "B"},
        ],
    }
    checked, _ = groups.check(props)
    with pytest.raises(Exception, match="pass the Metric resource instead of its key") as caught:
        groups.create(checked)
    assert "declare maintainer_id" in str(caught.value)
    assert [e["method"] for e in emulator.request_log()] == ["GET"]  # nothing created


def test_the_provider_host_does_not_import_the_resource_layer() -> None:
    # Unpickled on every deployment: its cold start must not pay for what only programs need.
    code = (
        "import sys, pulumi_ldmetrics.group_provider; "
        "print(sorted(m for m in ('pulumi_ldmetrics.resource', 'pulumi_ldmetrics.group_resource',"
        " 'pulumi_ldmetrics.importer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
