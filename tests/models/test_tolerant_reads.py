"""Reading what a newer API returns: unknown kinds, enum values and nested fields are kept,
carried into inputs and outputs, compared, and patched, never raised on."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import pytest
from hypothesis import given, settings, strategies as st

from pulumi_ldmetrics.models import (
    SPEC_FIELDS,
    MetricRep,
    MetricSpec,
    changed_fields,
    inputs_from_rep,
    normalize,
    outputs_from_rep,
    patch_ops,
    spec_from_inputs,
    spec_from_rep,
    wire_document,
)

DECLARED = MetricSpec(
    project_key="web",
    key="signup",
    name="Signup",
    kind="custom",
    event_key="signup",
    filters={  # type: ignore[arg-type]  # validated from a dict, as users write it
        "type": "contextAttribute",
        "attribute": "country",
        "op": "in",
        "values": ["JP"],
        "context_kind": "user",
    },
)


def live(**changes: Any) -> dict[str, Any]:
    """The server's document for DECLARED, with `changes` (camelCase) applied."""
    doc = wire_document(normalize(DECLARED))
    doc.update(
        _id="d" * 24,
        _version=3,
        _versionId="v3",
        _creationDate=1_700_000_000_000,
        _site={"href": "/web/metrics/signup/details"},
        maintainerId="c" * 24,
        analysisUnits=["user"],
        dataSource={"key": "launchdarkly-hosted", "_name": "LaunchDarkly hosted"},
    )
    doc.update(changes)
    return doc


def read(doc: dict[str, Any]) -> MetricSpec:
    return spec_from_rep(MetricRep.model_validate(doc), "web")


NEWER = [
    ({"kind": "funnel"}, "kind", "funnel"),
    ({"unitAggregationType": "median"}, "unit_aggregation_type", "median"),
    ({"analysisType": "bayesian"}, "analysis_type", "bayesian"),
    ({"successCriteria": "NoWorseThanBaseline"}, "success_criteria", "NoWorseThanBaseline"),
    ({"percentileValue": "p95"}, "percentile_value", "p95"),
    ({"tags": ["a", 7]}, "tags", ["a", 7]),
    (
        {"urls": [{"kind": "glob", "glob": "/a/*"}]},
        "urls",
        [{"kind": "glob", "glob": "/a/*"}],
    ),
    (
        {"filters": {"type": "segment", "op": "in", "values": ["beta"], "segmentKey": "s"}},
        "filters",
        {"type": "segment", "op": "in", "values": ["beta"], "segmentKey": "s"},
    ),
    (
        {"eventDefault": {"disabled": False, "value": 0, "strategy": "zero"}},
        "event_default",
        {"disabled": False, "value": 0, "strategy": "zero"},
    ),
    (
        {"denominator": {"eventName": "e", "unitAggregationType": "median"}},
        "denominator",
        {"event_name": "e", "unit_aggregation_type": "median"},
    ),
    (
        # Known names nested in a group come out snake_case; the unknown one as sent.
        {
            "filters": {
                "type": "group",
                "op": "and",
                "values": [
                    {
                        "type": "eventProperty",
                        "op": "in",
                        "values": [1],
                        "contextKind": "u",
                        "weight": 2,
                    }
                ],
            }
        },
        "filters",
        {
            "type": "group",
            "op": "and",
            "values": [
                {
                    "type": "eventProperty",
                    "op": "in",
                    "values": [1],
                    "context_kind": "u",
                    "weight": 2,
                }
            ],
        },
    ),
]


@pytest.mark.parametrize(("changes", "field", "carried"), NEWER, ids=[f for _, f, _ in NEWER])
def test_unknown_values_are_carried_into_inputs_and_outputs(
    changes: dict[str, Any], field: str, carried: Any
) -> None:
    rep = MetricRep.model_validate(live(**changes))
    spec = spec_from_rep(rep, "web")
    assert dict(spec.unrecognized) == {field: carried}
    assert inputs_from_rep(rep, "web")[field] == carried
    outputs = outputs_from_rep(rep, "web", site_base_url="https://app.launchdarkly.com")
    assert outputs[field] == carried
    assert outputs["version"] == 3 and outputs["key"] == "signup"
    # What is understood is kept alongside.
    assert spec.event_key == "signup" and spec.name == "Signup"


@pytest.mark.parametrize(
    ("changes", "field"), [(c, f) for c, f, _ in NEWER], ids=[f for _, f, _ in NEWER]
)
def test_unknown_values_show_in_the_diff_and_the_patch_restores_the_declaration(
    changes: dict[str, Any], field: str
) -> None:
    doc = live(**changes)
    old = read(doc)
    assert field in changed_fields(old, DECLARED)
    # Applied to what the server holds, the patch yields exactly the declared document.
    ops = patch_ops(old, DECLARED)
    patched = jsonpatch.apply_patch(copy.deepcopy(wire_document(old)), ops)
    # The server keeps what is not part of the wire document (`_id`, `_version`, ...).
    after = {**{k: v for k, v in doc.items() if k not in wire_document(old)}, **patched}
    assert read(after).unrecognized == {}
    assert changed_fields(read(after), DECLARED) == []


def test_the_wire_form_of_an_unknown_value_is_what_the_server_sent() -> None:
    filters = {
        "type": "contextAttribute",
        "attribute": "country",
        "op": "in",
        "values": ["JP"],
        "contextKind": "user",
        "negate": False,
        "caseSensitive": True,
    }
    spec = read(live(filters=filters, kind="funnel"))
    assert wire_document(spec)["filters"] == filters
    assert wire_document(spec)["kind"] == "funnel"
    assert patch_ops(spec, DECLARED) == [
        {"op": "remove", "path": "/filters/caseSensitive"},
        {"op": "replace", "path": "/kind", "value": "custom"},
    ]


def test_stored_state_with_unknown_values_parses_back() -> None:
    # What a refresh stored is read again by diff and update: it must parse, and compare equal
    # to itself (no perpetual diff against the same server value).
    stored = inputs_from_rep(
        MetricRep.model_validate(live(kind="funnel", unitAggregationType="x")), "web"
    )
    again = spec_from_inputs(stored)
    assert dict(again.unrecognized) == {"kind": "funnel", "unit_aggregation_type": "x"}
    assert changed_fields(again, spec_from_inputs(stored)) == []


def test_an_undeclared_server_chosen_field_stays_unmanaged_even_if_unknown() -> None:
    doc = live(dataSource={"key": "warehouse", "engine": "new-one"})
    rep = MetricRep.model_validate(doc)
    assert "data_source" not in inputs_from_rep(rep, "web")  # not declared, not managed
    assert outputs_from_rep(rep, "web", site_base_url="https://x")["data_source"] == {
        "key": "warehouse",
        "engine": "new-one",
    }
    assert all(op["path"] != "/dataSource" for op in patch_ops(read(doc), DECLARED))


def test_server_computed_fields_of_the_wrong_type_read_as_none() -> None:
    rep = MetricRep.model_validate(
        live(_version="four", _creationDate={"ms": 1}, _site=[1], _maintainer="someone")
    )
    assert (rep.version, rep.creation_date, rep.site, rep.maintainer) == (None, None, None, None)
    assert outputs_from_rep(rep, "web", site_base_url="https://x")["key"] == "signup"


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=10),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
# The key is the metric's identity (it is in the URL that was read), not a newer-API value.
wire_names = [MetricSpec.model_fields[name].alias or name for name in SPEC_FIELDS if name != "key"]


@settings(max_examples=300, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(wire_names), json_values, max_size=4))
def test_reading_never_raises_whatever_the_fields_hold(changes: dict[str, Any]) -> None:
    rep = MetricRep.model_validate(live(**changes))
    spec = spec_from_rep(rep, "web")
    outputs = outputs_from_rep(rep, "web", site_base_url="https://x")
    inputs = inputs_from_rep(rep, "web", managed={"maintainer_id"})
    assert outputs["key"] == "signup" and inputs["key"] == "signup"
    for field in spec.unrecognized:
        assert field in outputs
    # A refresh followed by diff and update: the stored values parse and patch.
    stored = spec_from_inputs(outputs)
    patch_ops(stored, DECLARED)
    changed_fields(stored, DECLARED)
