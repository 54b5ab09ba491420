"""`ldmetrics import` end to end, with the real Pulumi CLI against the emulator.

The emulator is seeded over HTTP with 200 metrics covering every kind and field group. The import
runs in-process (`pulumi_ldmetrics.cli.main`), then the test runs exactly the commands it printed,
in a project whose program includes the generated declarations. `pulumi preview
--expect-no-changes` must pass, and the emulator must have received no write at all (no POST,
PATCH or DELETE) from the import onwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_ldmetrics.cli import main
from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.importer.import_file import METRIC_TYPE
from pulumi_ldmetrics.read_batch import EXPECTED_READS
from pulumi_ldmetrics.settings import ClientSettings
from tests.importer.seed import seed_project, seed_specs

from .conftest import StackFactory
from .pulumi_runner import PrintedCommand, PulumiStack, printed_steps, write_project

pytestmark = pytest.mark.e2e

TOKEN = "api-e2e-bulk-import-0000-000000000000"
PROJECT = "shop"
COUNT = 200


@pytest.fixture
def seeded() -> Iterator[EmulatorServer]:
    """A loopback emulator holding COUNT metrics of PROJECT, its request log cleared."""
    emulator = Emulator(token=TOKEN)
    with EmulatorServer(emulator) as server:
        settings = ClientSettings.resolve(
            {}, {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN, "LAUNCHDARKLY_API_HOST": server.url}
        )
        with LDMetricsClient(settings) as client:
            seed_project(client, seed_specs(COUNT, PROJECT))
        emulator.clear_log()
        yield server
    emulator.close()


def _import(
    args: list[str], server: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> tuple[list[str], list[PrintedCommand]]:
    """Run `ldmetrics import`; return (program lines, pulumi commands), as printed."""
    code = main(["import", "--project", PROJECT, "--api-host", server.url, *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    program, commands = printed_steps(out)
    assert commands[-1].argv == ["pulumi", "preview", "--expect-no-changes"], out
    return program, commands


def _run_printed(stack: PulumiStack, commands: list[PrintedCommand]) -> None:
    for command in commands:
        stack.run_printed(command)


def _writes(emulator: Emulator) -> list[str]:
    return [f"{e['method']} {e['path']}" for e in emulator.request_log() if e["write"]]


def _metric_resources(stack: PulumiStack) -> list[dict[str, Any]]:
    return [r for r in stack.resources() if r["type"] == METRIC_TYPE]


def test_import_file_route(
    seeded: EmulatorServer,
    pulumi_stack: StackFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", TOKEN)
    workdir = tmp_path / "proj"
    workdir.mkdir()
    out = workdir / "shop_metrics.py"
    program, commands = _import(["--out", str(out)], seeded, capsys)
    assert program == ["import shop_metrics  # noqa: F401"]
    assert any(c.argv[:3] == ["pulumi", "import", "--file"] for c in commands), commands

    write_project(workdir, "imported", "\n".join(program) + "\n")
    stack = pulumi_stack(workdir, env={"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN})
    stack.stack_init()
    _run_printed(stack, commands)  # ... pulumi import --file; pulumi preview --expect-no-changes

    resources = _metric_resources(stack)
    assert len(resources) == COUNT
    assert {r["id"] for r in resources} == {f"{PROJECT}/m-{i:04d}" for i in range(COUNT)}
    log = seeded.emulator.request_log()
    assert _writes(seeded.emulator) == []
    # The import listed the metrics in pages of 50 and the metric groups once; the CLI steps
    # themselves sent nothing at all.
    assert [e["method"] for e in log] == ["GET"] * (COUNT // 50 + 1)
    assert sum("metric-groups" in e["path"] for e in log) == 1

    # The stack is a normal managed stack now: an update changes nothing either.
    stack.up("--expect-no-changes")
    assert _writes(seeded.emulator) == []

    # The import left the read hint a program declaring all 200 leaves: the first refresh
    # reads the project's listing, ceil(200/50) pages a pass (preview pass and refresh pass).
    assert {r["outputs"][EXPECTED_READS] for r in resources} == {COUNT}
    seeded.emulator.clear_log()
    stack.refresh()
    pages = [e["query"] for e in seeded.emulator.request_log()]
    assert len(pages) == 2 * (COUNT // 50) and all("offset=" in q for q in pages), pages


def test_adopt_route_yaml(
    seeded: EmulatorServer,
    pulumi_stack: StackFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", TOKEN)
    workdir = tmp_path / "proj"
    workdir.mkdir()
    out = workdir / "metrics.yaml"
    program, commands = _import(
        ["--format", "yaml", "--route", "adopt", "--out", str(out)], seeded, capsys
    )
    assert not (workdir / "metrics.import.json").exists()
    assert ["pulumi", "up", "--yes"] in [c.argv for c in commands]

    write_project(workdir, "adopted", "\n".join(program) + "\n")
    stack = pulumi_stack(workdir, env={"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN})
    stack.stack_init()
    _run_printed(stack, commands)  # config set apiHost; pulumi up; pulumi preview ...

    assert len(_metric_resources(stack)) == COUNT
    assert _writes(seeded.emulator) == []
    methods = {e["method"] for e in seeded.emulator.request_log()}
    assert methods == {"GET"}
