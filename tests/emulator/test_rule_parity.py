"""One corpus through the client's checks and the emulator: they must agree on every body.

The client (`models.rules.assess`, what `pulumi preview` runs) and the emulator (a real POST
over a socket) both take their cross-field rules from `models/ruleset.py`, but each has its own
type layer (pydantic models vs the emulator's JSON checks) and its own plumbing (unknown
fields, placeholders, the order defaults are applied in). This test fails on any body that one
refuses and the other accepts, or that both refuse for different fields.

The corpus is wire-shaped (camelCase, what a client sends), every body complete for the client
(a `name`, a filter's `negate`): the client's own strictness about unknown argument names and
its size limits are not LaunchDarkly rules and stay out of it.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from typing import Any

import httpx
from pydantic.alias_generators import to_snake

from pulumi_ldmetrics.models.limits import KEY_RULE
from pulumi_ldmetrics.models.rules import assess
from pulumi_ldmetrics.models.ruleset import RULES, Enforcement

from .helpers import METRICS, PROJECT

BASES: dict[str, dict[str, Any]] = {
    "custom": {"name": "C", "kind": "custom", "eventKey": "signup"},
    "numeric": {"name": "N", "kind": "custom", "eventKey": "t", "isNumeric": True, "unit": "ms"},
    "pageview": {
        "name": "P",
        "kind": "pageview",
        "urls": [{"kind": "substring", "substring": "/a"}],
    },
    "click": {
        "name": "K",
        "kind": "click",
        "selector": ".buy",
        "urls": [{"kind": "exact", "url": "https://example.com/"}],
    },
    "trace": {
        "name": "T",
        "kind": "trace",
        "traceQuery": "service.name = x",
        "traceValueLocation": "duration",
        "isNumeric": True,
        "unit": "ms",
    },
    "trace-conversion": {"name": "TC", "kind": "trace", "traceQuery": "q"},
}

# What each mutation changes; None removes the field. Each breaks (or satisfies) one rule.
MUTATIONS: dict[str, dict[str, Any]] = {
    "none": {},
    "key-dash": {"key": "-bad"},
    "key-newline": {"key": "k\n"},
    "key-space": {"key": "has space"},
    "maintainer-short": {"maintainerId": "abc"},
    "maintainer-ok": {"maintainerId": "569fdeadbeef1644facecafe"},
    "no-selector": {"selector": None},
    "empty-selector": {"selector": ""},
    "no-urls": {"urls": None},
    "empty-urls": {"urls": []},
    "no-event-key": {"eventKey": None},
    "empty-event-key": {"eventKey": ""},
    "no-trace-query": {"traceQuery": None},
    "no-value-location": {"traceValueLocation": None},
    "numeric-no-unit": {"isNumeric": True, "unit": None},
    "numeric-empty-unit": {"isNumeric": True, "unit": ""},
    "percentile-no-value": {"analysisType": "percentile"},
    "percentile-95": {"analysisType": "percentile", "percentileValue": 95},
    "percentile-100": {"analysisType": "percentile", "percentileValue": 100},
    "percentile-0": {"analysisType": "percentile", "percentileValue": 0},
    "percentile-with-empty-units": {
        "analysisType": "percentile",
        "percentileValue": 50,
        "eventDefault": {"disabled": False, "value": 0},
    },
    "mean-with-percentile": {"percentileValue": 50},
    "event-default-3": {"eventDefault": {"disabled": False, "value": 3}},
    "count-distinct-no-field": {"unitAggregationType": "count_distinct"},
    "count-distinct-field": {"unitAggregationType": "count_distinct", "unitAggregationField": "u"},
    "denominator-count-distinct": {
        "denominator": {"eventName": "e", "unitAggregationType": "count_distinct"}
    },
    "denominator-winsor-0": {"denominator": {"eventName": "e", "winsorLowerPercentile": 0}},
    "denominator-window-negative": {"denominator": {"eventName": "e", "windowEndOffset": -1}},
    "winsor-0": {"winsorLowerPercentile": 0},
    "winsor-100": {"winsorUpperPercentile": 100},
    "winsor-inverted": {"winsorLowerPercentile": 60, "winsorUpperPercentile": 40},
    "winsor-ok": {"winsorLowerPercentile": 1, "winsorUpperPercentile": 99.5},
    "window-negative": {"windowStartOffset": -5},
    "window-inverted": {"windowStartOffset": 10, "windowEndOffset": 5},
    "unit-on-page-kinds": {"unit": "ms"},
    "success-criteria": {"successCriteria": "LowerThanBaseline"},
    "urls-on-custom": {"urls": [{"kind": "exact", "url": "https://x/"}]},
    "selector-anywhere": {"selector": ".x"},
    "trace-query-anywhere": {"traceQuery": "q"},
    "event-key-anywhere": {"eventKey": "e"},
    "numeric-with-unit": {"isNumeric": True, "unit": "ms"},
    "url-regex-no-pattern": {"urls": [{"kind": "regex"}]},
    "url-regex-bad": {"urls": [{"kind": "regex", "pattern": "("}]},
    "url-exact-extra": {"urls": [{"kind": "exact", "url": "u", "pattern": "p"}]},
    "url-tf-empties": {"urls": [{"kind": "exact", "url": "u", "substring": "", "pattern": ""}]},
    "blank-name": {"name": " "},
    "empty-tag": {"tags": ["ok", ""]},
    "type-numeric": {"isNumeric": "yes"},
    "type-percentile": {"analysisType": "percentile", "percentileValue": "p95"},
    "type-kind": {"kind": "funnel"},
    "type-url-kind": {"urls": [{"kind": "glob", "url": "u"}]},
    "type-filter": {"filters": {"type": "eventProperty", "op": "in", "negate": False}},
    "type-denominator": {"denominator": {"isNumeric": True}},
    "type-success": {"successCriteria": "Up"},
}


def corpus() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every base with every mutation, then 300 seeded bodies of 2-3 mutations each."""
    names = list(MUTATIONS)
    combos: list[tuple[str, ...]] = [(name,) for name in names]
    rng = random.Random(10)
    combos += [tuple(rng.sample(names, rng.choice((2, 3)))) for _ in range(300)]
    for i, (base, combo) in enumerate(itertools.product(BASES, combos)):
        body: dict[str, Any] = {"key": f"m{i}", **BASES[base]}
        for name in combo:
            body.update(MUTATIONS[name])
        yield f"{base}+{'+'.join(combo)}", {k: v for k, v in body.items() if v is not None}


def client_errors(body: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """(error paths, enforced rule ids, advisory rule ids) as `pulumi preview` would find."""
    found = assess({"project_key": PROJECT, **body})
    # The key's shape is also the client's `Key` type, which refuses it first (same pattern,
    # same message, `limits.KEY_RULE`); count that as the rule.
    by_type = {"key-format" for e in found.errors if e.path == "key" and e.message == KEY_RULE}
    return (
        {e.path for e in found.errors},
        {e.rule for e in found.errors if e.rule} | by_type,
        {w.rule for w in found.warnings if w.rule},
    )


_INDEX = re.compile(r"\[(\d+)\]")


def emulator_errors(client: httpx.Client, body: dict[str, Any]) -> set[str]:
    """The fields the emulator refuses `body` for (empty when it stores it), snake_case."""
    response = client.post(METRICS, json=body)
    if response.status_code == 201:
        return set()
    assert response.status_code == 400, response.text
    paths = set()
    for problem in response.json()["message"].split("; "):
        wire = _INDEX.sub(r".\1", problem.split(": ", 1)[0])
        paths.add(".".join(to_snake(part) for part in wire.split(".")))
    return paths


def test_client_and_emulator_agree_on_every_body(client: httpx.Client) -> None:
    disagreements: list[str] = []
    enforced_seen: set[str] = set()
    advisory_seen: set[str] = set()
    count = 0
    for case, body in corpus():
        count += 1
        paths, enforced, advisory = client_errors(body)
        enforced_seen |= enforced
        advisory_seen |= advisory
        served = emulator_errors(client, body)
        if paths != served:
            disagreements.append(f"{case}: client {sorted(paths)}, emulator {sorted(served)}")
    assert disagreements == [], "\n".join(disagreements[:20])
    # Not vacuous: the corpus breaks every rule of the table, and is of a useful size.
    assert count > 1500
    assert enforced_seen == {r.id for r in RULES if r.enforcement is Enforcement.ENFORCED}
    assert advisory_seen == {r.id for r in RULES if r.enforcement is Enforcement.ADVISORY}
