"""The client's preview-time rules and the emulator's (our stand-in for the API) agree: what
`validate_group` accepts, the emulator accepts (strict about standard step names too), and
what it refuses for a rule the API also has, the emulator refuses. So an `up` never meets a
400 that the preview could have reported, unknown metric keys aside (only the API knows them)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings, strategies as st

from pulumi_ldmetrics.emulator import Emulator
from pulumi_ldmetrics.models.group_convert import group_post_body
from pulumi_ldmetrics.models.group_rules import validate_group

TOKEN = "api-parity"
HEADERS = {"authorization": TOKEN, "ld-api-version": "beta", "content-type": "application/json"}
KNOWN = ["cart", "paid", "shipped"]
MEMBER = "569fdeadbeef1644facecafe"

step_names = st.one_of(st.none(), st.just(""), st.just(" "), st.sampled_from(["Cart", "Paid"]))
entries = st.fixed_dictionaries(
    {"key": st.sampled_from([*KNOWN, "bad key"])}, optional={"name_in_group": step_names}
)
groups = st.fixed_dictionaries(
    {
        "project_key": st.just("web"),
        "key": st.sampled_from(["g", "g.2", "-bad"]),
        "name": st.sampled_from(["Group", "", "  "]),
        "kind": st.sampled_from(["funnel", "standard"]),
        "metrics": st.lists(entries, max_size=4),
    },
    optional={
        "description": st.sampled_from(["", "why"]),
        "maintainer_id": st.sampled_from([MEMBER, "nope"]),
    },
)


def _emulator() -> Emulator:
    emulator = Emulator(token=TOKEN, strict_standard_names=True)
    for key in KNOWN:
        body = json.dumps({"key": key, "name": key, "kind": "custom", "eventKey": key}).encode()
        assert emulator.handle("POST", "/api/v2/metrics/web", "", HEADERS, body).status == 201
    return emulator


def _wire(data: dict[str, Any]) -> dict[str, Any]:
    """The body a client would send for raw inputs, valid or not (what the API would judge)."""
    return {
        "key": data["key"],
        "name": data["name"],
        "kind": data["kind"],
        "maintainerId": data.get("maintainer_id", MEMBER),  # the provider always fills one in
        "tags": [],
        "metrics": [
            {"key": m["key"], "nameInGroup": m.get("name_in_group") or ""} for m in data["metrics"]
        ],
        **({"description": data["description"]} if data.get("description") else {}),
    }


@settings(max_examples=300, deadline=None)
@given(groups)
def test_preview_verdict_matches_the_emulator(data: dict[str, Any]) -> None:
    emulator = _emulator()
    try:
        spec, violations = validate_group(data)
        body = group_post_body(spec) if spec is not None else _wire(data)
        body.setdefault("maintainerId", MEMBER)
        answer = emulator.handle(
            "POST", "/api/v2/projects/web/metric-groups", "", HEADERS, json.dumps(body).encode()
        )
        if spec is not None:
            assert answer.status == 201, (data, answer.body)
        else:
            assert violations
            assert answer.status == 400, (data, [str(v) for v in violations])
    finally:
        emulator.close()
