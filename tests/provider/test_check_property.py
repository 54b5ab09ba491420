"""Property test of `MetricProvider.check`: whatever the engine hands it (valid, near-valid or
hostile: wrong types, huge or deep structures, unicode, NaN, newlines, unknowns), it answers
with inputs or failures, never raises, never touches the network, and every failure names a
property path."""

from __future__ import annotations

import math
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pulumi.dynamic import CheckResult
from pulumi.output import Unknown

from pulumi_ldmetrics.models import SPEC_FIELDS
from pulumi_ldmetrics.models.limits import MAX_FILTER_DEPTH, MAX_KEY_LENGTH
from pulumi_ldmetrics.provider import MetricProvider
from tests.strategies import metric_specs

# Text of every kind: any code point (lone surrogates included), plus the characters that
# broke things before (a trailing newline, NUL, a right-to-left mark).
any_text = st.one_of(
    st.text(st.characters(codec=None), max_size=30),
    st.sampled_from(["signup\n", "\n", "yes", "off", "false", "100", "50.5", "\x00", "\u200f"]),
)
any_number = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 50.0, 50.5, -0.0, 1e300]),
)
# Besides JSON, the SDK may hand over bytes or objects (assets, resource references).
scalars = st.one_of(
    st.none(),
    st.booleans(),
    any_number,
    any_text,
    st.builds(Unknown),
    st.binary(max_size=8),
    st.builds(object),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)
    ),
    max_leaves=20,
)


def _deep_list(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def _deep_filter(depth: int, leaf_values: list[Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "eventProperty", "op": "in", "values": leaf_values}
    for _ in range(depth - 1):
        node = {"type": "group", "op": "and", "values": [node]}
    return node


huge_or_deep = st.one_of(
    st.integers(1, 5_000).map(_deep_list),
    st.builds(_deep_filter, st.integers(1, 3_000), st.lists(json_values, max_size=3)),
    st.builds(lambda n: "k" * n, st.sampled_from([MAX_KEY_LENGTH, MAX_KEY_LENGTH + 1, 70_000])),
    st.builds(lambda n: list(range(n)), st.integers(0, 20_000)),
)
hostile_values = st.one_of(json_values, huge_or_deep)
field_names = st.one_of(
    st.sampled_from([*SPEC_FIELDS, "adopt_existing", "randomization_units", "analysisUnits"]),
    any_text,
)


@st.composite
def near_valid_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid spec with a few fields (known or not) replaced, removed or nested wrongly."""
    news = dict(draw(metric_specs(project_key="web")))
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["set", "drop", "filter", "nested"]))
        name = draw(field_names)
        if action == "set":
            news[name] = draw(hostile_values)
        elif action == "drop":
            news.pop(name, None)
        elif action == "filter":
            news["filters"] = {
                "type": draw(st.sampled_from(["contextAttribute", "eventProperty", "group", 7])),
                "op": draw(st.one_of(st.just("in"), scalars)),
                "values": draw(st.lists(hostile_values, max_size=4)),
                "negate": draw(st.one_of(st.booleans(), scalars)),
            }
        else:
            news["event_default"] = {"disabled": draw(scalars), "value": draw(scalars)}
    if draw(st.booleans()):
        news["adopt_existing"] = draw(st.one_of(st.booleans(), scalars))
    return news


engine_inputs = st.one_of(
    metric_specs(project_key="web"),
    near_valid_inputs(),
    st.dictionaries(field_names, hostile_values, max_size=8),
)


@contextmanager
def no_network() -> Iterator[list[str]]:
    """Record (and refuse) every connection attempt and every httpx request."""
    attempts: list[str] = []

    def refuse(*args: Any, **_kwargs: Any) -> Any:
        attempts.append(repr(args[:2]))
        raise OSError("check must not use the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        patch.setattr(httpx.HTTPTransport, "handle_request", refuse)
        yield attempts


PROVIDER = MetricProvider()


def _check(news: dict[str, Any]) -> CheckResult:
    with no_network() as attempts:
        result = PROVIDER.check({}, {**news, "__provider": "pickled-provider"})
    assert attempts == []
    return result


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(news=engine_inputs)
def test_check_answers_anything_without_raising_or_requests(news: dict[str, Any]) -> None:
    result = _check(news)
    assert isinstance(result, CheckResult)
    failures = result.failures or []
    for failure in failures:
        assert isinstance(failure.property, str) and failure.property.strip() != ""
        assert isinstance(failure.reason, str) and failure.reason.strip() != ""
    if not failures:
        # What check accepts, it accepts again unchanged: its output is a fixed point.
        inputs = dict(result.inputs or {})
        again = _check(inputs)
        assert not again.failures
        assert dict(again.inputs or {}) == inputs


@settings(max_examples=100, deadline=None)
@given(news=metric_specs(project_key="web"))
def test_valid_specs_pass_also_as_the_engine_sends_them(news: dict[str, Any]) -> None:
    # The engine sends every number as a float; an int field given 95.0 is still valid.
    as_floats = {k: float(v) if type(v) is int else v for k, v in news.items()}
    assert not _check(as_floats).failures


def test_the_network_guard_catches_a_request() -> None:
    # The guard the properties rely on does see a real attempt.
    with no_network() as attempts:
        try:
            httpx.get("http://127.0.0.1:9/")
        except OSError:
            pass
    assert attempts


def test_165_deep_filters_are_a_failure_not_a_recursion_error() -> None:
    news = {
        "project_key": "web",
        "key": "deep",
        "name": "Deep",
        "kind": "custom",
        "event_key": "e",
        "filters": _deep_filter(165, ["x"]),
    }
    failures = _check(news).failures or []
    assert [(f.property, f.reason) for f in failures] == [
        ("filters", f"filters nest at most {MAX_FILTER_DEPTH} levels deep")
    ]


def test_hostile_inputs_from_issue_9_all_fail_at_once() -> None:
    news = {
        "project_key": "web\n",
        "key": "k" * 70_000,
        "name": "N",
        "kind": "custom",
        "event_key": "e",
        "is_numeric": "yes",
        "filters": {"type": "eventProperty", "op": "in", "values": [math.nan, {"a": 1}]},
        "adopt_existing": "false",
    }
    failures = _check(news).failures or []
    assert sorted(f.property for f in failures) == [
        "adopt_existing",
        "filters.values[0]",  # the engine's spelling of list indexes
        "filters.values[1]",
        "is_numeric",
        "key",
        "project_key",
    ]


def test_list_indexes_are_spelled_the_engines_way() -> None:
    # With `urls.0.kind` the engine cannot find the value and prints `value {<nil>}`.
    news = {
        "project_key": "web",
        "key": "k",
        "name": "N",
        "kind": "pageview",
        "urls": [{"kind": "exact", "url": "https://a"}, {"kind": "bogus", "url": "https://b"}],
    }
    assert [f.property for f in _check(news).failures or []] == ["urls[1].kind"]
