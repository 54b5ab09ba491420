"""Program-side checks of a `Metric` declaration (pulumi_ldmetrics/declarations.py), and the
messages for misspelt names. The whole flow through the CLI is in tests/e2e/test_preview_ux.py."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_ldmetrics import Metric
from pulumi_ldmetrics.declarations import check_declaration
from pulumi_ldmetrics.models.rules import assess


def custom(key: str, **changes: Any) -> dict[str, Any]:
    metric = {"project_key": "web", "key": key, "name": key, "kind": "custom", "event_key": key}
    return {k: v for k, v in {**metric, **changes}.items() if v is not None}


def test_errors_and_warnings_are_separated() -> None:
    checked = check_declaration(
        "p", custom("p", analysis_type="percentile", event_default={"disabled": False})
    )
    assert [str(e) for e in checked.errors] == [
        "percentile_value: percentile_value is required when analysis_type is percentile"
    ]
    assert [w.split(" (advice")[0] for w in checked.warnings] == [
        "event_default.disabled: percentile metrics cannot include units without events "
        "(disabled must be true)"
    ]


def test_a_key_declared_twice_names_the_first_resource() -> None:
    assert check_declaration("first", custom("dup-key")).errors == []
    assert check_declaration("first", custom("dup-key")).errors == []  # the same resource again
    second = check_declaration("second", custom("dup-key"))
    assert [str(e) for e in second.errors] == [
        "key: web/dup-key is also declared by Metric 'first', and one LaunchDarkly metric can be "
        "managed by one resource only (remove one, or change its key)"
    ]
    # Another project is another metric.
    assert check_declaration("third", custom("dup-key", project_key="app")).errors == []


class _Pending:
    """An awaitable, as a Pulumi Input may be: its value is not known in the program."""

    def __await__(self) -> Any:
        yield


def test_values_not_known_yet_are_not_checked_or_claimed() -> None:
    pending = _Pending()
    no_event_key = {**custom("k", event_key=None), "key": pending}
    assert [str(e) for e in check_declaration("a", no_event_key).errors] == [
        "event_key: custom metrics require 'event_key' to be set"
    ]
    assert check_declaration("b", {**custom("k2"), "event_key": pending}).errors == []


def test_unknown_argument_suggests_the_closest_name() -> None:
    with pytest.raises(
        TypeError, match=r"unknown argument 'evnet_key' \(did you mean 'event_key'\?\)"
    ):
        Metric("x", **custom("x", evnet_key="e"))


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        (
            {"kind": "pageview", "urls": [{"kind": "substring", "substr": "/a"}]},
            "urls.0.substr",
            "is not a URL matcher field (did you mean 'substring'?)",
        ),
        (
            {"event_default": {"disabeld": True}},
            "event_default.disabeld",
            "is not an event_default field (did you mean 'disabled'?)",
        ),
        (
            {"denominator": {"event_name": "e", "value_colum": "v"}},
            "denominator.value_colum",
            "is not a denominator field (did you mean 'value_column'?)",
        ),
        ({"evnet_key": "e"}, "evnet_key", "is not a metric field (did you mean 'event_key'?)"),
        ({"zzz": 1}, "zzz", "is not a metric field"),
    ],
    ids=["url-matcher", "event-default", "denominator", "top-level", "nothing-close"],
)
def test_a_nested_typo_names_its_object_and_the_closest_field(
    changes: dict[str, Any], path: str, message: str
) -> None:
    errors = assess(custom("k", **changes)).errors
    assert [(e.path, e.message) for e in errors] == [(path, message)]
