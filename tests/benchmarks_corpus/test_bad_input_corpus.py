"""The bad-input corpus: every invalid spec is rejected by `check` with its field message.

Fast path: `validate_spec` and the provider's `check` for the whole corpus. One e2e test runs
`pulumi preview` on a few of them against the emulator and asserts the messages and that no
API request was made. `benchmarks/bad_inputs.py` runs the whole corpus through the CLI.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.models import validate_spec
from pulumi_ldmetrics.models.rules import assess
from pulumi_ldmetrics.provider import MetricProvider
from tests.e2e.conftest import StackFactory
from tests.e2e.pulumi_runner import write_project

from .corpus import ADVISORY, CORPUS, BadSpec

TOKEN = "api-corpus-0000-1111-2222-333333333333"
E2E_CASES = (
    "custom-no-event-key",
    "percentile-no-value",
    "winsor-inverted",
    "denominator-count-distinct-no-field",
    "kind-unknown",
)
PROGRAM = textwrap.dedent(
    """
    import json
    import pathlib

    from pulumi_ldmetrics import Metric

    for case in json.loads(pathlib.Path("cases.json").read_text()):
        Metric(case["id"], **case["spec"])
    """
)
PROBLEM = re.compile(r"resource '([^']+)': property (\S+) value .*? has a problem: (.*)$", re.M)
BY_ID = {case.id: case for case in CORPUS}


def test_corpus_size_and_unique_ids() -> None:
    # 23 cases moved to ADVISORY when their rules became warnings (issue 10).
    assert len(CORPUS) >= 30
    assert len(CORPUS) + len(ADVISORY) >= 55
    assert len({c.id for c in CORPUS + ADVISORY}) == len(CORPUS) + len(ADVISORY)


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.id)
def test_validate_spec_rejects(case: BadSpec) -> None:
    _, violations = validate_spec(case.spec)
    assert any(case.matches(v.path, v.message) for v in violations), violations


@pytest.mark.parametrize("case", ADVISORY, ids=lambda c: c.id)
def test_advisory_cases_warn_and_are_not_refused_for_it(case: BadSpec) -> None:
    found = assess(case.spec)
    assert any(case.matches(w.path, w.message) for w in found.warnings), found.warnings
    assert not any(case.matches(e.path, e.message) for e in found.errors), found.errors


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.id)
def test_provider_check_rejects(case: BadSpec) -> None:
    news = {**case.spec, "__provider": "ignored"}
    result = MetricProvider().check({}, news)
    failures = [(f.property, f.reason) for f in result.failures]
    assert any(case.matches(field, message) for field, message in failures), failures


@pytest.mark.e2e
def test_preview_rejects_with_field_messages_and_no_api_calls(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    emulator = Emulator(token=TOKEN)
    with EmulatorServer(emulator) as server:
        workdir = write_project(tmp_path / "proj", "ldm-corpus", PROGRAM)
        stack = pulumi_stack(workdir, "dev")
        stack.stack_init()
        stack.config_set("ldmetrics:accessToken", TOKEN, secret=True)
        stack.config_set("ldmetrics:apiHost", server.url)
        # The engine stops a preview at the first failed Check, so one spec per preview.
        for case_id in E2E_CASES:
            case = BY_ID[case_id]
            (workdir / "cases.json").write_text(json.dumps([{"id": case.id, "spec": case.spec}]))
            proc = stack.preview(check=False)
            assert proc.returncode != 0, proc.stdout
            found = [(f, m.strip()) for rid, f, m in PROBLEM.findall(proc.stdout) if rid == case.id]
            assert any(case.matches(f, m) for f, m in found), proc.stdout
            assert TOKEN not in proc.stdout + proc.stderr
        assert emulator.request_log() == []
    emulator.close()
