"""Hypothesis strategies for valid metric specs (shared by model, provider and import tests)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

keys = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,20}", fullmatch=True)
words = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=20
).filter(lambda s: s.strip() != "")
tags = st.lists(st.from_regex(r"[a-z0-9_.-]{1,10}", fullmatch=True), max_size=4)
units = st.lists(
    st.sampled_from(["user", "org", "device", "request"]), min_size=1, max_size=3, unique=True
)
url_matchers = st.one_of(
    st.builds(lambda u: {"kind": "exact", "url": f"https://example.com/{u}"}, keys),
    st.builds(lambda u: {"kind": "canonical", "url": f"https://example.com/{u}"}, keys),
    st.builds(lambda u: {"kind": "substring", "substring": u}, keys),
    st.builds(lambda u: {"kind": "regex", "pattern": f"^/{u}$"}, keys),
)
leaf_filters = st.builds(
    lambda attr, values, negate: {
        "type": "contextAttribute",
        "attribute": attr,
        "op": "in",
        "values": values,
        "context_kind": "user",
        "negate": negate,
    },
    keys,
    st.lists(keys, min_size=1, max_size=3),
    st.booleans(),
)
filters = st.one_of(
    leaf_filters,
    st.builds(
        lambda children: {"type": "group", "op": "and", "values": children, "negate": False},
        st.lists(leaf_filters, min_size=1, max_size=2),
    ),
)


@st.composite
def metric_specs(draw: st.DrawFn, project_key: str = "proj") -> dict[str, Any]:
    """A valid spec as snake_case inputs, with optional field groups drawn at random."""
    kind = draw(st.sampled_from(["custom", "pageview", "click", "trace"]))
    spec: dict[str, Any] = {
        "project_key": project_key,
        "key": draw(keys),
        "name": draw(words),
        "kind": kind,
    }
    if draw(st.booleans()):
        spec["description"] = draw(words)
    if draw(st.booleans()):
        spec["tags"] = draw(tags)
    if kind in ("pageview", "click"):
        spec["urls"] = draw(st.lists(url_matchers, min_size=1, max_size=3))
        if kind == "click":
            spec["selector"] = draw(st.sampled_from([".buy", "#signup", "button.primary"]))
    else:
        if kind == "custom":
            spec["event_key"] = draw(words)
        else:
            spec["trace_query"] = draw(words)
            spec["trace_value_location"] = draw(st.sampled_from(["duration", "attributes.size"]))
        if draw(st.booleans()):
            spec["is_numeric"] = True
            spec["unit"] = draw(st.sampled_from(["ms", "USD", "items"]))
            if draw(st.booleans()):
                spec["success_criteria"] = draw(
                    st.sampled_from(["HigherThanBaseline", "LowerThanBaseline"])
                )
            if draw(st.booleans()):
                spec["analysis_type"] = "percentile"
                spec["percentile_value"] = draw(st.integers(1, 99))
        if draw(st.booleans()):
            spec["unit_aggregation_type"] = draw(
                st.sampled_from(["average", "sum", "count_distinct"])
            )
            if spec["unit_aggregation_type"] == "count_distinct":
                spec["unit_aggregation_field"] = draw(keys)
    if draw(st.booleans()):
        spec["analysis_units"] = draw(units)
    if draw(st.booleans()):
        spec["filters"] = draw(filters)
    if draw(st.booleans()):
        low = draw(st.integers(1, 49))
        spec["winsor_lower_percentile"] = float(low)
        spec["winsor_upper_percentile"] = float(draw(st.integers(low + 1, 99)))
        spec["winsor_include_imputed"] = draw(st.booleans())
    if draw(st.booleans()):
        spec["maintainer_id"] = draw(st.from_regex(r"[0-9a-f]{24}", fullmatch=True))
    return spec
