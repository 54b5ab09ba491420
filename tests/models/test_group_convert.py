"""Metric group converters: the create body, the minimal patch (a property), reading reps back."""

from __future__ import annotations

from typing import Any

import jsonpatch
from hypothesis import given, settings, strategies as st

from pulumi_ldmetrics.models.group_convert import (
    group_changed_fields,
    group_document,
    group_inputs_from_rep,
    group_outputs_from_rep,
    group_patch_ops,
    group_post_body,
    group_spec_from_inputs,
    group_spec_from_rep,
)
from pulumi_ldmetrics.models.group_response import MetricGroupRep
from pulumi_ldmetrics.models.group_rules import validate_group
from pulumi_ldmetrics.models.group_spec import MetricGroupSpec

MEMBER = "569fdeadbeef1644facecafe"
OTHER = "0123456789abcdef01234567"

keys = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,12}", fullmatch=True)
names = st.text(alphabet="abcdefgh XYZ", min_size=1, max_size=12).filter(lambda s: s.strip() != "")
tags = st.lists(st.from_regex(r"[a-z0-9_.-]{1,8}", fullmatch=True), max_size=4)


@st.composite
def specs(draw: st.DrawFn, kind: str, metric_keys: list[str] | None = None) -> MetricGroupSpec:
    chosen = metric_keys or draw(st.lists(keys, min_size=2, max_size=5, unique=True))
    data: dict[str, Any] = {
        "project_key": "web",
        "key": "g",
        "name": draw(names),
        "kind": kind,
        "metrics": [
            {"key": k, "name_in_group": draw(names)} if kind == "funnel" else {"key": k}
            for k in chosen
        ],
    }
    for field, value in (
        ("description", draw(st.one_of(st.none(), st.just(""), names))),
        ("tags", draw(st.one_of(st.none(), tags))),
        ("maintainer_id", draw(st.sampled_from([None, MEMBER, OTHER]))),
    ):
        if value is not None:
            data[field] = value
    spec, violations = validate_group(data)
    assert spec is not None, violations
    return spec


@st.composite
def pairs(draw: st.DrawFn) -> tuple[MetricGroupSpec, MetricGroupSpec]:
    kind = draw(st.sampled_from(["funnel", "standard"]))
    old = draw(specs(kind))
    # Half the time the same metrics reordered: the funnel's step order is what changes.
    same_keys = [m.key for m in old.metrics]
    reordered = draw(st.permutations(same_keys))
    new = draw(st.one_of(specs(kind), specs(kind, metric_keys=list(reordered))))
    if old.maintainer_id is None:  # a live group always has one
        old = old.model_copy(update={"maintainer_id": MEMBER})
    return old, new


@settings(max_examples=300, deadline=None)
@given(pairs())
def test_applying_the_patch_to_the_old_document_yields_the_new_one(
    pair: tuple[MetricGroupSpec, MetricGroupSpec],
) -> None:
    old, new = pair
    ops = group_patch_ops(old, new)
    patched = jsonpatch.apply_patch(group_document(old), ops)
    expected = group_document(new)
    if new.maintainer_id is None:  # undeclared: not managed, the live maintainer stays
        expected["maintainerId"] = old.maintainer_id
    assert patched == expected
    # Minimal: one op per changed field, only replace, and none when nothing changed.
    paths = [op["path"] for op in ops]
    assert len(paths) == len(set(paths)) and all(op["op"] == "replace" for op in ops)
    changed = {f for f in group_changed_fields(old, new)}
    assert {p.strip("/") for p in paths} == {
        {"maintainer_id": "maintainerId"}.get(f, f) for f in changed
    }
    assert group_patch_ops(new, new) == []


def test_patch_of_a_reorder_replaces_metrics_only() -> None:
    old = group_spec_from_inputs(
        {
            "project_key": "web",
            "key": "g",
            "name": "G",
            "kind": "funnel",
            "maintainer_id": MEMBER,
            "metrics": [{"key": "a", "name_in_group": "A"}, {"key": "b", "name_in_group": "B"}],
        }
    )
    new = old.model_copy(update={"metrics": list(reversed(old.metrics))})
    assert group_patch_ops(old, new) == [
        {
            "op": "replace",
            "path": "/metrics",
            "value": [{"key": "b", "nameInGroup": "B"}, {"key": "a", "nameInGroup": "A"}],
        }
    ]


def test_removing_description_and_tags_replaces_with_empty_values() -> None:
    base = {
        "project_key": "web",
        "key": "g",
        "name": "G",
        "kind": "standard",
        "metrics": [{"key": "a"}, {"key": "b"}],
    }
    old = group_spec_from_inputs({**base, "description": "d", "tags": ["x"]})
    new = group_spec_from_inputs(base)
    assert group_patch_ops(old, new) == [
        {"op": "replace", "path": "/description", "value": ""},
        {"op": "replace", "path": "/tags", "value": []},
    ]
    # "" and omitted are the same thing: no diff.
    assert (
        group_changed_fields(new, group_spec_from_inputs({**base, "description": "", "tags": []}))
        == []
    )


def test_post_body_is_what_terraform_sends() -> None:
    spec = group_spec_from_inputs(
        {
            "project_key": "web",
            "key": "g",
            "name": "G",
            "kind": "standard",
            "maintainer_id": MEMBER,
            "tags": ["b", "a", "b"],
            "metrics": [{"key": "m2"}, {"key": "m1"}],
        }
    )
    assert group_post_body(spec) == {
        "key": "g",
        "name": "G",
        "kind": "standard",
        "maintainerId": MEMBER,
        "tags": ["a", "b"],
        "metrics": [{"key": "m2", "nameInGroup": ""}, {"key": "m1", "nameInGroup": ""}],
    }


REP_NEW_SHAPE: dict[str, Any] = {
    "_id": "bc3e5be1-02d2-40c7-9926-26d0aacd7aab",
    "key": "g",
    "name": "G",
    "kind": "funnel",
    "_version": 3,
    "_creationDate": 1,
    "_lastModified": 2,
    "_links": {},
    "tags": ["t"],
    "maintainer": {"key": MEMBER, "kind": "member", "_member": {"_id": MEMBER}},
    "metrics": [
        {"key": "b", "name": "B", "kind": "custom", "nameInGroup": "Step B", "_links": {}},
        {"key": "a", "name": "A", "kind": "click", "nameInGroup": "Step A", "_links": {}},
    ],
}


def test_reading_a_rep_keeps_order_and_reads_both_maintainer_shapes() -> None:
    rep = MetricGroupRep.model_validate(REP_NEW_SHAPE)
    spec = group_spec_from_rep(rep, "web")
    assert [m.key for m in spec.metrics] == ["b", "a"] and spec.maintainer_id == MEMBER
    old_shape = {**REP_NEW_SHAPE, "maintainer": {"member": {"_id": OTHER}}}
    assert MetricGroupRep.model_validate(old_shape).maintainer_id == OTHER
    team = {**REP_NEW_SHAPE, "maintainer": {"key": "qa", "kind": "team", "_team": {"key": "qa"}}}
    assert MetricGroupRep.model_validate(team).maintainer_id is None
    outs = group_outputs_from_rep(rep, "web")
    assert outs["version"] == 3 and outs["group_id"] == REP_NEW_SHAPE["_id"]
    assert outs["metrics"] == [
        {"key": "b", "name_in_group": "Step B"},
        {"key": "a", "name_in_group": "Step A"},
    ]
    assert "maintainer_id" not in group_inputs_from_rep(rep, "web", manage_maintainer=False)
    assert group_inputs_from_rep(rep, "web", manage_maintainer=True)["maintainer_id"] == MEMBER


def test_reading_a_standard_rep_treats_empty_step_names_as_absent() -> None:
    rep = MetricGroupRep.model_validate(
        {
            **REP_NEW_SHAPE,
            "kind": "standard",
            "metrics": [
                {"key": "a", "nameInGroup": ""},
                {"key": "b", "nameInGroup": None},
                {"key": "c"},
            ],
        }
    )
    inputs = group_inputs_from_rep(rep, "web", manage_maintainer=False)
    assert inputs["metrics"] == [{"key": "a"}, {"key": "b"}, {"key": "c"}]
    checked, violations = validate_group(inputs)
    assert violations == [] and checked is not None


def test_a_rep_with_odd_values_never_raises_and_shows_them() -> None:
    odd = {
        "key": "g",
        "kind": "journey",
        "name": 5,
        "tags": "x",
        "metrics": [1, {"key": "a"}],
        "maintainer": "me",
        "_version": "three",
    }
    rep = MetricGroupRep.model_validate(odd)
    spec = group_spec_from_rep(rep, "web")
    kind: str = spec.kind
    assert kind == "journey" and spec.name == "g" and [m.key for m in spec.metrics] == ["a"]
    assert rep.version is None and rep.maintainer_id is None
    # The unexpected kind differs from any declared one, so a diff shows it.
    declared = group_spec_from_inputs({**group_outputs_from_rep(rep, "web"), "kind": "funnel"})
    assert "kind" in group_changed_fields(spec, declared)
