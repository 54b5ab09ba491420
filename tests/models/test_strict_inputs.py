"""Strict inputs: no coercion, whole-string keys, size and depth limits, typed filter values,
a real boolean for adopt_existing. Each case names the property path and the message."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from pulumi_ldmetrics.models import (
    MetricSpec,
    adopt_existing_violations,
    inputs_from_spec,
    normalize,
    validate_spec,
)
from pulumi_ldmetrics.models.limits import (
    KEY_RULE,
    MAX_FILTER_DEPTH,
    MAX_KEY_LENGTH,
    MAX_STRING_LENGTH,
)
from pulumi_ldmetrics.models.rules import assess

CUSTOM: dict[str, Any] = {
    "project_key": "web",
    "key": "signup",
    "name": "Signup",
    "kind": "custom",
    "event_key": "signup",
}


def spec(**changes: Any) -> dict[str, Any]:
    return {**CUSTOM, **changes}


def leaf(*values: Any) -> dict[str, Any]:
    return {"type": "eventProperty", "attribute": "plan", "op": "in", "values": list(values)}


def nested(depth: int) -> dict[str, Any]:
    """A filter `depth` levels deep: groups down to one leaf."""
    node = leaf("x")
    for _ in range(depth - 1):
        node = {"type": "group", "op": "and", "values": [node]}
    return node


REFUSED = [
    # No silent coercion.
    (spec(is_numeric="yes"), "is_numeric", "Input should be a valid boolean"),
    (spec(is_numeric="off"), "is_numeric", "Input should be a valid boolean"),
    (spec(is_numeric=1), "is_numeric", "Input should be a valid boolean"),
    (spec(percentile_value="100"), "percentile_value", "Input should be a valid integer"),
    (spec(percentile_value=50.5), "percentile_value", "Input should be a valid integer"),
    (spec(percentile_value=True), "percentile_value", "Input should be a valid integer"),
    (spec(window_start_offset=math.inf), "window_start_offset", "Input should be a valid integer"),
    (spec(window_end_offset=1e300), "window_end_offset", "Input should be less than or equal"),
    (spec(winsor_lower_percentile="5"), "winsor_lower_percentile", "Input should be a valid num"),
    (spec(winsor_lower_percentile=math.nan), "winsor_lower_percentile", "Input should be a finite"),
    (spec(event_default={"value": math.inf}), "event_default.value", "Input should be a finite"),
    (spec(event_key=5), "event_key", "Input should be a valid string"),
    (spec(tags=["a", 1]), "tags.1", "Input should be a valid string"),
    (spec(name=["Signup"]), "name", "Input should be a valid string"),
    (spec(filters={**leaf("a"), "negate": "false"}), "filters.negate", "Input should be a valid b"),
    # Keys match the whole string; `$` would have let a trailing newline through.
    (spec(key="signup\n"), "key", KEY_RULE),
    (spec(project_key="web\n"), "project_key", KEY_RULE),
    (spec(key="sign\nup"), "key", KEY_RULE),
    (spec(key="ключ"), "key", KEY_RULE),
    (spec(key=""), "key", KEY_RULE),
    # Length limits.
    (spec(key="k" * (MAX_KEY_LENGTH + 1)), "key", f"String should have at most {MAX_KEY_LENGTH}"),
    (spec(key="k" * 70_000), "key", f"String should have at most {MAX_KEY_LENGTH}"),
    (spec(project_key="p" * (MAX_KEY_LENGTH + 1)), "project_key", "String should have at most"),
    (spec(description="d" * (MAX_STRING_LENGTH + 1)), "description", "String should have at most"),
    (spec(tags=["t" * (MAX_STRING_LENGTH + 1)]), "tags.0", "String should have at most"),
    (
        spec(filters=leaf("v" * (MAX_STRING_LENGTH + 1))),
        "filters.values.0",
        f"must be at most {MAX_STRING_LENGTH} characters",
    ),
    # Filter values: finite numbers, strings, booleans; only groups hold filters.
    (spec(filters=leaf(math.nan)), "filters.values.0", "must be a finite number"),
    (spec(filters=leaf(1, -math.inf)), "filters.values.1", "must be a finite number"),
    (spec(filters=leaf(leaf("x"))), "filters.values.0", "must be a string, a number or a boolean"),
    (spec(filters=leaf(["x"])), "filters.values.0", "must be a string, a number or a boolean"),
    (spec(filters=leaf(None)), "filters.values.0", "must be a string, a number or a boolean"),
    (
        spec(filters={"type": "group", "op": "and", "values": ["x"]}),
        "filters.values.0",
        "a group's values must be filters",
    ),
    (
        spec(filters={"type": "group", "op": "or", "values": [leaf("ok"), leaf(math.nan)]}),
        "filters.values.1.values.0",
        "must be a finite number",
    ),
    (
        spec(denominator={"event_name": "e", "filters": leaf({"a": 1})}),
        "denominator.filters.values.0",
        "must be a string, a number or a boolean",
    ),
    # Nesting limit, reported on the field, whatever the depth.
    (
        spec(filters=nested(MAX_FILTER_DEPTH + 1)),
        "filters",
        f"filters nest at most {MAX_FILTER_DEPTH} levels deep",
    ),
    (spec(filters=nested(165)), "filters", "filters nest at most"),
    (spec(filters=nested(5_000)), "filters", "filters nest at most"),
    (
        spec(denominator={"event_name": "e", "filters": nested(200)}),
        "denominator.filters",
        "filters nest at most",
    ),
]


@pytest.mark.parametrize(
    ("data", "path", "message"), REFUSED, ids=[f"{p}:{m[:24]}" for _, p, m in REFUSED]
)
def test_refused_with_its_path(data: dict[str, Any], path: str, message: str) -> None:
    parsed, violations = validate_spec(data)
    assert parsed is None or violations
    assert any(v.path == path and v.message.startswith(message) for v in violations), violations


ACCEPTED = [
    pytest.param(spec(percentile_value=50.0, analysis_type="percentile"), id="integral-float"),
    pytest.param(spec(window_start_offset=0.0, window_end_offset=3600.0), id="float-offsets"),
    pytest.param(spec(winsor_lower_percentile=5, winsor_upper_percentile=95.5), id="int-as-float"),
    pytest.param(spec(key="k" * MAX_KEY_LENGTH), id="key-at-the-limit"),
    pytest.param(spec(description="d" * MAX_STRING_LENGTH), id="string-at-the-limit"),
    pytest.param(spec(filters=nested(MAX_FILTER_DEPTH)), id="filters-at-the-depth-limit"),
    pytest.param(spec(filters=leaf("a", 1, 2.5, True, -0.0)), id="scalar-filter-values"),
    pytest.param(spec(name="Inscription réussie ✓"), id="unicode-name"),
]


@pytest.mark.parametrize("data", ACCEPTED)
def test_accepted(data: dict[str, Any]) -> None:
    parsed, violations = validate_spec(data)
    assert violations == [] and parsed is not None


def test_integral_floats_become_integers() -> None:
    parsed, _ = validate_spec(spec(analysis_type="percentile", percentile_value=95.0))
    assert parsed is not None
    assert parsed.percentile_value == 95 and isinstance(parsed.percentile_value, int)
    assert inputs_from_spec(normalize(parsed))["percentile_value"] == 95


def test_type_errors_and_cross_field_rules_are_reported_together() -> None:
    # `is_numeric` is refused for its type; the key, the missing event key and the selector
    # are independent problems and are reported in the same answer.
    data = spec(is_numeric="yes", key="bad\n", event_key=None, selector=".x")
    del data["event_key"]
    found = assess(data)
    assert {v.path for v in found.errors} == {"is_numeric", "key", "event_key"}
    assert [v.path for v in found.warnings] == ["selector"]  # advice, never an error


def test_a_mistyped_field_does_not_trigger_rules_about_it() -> None:
    # `kind` is wrong: the kind-specific rules cannot be judged and must not be guessed.
    _, violations = validate_spec(spec(kind=3, maintainer_id="zz"))
    assert {v.path for v in violations} == {"kind", "maintainer_id"}


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        (True, False),
        (False, False),
        (None, False),
        ("false", True),
        ("true", True),
        (0, True),
        (1.0, True),
        ([], True),
    ],
)
def test_adopt_existing_must_be_a_boolean(value: Any, refused: bool) -> None:
    violations = adopt_existing_violations(value)
    assert [v.path for v in violations] == (["adopt_existing"] if refused else [])


def test_spec_models_refuse_coercion_directly() -> None:
    with pytest.raises(ValidationError):
        MetricSpec.model_validate(spec(is_numeric="true"))


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("colour", "colour"),
        ("myField", "myField"),  # shown as written, not snake_cased
        ("\r", '"\\r"'),
        ("", '""'),
        ("a.b", '"a.b"'),
        (" padded", '" padded"'),
        ("x" * 70_000, '"' + "x" * 64 + '..."'),
    ],
)
def test_an_unknown_property_is_named_readably(name: str, path: str) -> None:
    _, violations = validate_spec(spec(**{name: 1}))
    assert [(v.path, v.message) for v in violations] == [(path, "is not a metric field")]
