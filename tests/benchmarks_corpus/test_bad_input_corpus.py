"""The bad-input corpus: every invalid spec is refused with its field message, every advisory
spec accepted with its warning.

Fast path, in process: `validate_spec`, the program's `check_declaration` and the provider's
`check` for the whole corpus. Through the real CLI against the emulator: `pulumi preview` of a
few invalid specs one per preview, then one preview of all invalid specs together (the program
reports each under its own resource) and one of all advisory specs (exit 0, each planned for
create with its warning); no API request in any of them. `benchmarks/bad_inputs.py` runs every
invalid spec through its own preview.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_ldmetrics import declarations
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.models import ADOPT_EXISTING, adopt_existing_violations, validate_spec
from pulumi_ldmetrics.models.rules import assess
from pulumi_ldmetrics.provider import MetricProvider
from tests.e2e.conftest import StackFactory
from tests.e2e.pulumi_runner import PulumiStack, write_project

from .corpus import (
    ADVISORY,
    CORPUS,
    PROGRAM,
    BadSpec,
    cases_json,
    cli_planned_creates,
    cli_problems,
    cli_warnings,
    warning_parts,
)

TOKEN = "api-corpus-0000-1111-2222-333333333333"
E2E_CASES = (
    "custom-no-event-key",
    "percentile-no-value",
    "winsor-inverted",
    "denominator-count-distinct-no-field",
    "kind-unknown",
    "key-trailing-newline",
    "filter-value-nan",
)
BY_ID = {case.id: case for case in CORPUS}


@pytest.fixture
def fresh_program(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean record of the program's declarations, so keys claimed here stay here."""
    monkeypatch.setattr(declarations, "_program", declarations._Program())


def test_corpus_size_and_unique_ids() -> None:
    # Benchmark 8's target; 23 cases moved to ADVISORY when their rules became warnings.
    assert len(CORPUS) >= 40
    assert len(ADVISORY) == 23
    assert len({c.id for c in CORPUS + ADVISORY}) == len(CORPUS) + len(ADVISORY)


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.id)
def test_validate_spec_rejects(case: BadSpec) -> None:
    # `adopt_existing` is a `Metric` input, not a metric field: checked on its own.
    fields = {k: v for k, v in case.spec.items() if k != ADOPT_EXISTING}
    _, violations = validate_spec(fields)
    violations += adopt_existing_violations(case.spec.get(ADOPT_EXISTING))
    assert any(case.matches(v.path, v.message) for v in violations), violations


@pytest.mark.usefixtures("fresh_program")
@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.id)
def test_program_rejects(case: BadSpec) -> None:
    checked = declarations.check_declaration(case.id, case.spec)
    assert any(case.matches(e.path, e.message) for e in checked.errors), checked.errors


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.id)
def test_provider_check_rejects(case: BadSpec) -> None:
    news = {**case.spec, "__provider": "ignored"}
    result = MetricProvider().check({}, news)
    failures = [(f.property, f.reason) for f in result.failures]
    assert any(case.matches(field, message) for field, message in failures), failures


@pytest.mark.parametrize("case", ADVISORY, ids=lambda c: c.id)
def test_advisory_cases_warn_and_are_not_refused_for_it(case: BadSpec) -> None:
    found = assess(case.spec)
    assert any(case.matches(w.path, w.message) for w in found.warnings), found.warnings
    assert not any(case.matches(e.path, e.message) for e in found.errors), found.errors


@pytest.mark.usefixtures("fresh_program")
@pytest.mark.parametrize("case", ADVISORY, ids=lambda c: c.id)
def test_advisory_cases_are_accepted(case: BadSpec) -> None:
    # Accepted as a whole, not only "not refused for the advisory rule": the spec is valid.
    checked = declarations.check_declaration(case.id, case.spec)
    assert checked.errors == []
    warned = [warning_parts(w) for w in checked.warnings]
    assert any(p is not None and case.matches(*p) for p in warned), checked.warnings
    result = MetricProvider().check({}, {**case.spec, "__provider": "ignored"})
    assert result.failures == []


def _corpus_stack(pulumi_stack: StackFactory, tmp_path: Path, server_url: str) -> PulumiStack:
    workdir = write_project(tmp_path / "proj", "ldm-corpus", PROGRAM)
    stack = pulumi_stack(workdir, "dev")
    stack.stack_init()
    stack.config_set("ldmetrics:accessToken", TOKEN, secret=True)
    stack.config_set("ldmetrics:apiHost", server_url)
    return stack


@pytest.mark.e2e
def test_preview_rejects_with_field_messages_and_no_api_calls(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    emulator = Emulator(token=TOKEN)
    with EmulatorServer(emulator) as server:
        stack = _corpus_stack(pulumi_stack, tmp_path, server.url)
        cases_file = stack.workdir / "cases.json"
        # One spec per preview: each fails the preview on its own.
        for case_id in E2E_CASES:
            case = BY_ID[case_id]
            cases_file.write_text(cases_json([case]))
            proc = stack.preview(check=False)
            assert proc.returncode != 0, proc.stdout
            found = cli_problems(proc.stdout).get(case.id, set())
            assert any(case.matches(f, m) for f, m in found), proc.stdout
            assert TOKEN not in proc.stdout + proc.stderr
        # Every invalid spec in one program: the program reports each under its resource.
        cases_file.write_text(cases_json(CORPUS))
        proc = stack.preview(check=False)
        assert proc.returncode != 0, proc.stdout
        problems = cli_problems(proc.stdout)
        missed = [
            (c.id, sorted(problems.get(c.id, set())))
            for c in CORPUS
            if not any(c.matches(f, m) for f, m in problems.get(c.id, set()))
        ]
        assert missed == [], proc.stdout
        assert cli_planned_creates(proc.stdout) == set()
        assert TOKEN not in proc.stdout + proc.stderr
        assert emulator.request_log() == []
    emulator.close()


@pytest.mark.e2e
def test_preview_accepts_advisory_specs_with_their_warnings_and_no_api_calls(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    emulator = Emulator(token=TOKEN)
    with EmulatorServer(emulator) as server:
        stack = _corpus_stack(pulumi_stack, tmp_path, server.url)
        (stack.workdir / "cases.json").write_text(cases_json(ADVISORY))
        proc = stack.preview(check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert cli_problems(proc.stdout) == {}
        assert cli_planned_creates(proc.stdout) == {c.id for c in ADVISORY}
        warnings = cli_warnings(proc.stdout)
        missed = [
            (c.id, sorted(warnings.get(c.id, set())))
            for c in ADVISORY
            if not any(c.matches(f, m) for f, m in warnings.get(c.id, set()))
        ]
        assert missed == [], proc.stdout
        assert emulator.request_log() == []
    emulator.close()
