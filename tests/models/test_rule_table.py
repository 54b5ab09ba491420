"""docs/rules.md holds the rule table exactly as `ruleset.RULES` declares it."""

from __future__ import annotations

from pathlib import Path

from pulumi_ldmetrics.models.ruleset import RULES, Enforcement, render_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_docs_table_is_the_declaration() -> None:
    text = DOC.read_text(encoding="utf-8")
    begin = text.index("\n", text.index("<!-- rules:begin")) + 1
    end = text.index("<!-- rules:end -->")
    assert text[begin:end] == render_table()


def test_every_rule_has_a_source_and_a_unique_id() -> None:
    assert len({rule.id for rule in RULES}) == len(RULES)
    assert all(rule.source.strip() and rule.summary.strip() and rule.reads for rule in RULES)
    # Both kinds exist: the split is the point of the table.
    assert {rule.enforcement for rule in RULES} == set(Enforcement)
