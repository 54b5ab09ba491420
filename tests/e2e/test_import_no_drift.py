"""`ldmetrics import` in a Pulumi project, its printed steps, then a preview that shows nothing
(issue 11 item 10; issue 10's import of metrics that break advice), with the real CLI.

The project's stack already points at the emulator (`ldmetrics:apiHost`, a secret
`ldmetrics:accessToken`); the import is run with neither a flag nor a `LAUNCHDARKLY_*` variable,
so it can only succeed by reading that stack's config. The project holds ordinary metrics and
one metric per advisory rule. After the printed steps, `pulumi preview --expect-no-changes
--diff` must pass with every metric unchanged and no `protect` change (`pulumi import` protects
what it imports unless told not to), and LaunchDarkly receives no write.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.cli import Seams, run
from pulumi_ldmetrics.emulator import EmulatorServer
from tests.importer.test_advice_import import ADVICE_BREAKERS

from .conftest import StackFactory
from .ldm import TOKEN, emulator_server, init_stack, summary, summary_count, writes
from .pulumi_runner import PulumiStack, printed_steps, write_project

pytestmark = pytest.mark.e2e

PROJECT = "shop"
ORDINARY: dict[str, dict[str, Any]] = {
    "signup": {"kind": "custom", "eventKey": "signed-up"},
    "latency": {
        "kind": "custom",
        "eventKey": "request",
        "isNumeric": True,
        "unit": "ms",
        "successCriteria": "LowerThanBaseline",
    },
    "home": {"kind": "pageview", "urls": [{"kind": "substring", "substring": "/home"}]},
}


FUNNEL = {
    "key": "signup-funnel",
    "name": "Signup funnel",
    "kind": "funnel",
    "maintainerId": "569fdeadbeef1644facecafe",
    "tags": [],
    "metrics": [
        {"key": "home", "nameInGroup": "Visited"},
        {"key": "signup", "nameInGroup": "Signed up"},
    ],
}


def _seed(server: EmulatorServer) -> set[str]:
    bodies = {**ORDINARY, **ADVICE_BREAKERS}
    with httpx.Client(base_url=server.url, headers={"Authorization": TOKEN}) as http:
        for key, body in bodies.items():
            reply = http.post(f"/api/v2/metrics/{PROJECT}", json={"key": key, "name": key, **body})
            assert reply.status_code == 201, reply.text
        # A funnel over two of them: `ldmetrics import` declares it after its metrics (issue 12).
        reply = http.post(
            f"/api/v2/projects/{PROJECT}/metric-groups",
            json=FUNNEL,
            headers={"LD-API-Version": "beta"},
        )
        assert reply.status_code == 201, reply.text
    server.emulator.clear_log()
    return set(bodies)


def _import(stack: PulumiStack, out: Path) -> tuple[int, str, str]:
    """`ldmetrics import` in the project directory, with the stack's environment minus any
    LaunchDarkly setting: host and token can only come from the stack's config."""
    environ = {k: v for k, v in stack.env.items() if not k.startswith("LAUNCHDARKLY_")}
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["import", "--project", PROJECT, "--out", str(out)]
    code = run(argv, Seams(stdout, stderr, environ, cwd=stack.workdir))
    return code, stdout.getvalue(), stderr.getvalue()


def test_import_steps_then_preview_shows_nothing(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    with emulator_server() as server:
        keys = _seed(server)
        workdir = write_project(tmp_path / "proj", "imported", "")
        stack = pulumi_stack(workdir)
        init_stack(stack, server)

        code, out, err = _import(stack, workdir / "ld_metrics.py")
        assert code == 0, err
        assert err == (
            "ldmetrics import: API host from stack dev's ldmetrics:apiHost, access token from "
            "stack dev's ldmetrics:accessToken\n"
        )
        program, commands = printed_steps(out)
        # The stack already holds the host: no `config set` step.
        assert [c.argv[:2] for c in commands] == [["pulumi", "import"], ["pulumi", "preview"]]
        assert "--protect=false" in commands[0].argv

        (workdir / "__main__.py").write_text("\n".join(program) + "\n")
        for command in commands[:-1]:
            stack.run_printed(command)
        preview = stack.preview("--expect-no-changes", "--diff")
        sent = writes(server)

    output = preview.stdout + preview.stderr
    # Every metric, the funnel, and the stack.
    assert summary_count(output, "unchanged") == len(keys) + 2, summary(output)
    assert "ldmetrics:MetricGroup" not in output, output
    # --diff lists a resource only when something about it changes; a protect flag the code
    # does not declare lists every metric as "(same) 🔓" (and `~protect` without --diff).
    assert "ldmetrics:Metric" not in output, output
    assert "protect" not in output and "\U0001f513" not in output, output
    assert sent == []
    # Every metric is in the state, none protected.
    metrics = [r for r in stack.resources() if r["type"].endswith("ldmetrics:Metric")]
    assert {r["id"].split("/", 1)[1] for r in metrics} == keys
    assert not any(r.get("protect") for r in metrics)
    groups = [r for r in stack.resources() if r["type"].endswith("ldmetrics:MetricGroup")]
    assert [r["id"] for r in groups] == [f"{PROJECT}/signup-funnel"]
    assert [m["key"] for m in groups[0]["outputs"]["metrics"]] == ["home", "signup"]


def test_a_wrong_token_in_the_stack_is_named_as_such(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    with emulator_server() as server:
        stack = pulumi_stack(write_project(tmp_path / "proj", "imported", ""))
        init_stack(stack, server, token="api-wrong-token-0000000000")
        code, out, err = _import(stack, tmp_path / "proj" / "ld_metrics.py")
    assert code == 1 and out == ""
    last = err.splitlines()[-1]
    assert last.startswith(f"ldmetrics import: error: listing metrics of project {PROJECT}: 401")
    assert last.endswith("check the access token, read from stack dev's ldmetrics:accessToken")
    assert "api-wrong-token" not in err
