"""Normalization, the create body, the minimal JSON Patch, and rep → spec/inputs/outputs."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import pytest
from hypothesis import given, settings
from launchdarkly_api.models import MetricPost

from pulumi_ldmetrics.models import (
    MetricRep,
    MetricSpec,
    changed_fields,
    inputs_from_rep,
    normalize,
    outputs_from_rep,
    patch_ops,
    post_body,
    spec_from_rep,
    validate_spec,
    wire_document,
)
from tests.strategies import metric_specs

CUSTOM = MetricSpec(
    project_key="web", key="signup", name="Signup", kind="custom", event_key="signup"
)


def test_normalize_fills_the_api_defaults() -> None:
    n = normalize(CUSTOM)
    assert (n.tags, n.is_numeric, n.success_criteria, n.unit_aggregation_type, n.analysis_type) == (
        [],
        False,
        "HigherThanBaseline",
        "average",
        "mean",
    )
    assert n.event_default is not None and (n.event_default.disabled, n.event_default.value) == (
        False,
        0,
    )
    # Server-chosen fields stay undeclared.
    assert (n.maintainer_id, n.analysis_units, n.data_source) == (None, None, None)


def test_normalize_percentile_excludes_units_without_events_by_default() -> None:
    n = normalize(
        CUSTOM.model_copy(
            update={
                "is_numeric": True,
                "unit": "ms",
                "analysis_type": "percentile",
                "percentile_value": 90,
            }
        )
    )
    assert n.event_default is not None and n.event_default.disabled is True


def test_click_and_pageview_get_no_success_criteria() -> None:
    pv = MetricSpec.model_validate(
        {
            "project_key": "w",
            "key": "p",
            "name": "P",
            "kind": "pageview",
            "urls": [{"kind": "substring", "substring": "x"}],
        }
    )
    assert normalize(pv).success_criteria is None


@pytest.mark.parametrize(
    "explicit",
    [
        {"tags": []},
        {"is_numeric": False},
        {"success_criteria": "HigherThanBaseline"},
        {"unit_aggregation_type": "average"},
        {"analysis_type": "mean"},
        {"event_default": {"disabled": False, "value": 0}},
        {"description": ""},
        {"tags": ["b", "a", "b"]},
    ],
    ids=lambda d: next(iter(d)),
)
def test_omitted_equals_explicit_default(explicit: dict[str, Any]) -> None:
    base = CUSTOM.model_copy(update={"tags": ["a", "b"]}) if explicit.get("tags") else CUSTOM
    with_default = MetricSpec.model_validate({**base.model_dump(), **explicit})
    assert changed_fields(base, with_default) == []
    assert patch_ops(base, with_default) == []


def test_undeclared_server_fields_are_not_compared() -> None:
    live = CUSTOM.model_copy(update={"maintainer_id": "a" * 24, "analysis_units": ["user"]})
    assert changed_fields(live, CUSTOM) == []
    declared = CUSTOM.model_copy(update={"maintainer_id": "b" * 24})
    assert changed_fields(live, declared) == ["maintainer_id"]


def test_patch_touches_only_changed_paths() -> None:
    new = CUSTOM.model_copy(
        update={
            "name": "Sign-up",
            "description": "d",
            "event_default": None,
            "unit_aggregation_type": "sum",
        }
    )
    assert patch_ops(CUSTOM, new) == [
        {"op": "add", "path": "/description", "value": "d"},
        {"op": "replace", "path": "/name", "value": "Sign-up"},
        {"op": "replace", "path": "/unitAggregationType", "value": "sum"},
    ]


def test_removing_an_optional_field_resets_it() -> None:
    old = CUSTOM.model_copy(update={"description": "d", "unit_aggregation_type": "sum"})
    assert patch_ops(old, CUSTOM) == [
        {"op": "remove", "path": "/description"},
        {"op": "replace", "path": "/unitAggregationType", "value": "average"},
    ]


def test_nested_objects_are_patched_at_their_leaves() -> None:
    new = CUSTOM.model_copy(
        update={
            "is_numeric": True,
            "unit": "ms",
            "analysis_type": "percentile",
            "percentile_value": 90,
        }
    )
    ops = patch_ops(CUSTOM, new)
    assert {"op": "replace", "path": "/eventDefault/disabled", "value": True} in ops
    assert all(op["path"] != "/eventDefault" for op in ops)


def _valid(data: dict[str, Any]) -> MetricSpec:
    parsed, violations = validate_spec(data)
    assert parsed is not None and violations == [], violations
    return parsed


@settings(max_examples=150, deadline=None)
@given(old=metric_specs(), new=metric_specs())
def test_applying_the_patch_to_the_old_rep_yields_the_new(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    old_spec, new_spec = (
        _valid(old),
        _valid(new),
    )
    old_doc = wire_document(normalize(old_spec))
    ops = patch_ops(old_spec, new_spec)
    patched = jsonpatch.apply_patch(copy.deepcopy(old_doc), ops)
    expected = wire_document(normalize(new_spec))
    for field in (
        "maintainerId",
        "analysisUnits",
        "dataSource",
    ):  # undeclared: server keeps its value
        if field not in expected and field in old_doc:
            expected[field] = old_doc[field]
    assert patched == expected
    assert (ops == []) == (changed_fields(old_spec, new_spec) == [])


@settings(max_examples=100, deadline=None)
@given(spec=metric_specs())
def test_every_create_body_satisfies_the_official_metric_post_model(spec: dict[str, Any]) -> None:
    body = post_body(_valid(spec))
    parsed = MetricPost.from_dict(body)
    assert parsed is not None
    assert parsed.key == spec["key"]


def _rep_for(spec: MetricSpec, **server: Any) -> MetricRep:
    doc = wire_document(normalize(spec))
    doc.setdefault("maintainerId", "c" * 24)
    doc.setdefault("analysisUnits", ["user"])
    doc["randomizationUnits"] = doc["analysisUnits"]
    doc.setdefault("dataSource", {"key": "launchdarkly-hosted", "_name": "LaunchDarkly hosted"})
    doc.update(
        _id="d" * 24,
        _version=3,
        _versionId="v3",
        _creationDate=1700000000000,
        _links={"self": {"href": "/x"}},
        _site={"href": f"/{spec.project_key}/metrics/{spec.key}/details"},
        experimentCount=0,
        someFutureField={"x": 1},
        **server,
    )
    return MetricRep.model_validate(doc)


@settings(max_examples=100, deadline=None)
@given(spec=metric_specs())
def test_rep_round_trips_to_the_declared_spec(spec: dict[str, Any]) -> None:
    declared = _valid(spec)
    rep = _rep_for(declared)
    assert changed_fields(spec_from_rep(rep, declared.project_key), declared) == []
    managed = {f for f in ("maintainer_id", "analysis_units", "data_source") if f in spec}
    inputs = inputs_from_rep(rep, declared.project_key, managed=managed)
    assert inputs == normalize(declared).model_dump(mode="json", exclude_none=True)


def test_outputs_carry_server_fields() -> None:
    outs = outputs_from_rep(_rep_for(CUSTOM), "web", site_base_url="https://app.launchdarkly.com/")
    assert outs["metric_id"] == "d" * 24
    assert (outs["version"], outs["version_id"], outs["creation_date"]) == (3, "v3", 1700000000000)
    assert outs["site_url"] == "https://app.launchdarkly.com/web/metrics/signup/details"
    assert outs["maintainer_id"] == "c" * 24
    assert outs["data_source"] == {"key": "launchdarkly-hosted"}


def test_lenient_rep_tolerates_new_enum_values_and_fields() -> None:
    rep = MetricRep.model_validate(
        {
            "key": "k",
            "kind": "funnel-v2",
            "unitAggregationType": "median",
            "brandNew": True,
            "randomizationUnits": ["org"],
        }
    )
    assert rep.kind == "funnel-v2"
    assert rep.effective_analysis_units == ["org"]


def test_filters_nested_in_a_group_go_out_in_camel_case() -> None:
    member = {
        "type": "contextAttribute",
        "attribute": "region",
        "op": "in",
        "values": ["eu"],
        "context_kind": "user",
        "negate": False,
    }
    spec = _valid(
        {
            **CUSTOM.model_dump(exclude_none=True),
            "filters": {"type": "group", "op": "and", "values": [member], "negate": False},
        }
    )
    sent = post_body(spec)["filters"]["values"][0]
    assert sent["contextKind"] == "user" and "context_kind" not in sent


def test_invalid_group_member_is_reported_under_filters() -> None:
    data = {
        **CUSTOM.model_dump(exclude_none=True),
        "filters": {"type": "group", "op": "and", "values": [{"type": "bogus"}], "negate": False},
    }
    _, violations = validate_spec(data)
    assert {v.path for v in violations} >= {"filters.values.0.type", "filters.values.0.op"}
