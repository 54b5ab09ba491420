"""The pickled provider is a small class reference with no secret in it, and `Metric` registers
the right type token and inputs (under `set_mocks`, so no engine is involved)."""

from __future__ import annotations

import base64
import pickle
import subprocess
import sys
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_ldmetrics import Metric, MetricArgs, MetricProvider

from .conftest import TOKEN


def test_pickle_is_a_small_class_reference() -> None:
    encoded = serialize_provider(MetricProvider())
    assert len(encoded) < 200
    assert b"pulumi_ldmetrics.provider" in base64.b64decode(encoded)


def test_configured_provider_pickles_without_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", TOKEN)
    provider = MetricProvider()
    provider.configure(
        ConfigureRequest(
            Config({"ldmetrics:accessToken": TOKEN, "ldmetrics:apiHost": "http://127.0.0.1:9"}, "p")
        )
    )
    provider._api()  # the client exists now, and must still not be pickled
    encoded = serialize_provider(provider)
    assert encoded == serialize_provider(MetricProvider())
    assert TOKEN.encode() not in base64.b64decode(encoded)


def test_pickle_loads_in_a_fresh_interpreter() -> None:
    encoded = serialize_provider(MetricProvider())
    code = (
        "import base64, dill, sys; p = dill.loads(base64.b64decode(sys.argv[1])); "
        "print(type(p).__module__ + '.' + type(p).__qualname__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, encoded], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "pulumi_ldmetrics.provider.MetricProvider"


class _Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        return f"{args.inputs['project_key']}/{args.inputs['key']}", dict(args.inputs)

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


@pulumi.runtime.test
def test_metric_registers_type_token_and_inputs(mocks: _Recorder) -> Any:
    signup = Metric(
        "signup",
        project_key="web",
        key="signup",
        name="Signup",
        kind="custom",
        event_key="s",
        tags=["b", "a"],
        randomization_units=["user"],
    )
    latency = Metric(
        "latency",
        MetricArgs(
            project_key="web",
            key="lat",
            name="Latency",
            kind="custom",
            event_key="l",
            is_numeric=True,
            unit="ms",
        ),
    )

    def check(_: Any) -> None:
        assert [r.typ for r in mocks.registered] == ["pulumi-python:dynamic/ldmetrics:Metric"] * 2
        by_name = {r.name: r.inputs for r in mocks.registered}  # registration order is not fixed
        first = by_name["signup"]
        assert (first["key"], first["kind"], first["event_key"], first["tags"]) == (
            "signup",
            "custom",
            "s",
            ["b", "a"],
        )
        assert first["analysis_units"] == ["user"] and "randomization_units" not in first
        assert (
            isinstance(first["__provider"], str) and len(first["__provider"]) < 200
        )  # plain, not secret
        assert by_name["latency"]["unit"] == "ms"

    return pulumi.Output.all(signup.urn, latency.urn).apply(check)


def test_unknown_argument_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="unknown argument"):
        Metric("x", project_key="web", key="x", name="X", kind="custom", colour="red")  # type: ignore[call-overload]


@pulumi.runtime.test
def test_a_thousand_metrics_in_one_program_do_not_exhaust_the_stack(mocks: _Recorder) -> Any:
    # The SDK's serialize_provider nests one more pickle wrapper per resource (about 950 is the
    # limit); Metric undoes that after each registration.
    batch_setitems = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    metrics = [
        Metric(f"m{i}", project_key="web", key=f"m{i}", name=f"M{i}", kind="custom", event_key="e")
        for i in range(1100)
    ]
    assert pickle._Pickler._batch_setitems is batch_setitems  # type: ignore[attr-defined]

    def check(urns: list[str]) -> None:
        assert len(set(urns)) == 1100 == len(mocks.registered)

    return pulumi.Output.all(*[m.urn for m in metrics]).apply(check)
