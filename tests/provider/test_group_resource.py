"""`MetricGroup` registers its type token, takes metrics as keys, `Metric`s or args dicts,
depends on the `Metric`s it names, and borrows the first one's maintainer (under `set_mocks`,
no engine involved)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_ldmetrics import Metric, MetricGroup, MetricGroupArgs

MEMBER = "569fdeadbeef1644facecafe"


class _Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        outputs = dict(args.inputs)
        if args.typ.endswith(":Metric"):
            outputs["maintainer_id"] = MEMBER  # what LaunchDarkly would choose
        return f"{args.inputs.get('project_key')}/{args.inputs.get('key')}", outputs

    def call(
        self,
        args: pulumi.runtime.MockCallArgs,  # noqa: ARG002 - the Mocks interface
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> _Recorder:
    recorder = _Recorder()
    pulumi.runtime.set_mocks(recorder, project="ldmetrics-test", stack="dev", preview=False)
    return recorder


def _metric(key: str) -> Metric:
    return Metric(key, project_key="web", key=key, name=key, kind="custom", event_key=key)


@pulumi.runtime.test
def test_group_of_metric_resources(mocks: _Recorder) -> Any:
    cart, paid = _metric("cart"), _metric("paid")
    funnel = MetricGroup(
        "funnel",
        project_key="web",
        key="checkout",
        name="Checkout",
        kind="funnel",
        metrics=[
            {"key": cart, "name_in_group": "Cart"},
            {"key": paid, "name_in_group": "Paid"},
            {"key": "legacy", "name_in_group": "Legacy"},
        ],
    )
    standard = MetricGroup(
        "standard",
        MetricGroupArgs(
            project_key="web", key="std", name="Std", kind="standard", metrics=["legacy", cart]
        ),
    )

    def check(_: Any) -> None:
        by_name = {r.name: r for r in mocks.registered}
        group = by_name["funnel"]
        assert group.typ == "pulumi-python:dynamic/ldmetrics:MetricGroup"
        assert group.inputs["metrics"] == [
            {"key": "cart", "name_in_group": "Cart"},
            {"key": "paid", "name_in_group": "Paid"},
            {"key": "legacy", "name_in_group": "Legacy"},
        ]
        # The first metric is a Metric: its maintainer, no request needed.
        assert group.inputs["maintainer_id"] == MEMBER
        other = by_name["standard"].inputs
        assert other["metrics"] == [{"key": "legacy"}, {"key": "cart"}]
        assert "maintainer_id" not in other  # first is a bare key: the provider reads it

    return pulumi.Output.all(funnel.urn, standard.urn, funnel.metrics).apply(check)


def test_unknown_argument_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="unknown argument"):
        MetricGroup("x", project_key="w", key="x", name="X", kind="funnel", metrics=[], colour=1)  # type: ignore[call-overload]
