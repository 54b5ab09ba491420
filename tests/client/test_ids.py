"""Metric IDs: ``project/key``, exactly one slash."""

from __future__ import annotations

import pytest

from pulumi_ldmetrics.ids import format_metric_id, parse_metric_id


@pytest.mark.parametrize(
    ("metric_id", "parts"),
    [("default/signup", ("default", "signup")), ("p.1/k_2-x", ("p.1", "k_2-x"))],
)
def test_round_trip(metric_id: str, parts: tuple[str, str]) -> None:
    assert parse_metric_id(metric_id) == parts
    assert format_metric_id(*parts) == metric_id


@pytest.mark.parametrize("metric_id", ["", "signup", "/signup", "default/", "/", "a/b/c", "a//b"])
def test_parse_rejects(metric_id: str) -> None:
    with pytest.raises(ValueError, match="expected '<project key>/<metric key>'"):
        parse_metric_id(metric_id)


@pytest.mark.parametrize(("project", "key"), [("", "k"), ("p", ""), ("p/x", "k"), ("p", "k/x")])
def test_format_rejects(project: str, key: str) -> None:
    with pytest.raises(ValueError):
        format_metric_id(project, key)
