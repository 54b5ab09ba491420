"""Every metric group rule, with valid and invalid cases, reported as (field path, message)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings, strategies as st
from pulumi.output import Unknown

from pulumi_ldmetrics.models.group_rules import (
    FUNNEL_NEEDS_NAMES,
    STANDARD_REFUSES_NAMES,
    validate_group,
)

FUNNEL: dict[str, Any] = {
    "project_key": "web",
    "key": "checkout-funnel",
    "name": "Checkout funnel",
    "kind": "funnel",
    "metrics": [
        {"key": "viewed-cart", "name_in_group": "Viewed cart"},
        {"key": "paid", "name_in_group": "Paid"},
    ],
}
STANDARD: dict[str, Any] = {
    "project_key": "web",
    "key": "checkout-group",
    "name": "Checkout group",
    "kind": "standard",
    "metrics": [{"key": "viewed-cart"}, {"key": "paid"}],
}
KEY_MSG = "must start with a letter or digit and contain only letters, digits, '.', '_' or '-'"
TAG_MSG = "must be 1 to 64 characters of letters, digits, '.', '_' or '-'"


def group(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def _is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


VALID = [
    pytest.param(FUNNEL, id="funnel"),
    pytest.param(STANDARD, id="standard"),
    pytest.param(
        group(STANDARD, metrics=[{"key": "a", "name_in_group": ""}, {"key": "b"}]),
        id="standard-empty-step-name",
    ),
    pytest.param(group(FUNNEL, description="", tags=[]), id="empty-description-and-tags"),
    pytest.param(group(FUNNEL, tags=["a" * 64, "x.y_z-1"]), id="tags-at-limits"),
    pytest.param(group(FUNNEL, maintainer_id="569fdeadbeef1644facecafe"), id="maintainer"),
    pytest.param(
        group(FUNNEL, metrics=[{"key": f"m{i}", "name_in_group": f"S{i}"} for i in range(5)]),
        id="five-steps",
    ),
    pytest.param(
        {**FUNNEL, "metrics": [{"key": "a", "nameInGroup": "A"}, {"key": "b", "nameInGroup": "B"}]},
        id="wire-spelling-of-step-name",
    ),
]


@pytest.mark.parametrize("data", VALID)
def test_valid_groups_pass(data: dict[str, Any]) -> None:
    spec, violations = validate_group(data)
    assert violations == []
    assert spec is not None and spec.key == data["key"]


INVALID = [
    pytest.param(group(FUNNEL, key="bad key"), [("key", KEY_MSG)], id="key-pattern"),
    pytest.param(group(FUNNEL, project_key="-web"), [("project_key", KEY_MSG)], id="project-key"),
    pytest.param(group(FUNNEL, name="  "), [("name", "must not be empty")], id="blank-name"),
    pytest.param(group(FUNNEL, name=None), [("name", "is required")], id="missing-name"),
    pytest.param(
        group(FUNNEL, kind="journey"),
        [("kind", "Input should be 'funnel' or 'standard'")],
        id="kind-enum",
    ),
    pytest.param(group(FUNNEL, metrics=None), [("metrics", "is required")], id="missing-metrics"),
    pytest.param(
        group(FUNNEL, metrics=[{"key": "a", "name_in_group": "A"}]),
        [("metrics", "a metric group needs at least 2 metrics")],
        id="one-metric",
    ),
    pytest.param(
        group(STANDARD, metrics=[]),
        [("metrics", "a metric group needs at least 2 metrics")],
        id="no-metric",
    ),
    pytest.param(
        group(FUNNEL, metrics=[{"key": "a", "name_in_group": "A"}, {"key": "b"}]),
        [("metrics.1.name_in_group", FUNNEL_NEEDS_NAMES)],
        id="funnel-step-without-name",
    ),
    pytest.param(
        group(
            FUNNEL, metrics=[{"key": "a", "name_in_group": " "}, {"key": "b", "name_in_group": "B"}]
        ),
        [("metrics.0.name_in_group", FUNNEL_NEEDS_NAMES)],
        id="funnel-blank-step-name",
    ),
    pytest.param(
        group(STANDARD, metrics=[{"key": "a"}, {"key": "b", "name_in_group": "B"}]),
        [("metrics.1.name_in_group", STANDARD_REFUSES_NAMES)],
        id="standard-with-step-name",
    ),
    pytest.param(
        group(STANDARD, metrics=[{"key": "a b"}, {"key": "b"}]),
        [("metrics.0.key", KEY_MSG)],
        id="metric-key-pattern",
    ),
    pytest.param(
        group(STANDARD, metrics=[{"name_in_group": ""}, {"key": "b"}]),
        [("metrics.0.key", "is required")],
        id="metric-without-key",
    ),
    pytest.param(
        group(STANDARD, metrics=["a", "b"]),
        [
            ("metrics.0", "Input should be a valid dictionary or instance of MetricInGroup"),
            ("metrics.1", "Input should be a valid dictionary or instance of MetricInGroup"),
        ],
        id="metric-not-an-object",
    ),
    pytest.param(
        group(FUNNEL, maintainer_id="me@example.com"),
        [("maintainer_id", "must be a member id of 24 hexadecimal characters")],
        id="maintainer-shape",
    ),
    pytest.param(group(FUNNEL, tags=[""]), [("tags.0", TAG_MSG)], id="empty-tag"),
    pytest.param(
        group(FUNNEL, tags=["a" * 65]),
        [("tags.0", "String should have at most 64 characters")],
        id="long-tag",
    ),
    pytest.param(group(FUNNEL, tags=["ops team"]), [("tags.0", TAG_MSG)], id="tag-charset"),
    pytest.param(
        group(FUNNEL, tags="ops"), [("tags", "Input should be a valid list")], id="tags-not-list"
    ),
    pytest.param(
        group(FUNNEL, colour="red"), [("colour", "is not a metric group field")], id="typo"
    ),
    pytest.param(
        group(FUNNEL, description=5),
        [("description", "Input should be a valid string")],
        id="description-type",
    ),
]


@pytest.mark.parametrize(("data", "expected"), INVALID)
def test_invalid_groups_fail_with_a_path(
    data: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    spec, violations = validate_group(data)
    assert spec is None
    assert [(v.path, v.message) for v in violations] == expected


def test_every_violation_is_reported_at_once() -> None:
    data = {
        "project_key": "web",
        "key": "bad key",
        "name": "",
        "kind": "funnel",
        "maintainer_id": "nope",
        "tags": ["a b"],
        "metrics": [{"key": "a"}],
    }
    _, violations = validate_group(data)
    assert sorted(v.path for v in violations) == [
        "key",
        "maintainer_id",
        "metrics",
        "metrics.0.name_in_group",
        "name",
        "tags.0",
    ]


def test_unknown_values_at_preview_are_not_guessed() -> None:
    # Metric resources' keys are unknown until created; the count and step rules still apply.
    data = group(FUNNEL, metrics=[{"key": Unknown(), "name_in_group": "A"}, {"key": Unknown()}])
    _, violations = validate_group(data, is_unknown=_is_unknown)
    assert [(v.path, v.message) for v in violations] == [
        ("metrics.1.name_in_group", FUNNEL_NEEDS_NAMES)
    ]

    whole = group(FUNNEL, metrics=Unknown(), kind=Unknown(), name=Unknown())
    assert validate_group(whole, is_unknown=_is_unknown)[1] == []

    one_unknown_step = group(STANDARD, metrics=[Unknown(), {"key": "b"}])
    assert validate_group(one_unknown_step, is_unknown=_is_unknown)[1] == []
    too_few = group(STANDARD, metrics=[Unknown()])
    assert [v.path for v in validate_group(too_few, is_unknown=_is_unknown)[1]] == ["metrics"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["project_key", "key", "name", "kind", "description", "maintainer_id", "tags", "metrics"]
) | st.text(max_size=6)
metric_entries = st.lists(
    st.dictionaries(st.sampled_from(["key", "name_in_group", "nameInGroup", "x"]), json_values),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(field_names, json_values, max_size=8),
    st.one_of(st.none(), metric_entries),
)
def test_any_input_gives_a_spec_or_violations_with_paths_never_an_exception(
    data: dict[str, Any], metrics: list[Any] | None
) -> None:
    if metrics is not None:
        data = {**data, "metrics": metrics}
    spec, violations = validate_group(data)
    assert (spec is None) == bool(violations)  # a spec exactly when nothing is wrong
    assert all(v.path and v.message for v in violations)
