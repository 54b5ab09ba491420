"""The two pure pieces behind trust at the edges: the secret scrub and the write re-plan."""

from __future__ import annotations

import copy
import logging
import string
from typing import Any

import jsonpatch
import pytest
from hypothesis import given, settings, strategies as st

from pulumi_ldmetrics import _redact
from pulumi_ldmetrics._replan import differing_fields, holds, unapplied_ops
from pulumi_ldmetrics.models import json_diff

SECRET = "api-3b9d2f71-c4e8-4a06-9f15-7e2c0d8a6b43"


@pytest.fixture(autouse=True)
def registered() -> None:
    _redact.register(SECRET)


# Text that cannot contain a fragment by accident: no hex digits, no '-'.
plain = st.text(alphabet=string.ascii_letters.replace("a", "").replace("b", "")[:30] + " .:/")


@settings(max_examples=200, deadline=None)
@given(
    before=plain,
    after=plain,
    start=st.integers(0, len(SECRET) - _redact.MIN_FRAGMENT),
    length=st.integers(_redact.MIN_FRAGMENT, len(SECRET)),
)
def test_every_fragment_of_six_or_more_is_removed(
    before: str, after: str, start: int, length: int
) -> None:
    fragment = SECRET[start : start + length]
    scrubbed = _redact.scrub(before + fragment + after)
    for i in range(len(SECRET) - _redact.MIN_FRAGMENT + 1):
        assert SECRET[i : i + _redact.MIN_FRAGMENT] not in scrubbed
    assert _redact.REDACTED in scrubbed


@settings(max_examples=200, deadline=None)
@given(text=plain)
def test_text_without_a_fragment_is_left_alone(text: str) -> None:
    assert _redact.scrub(text) == text


def test_a_short_secret_is_removed_as_a_word_only() -> None:
    _redact.register("k3y9")
    assert _redact.scrub("token k3y9 rejected") == "token [redacted] rejected"
    assert _redact.scrub("xk3y9z") == "xk3y9z"


def test_the_logging_filter_scrubs_arguments_and_exceptions() -> None:
    record = logging.LogRecord(
        "pulumi_ldmetrics.x", logging.INFO, __file__, 1, "got %s", (SECRET,), None
    )
    try:
        raise ValueError(f"bad {SECRET}")
    except ValueError as err:
        record.exc_info = (type(err), err, err.__traceback__)
    assert _redact.RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert SECRET[:10] not in text and SECRET[-10:] not in text and "[redacted]" in text


# --- re-planning a write after an ambiguous attempt -----------------------------------------

# No nulls: the provider's wire documents leave out what is unset (and the server's null for
# a removed field counts as removed).
json_scalars = st.one_of(
    st.booleans(), st.integers(-5, 5), st.text(string.ascii_lowercase, max_size=3)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(string.ascii_lowercase, min_size=1, max_size=3), inner, max_size=3
        )
    ),
    max_leaves=8,
)
documents = st.dictionaries(
    st.sampled_from(["name", "description", "tags", "unit", "eventDefault", "urls"]),
    json_values,
    max_size=6,
)


def _ops_between(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Object-member add/replace/remove only: the provider's own diff."""
    return json_diff(old, new)


@settings(max_examples=300, deadline=None)
@given(old=documents, new=documents)
def test_after_the_patch_was_applied_nothing_is_left_to_send(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    ops = _ops_between(old, new)
    applied = jsonpatch.apply_patch(copy.deepcopy(old), ops)
    assert unapplied_ops(applied, ops) == []


@settings(max_examples=300, deadline=None)
@given(old=documents, new=documents)
def test_before_the_patch_was_applied_what_is_left_gets_there(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    ops = _ops_between(old, new)
    pending = unapplied_ops(old, ops)
    assert jsonpatch.apply_patch(copy.deepcopy(old), pending) == jsonpatch.apply_patch(
        copy.deepcopy(old), ops
    )


def test_holds_lets_the_server_add_but_not_change() -> None:
    sent = {"name": "A", "eventDefault": {"value": 0}, "tags": ["x"], "isNumeric": False}
    live = {**sent, "eventDefault": {"value": 0, "disabled": False}, "_version": 2}
    assert holds(live, sent) and differing_fields(live, sent) == []
    assert differing_fields({**live, "isNumeric": 0}, sent) == ["isNumeric"]  # 0 is not false
    assert differing_fields({**live, "tags": ["x", "y"]}, sent) == ["tags"]
    assert differing_fields({k: v for k, v in live.items() if k != "name"}, sent) == ["name"]
