"""Import of a project holding a metric that breaks each advisory rule (issue 10).

The emulator stores them (advice is not LaunchDarkly's rule), `ldmetrics import` declares every
one as held, with a comment naming the advice, and each declaration round-trips: the provider's
`check` accepts it and its answer normalizes to exactly the live metric, so `pulumi preview`
has nothing to change (tests/e2e/test_import_no_drift.py runs that preview with the real CLI).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.emulator import EmulatorServer
from pulumi_ldmetrics.from_file import load_metric_entries
from pulumi_ldmetrics.models import MetricRep, changed_fields, spec_from_inputs, spec_from_rep
from pulumi_ldmetrics.models.rules import assess
from pulumi_ldmetrics.models.ruleset import RULES, Enforcement
from pulumi_ldmetrics.provider import MetricProvider

from .conftest import PROJECT, TOKEN, exec_declarations, run_cli

CUSTOM = {"kind": "custom", "eventKey": "e"}
PAGEVIEW = {"kind": "pageview", "urls": [{"kind": "substring", "substring": "/a"}]}

ADVICE_BREAKERS: dict[str, dict[str, Any]] = {
    "url-matcher-value": {"kind": "pageview", "urls": [{"kind": "regex"}]},
    "url-matcher-single-field": {
        "kind": "pageview",
        "urls": [{"kind": "exact", "url": "https://x/", "pattern": "^/x"}],
    },
    "url-regex": {"kind": "pageview", "urls": [{"kind": "regex", "pattern": "("}]},
    "kind-unused-fields": {**CUSTOM, "selector": ".buy"},
    "page-kinds-not-numeric": {**PAGEVIEW, "isNumeric": True, "unit": "ms"},
    "mean-without-percentile": {**CUSTOM, "percentileValue": 50},
    "percentile-excludes-empty-units": {
        **CUSTOM,
        "isNumeric": True,
        "unit": "ms",
        "analysisType": "percentile",
        "percentileValue": 95,
        "eventDefault": {"disabled": False, "value": 0},
    },
    "name-not-blank": {**CUSTOM, "name": " "},
    "tags-not-empty": {**CUSTOM, "tags": ["ok", ""]},
    "window-order": {**CUSTOM, "windowStartOffset": -5},
}
"""One metric per advisory rule, as a client may have created it (wire JSON)."""


def seed_advice_breakers(server: EmulatorServer, project: str = PROJECT) -> None:
    """POST one metric per advisory rule (key = rule id); the emulator must store each."""
    with httpx.Client(base_url=server.url, headers={"Authorization": TOKEN}) as http:
        for rule_id, body in ADVICE_BREAKERS.items():
            sent = {"key": rule_id, "name": rule_id, **body}
            reply = http.post(f"/api/v2/metrics/{project}", json=sent)
            assert reply.status_code == 201, reply.text
    server.emulator.clear_log()


def test_the_corpus_breaks_every_advisory_rule_and_only_its_own() -> None:
    advisory = {r.id for r in RULES if r.enforcement is Enforcement.ADVISORY}
    assert set(ADVICE_BREAKERS) == advisory
    for rule_id, body in ADVICE_BREAKERS.items():
        found = assess({"project_key": PROJECT, "key": rule_id, "name": rule_id, **body})
        assert found.errors == [], (rule_id, found.errors)
        assert rule_id in {w.rule for w in found.warnings}, (rule_id, found.warnings)


@pytest.mark.parametrize("fmt", ["python", "yaml"])
def test_every_metric_is_declared_and_round_trips(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    seed_advice_breakers(server)
    out = tmp_path / ("declared.py" if fmt == "python" else "declared.yaml")
    args = ["import", "--project", PROJECT, "--api-host", server.url, "--out", str(out)]
    result = run_cli([*args, "--format", fmt])
    assert result.code == 0, result.stderr
    assert "skipped" not in result.stderr
    text = out.read_text()
    if fmt == "python":
        declared = {kw["key"]: kw for kw in exec_declarations(text, monkeypatch).values()}
    else:
        declared = {e["key"]: e for e in load_metric_entries(out)}
    assert set(declared) == set(ADVICE_BREAKERS)

    with httpx.Client(base_url=server.url, headers={"Authorization": TOKEN}) as http:
        listed = http.get(f"/api/v2/metrics/{PROJECT}", params={"limit": 50}).json()["items"]
    # The comments name the advice each metric breaks (they wrap; join them first).
    comments = " ".join(
        line.strip().removeprefix("#").strip()
        for line in text.splitlines()
        if line.lstrip().startswith("#")
    )
    named = {
        rule
        for found in re.findall(r"Breaks advice \(([^;]*);", comments)
        for rule in found.split(", ")
    }
    assert named == set(ADVICE_BREAKERS)
    provider = MetricProvider()
    for raw in listed:
        key = raw["key"]
        checked = provider.check({}, {**declared[key], "__provider": "x"})
        assert checked.failures == [], (key, checked.failures)
        live = spec_from_rep(MetricRep.model_validate(raw), PROJECT)
        assert changed_fields(live, spec_from_inputs(checked.inputs)) == [], key
