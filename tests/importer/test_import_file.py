"""The import file: its format, and that the provider sees no change after adopting it.

Checked against the provider's own `check` and `diff` (what `pulumi preview` calls), for the
Python declarations and for the YAML file as `metrics_from_file` reads it back.
"""

from __future__ import annotations

import base64
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_ldmetrics.emulator import EmulatorServer
from pulumi_ldmetrics.from_file import load_metric_entries
from pulumi_ldmetrics.importer.import_file import METRIC_TYPE
from pulumi_ldmetrics.models import COMPUTED_WHEN_OMITTED, OUTPUT_ONLY_FIELDS
from pulumi_ldmetrics.provider import PROVIDER_KEY, UNMANAGED_FIELDS, MetricProvider
from pulumi_ldmetrics.read_batch import EXPECTED_READS

from .conftest import PROJECT, exec_declarations, run_cli

PROVIDER = serialize_provider(MetricProvider())


def _import(tmp_path: Path, server: EmulatorServer, *args: str) -> dict[str, Any]:
    result = run_cli(
        [
            "import",
            "--project",
            PROJECT,
            "--api-host",
            server.url,
            "--out",
            str(tmp_path / "m.py"),
            *args,
        ]
    )
    assert result.code == 0, result.stderr
    document: dict[str, Any] = json.loads((tmp_path / "m.import.json").read_text())
    return document


def test_import_file_format(seeded: EmulatorServer, tmp_path: Path) -> None:
    document = _import(tmp_path, seeded)
    assert list(document) == ["resources"]
    resources = document["resources"]
    assert [r["id"] for r in resources] == [f"{PROJECT}/m-{i:04d}" for i in range(24)]
    for entry in resources:
        assert set(entry) == {"type", "name", "logicalName", "id", "inputs", "outputs"}
        assert entry["type"] == METRIC_TYPE
        assert entry["name"] == entry["logicalName"] == entry["inputs"]["key"]
        assert entry["inputs"][PROVIDER_KEY] == entry["outputs"][PROVIDER_KEY] == PROVIDER
        outputs = entry["outputs"]
        assert set(OUTPUT_ONLY_FIELDS) <= outputs.keys()
        # The state keeps the server's values of every field, declared or not.
        assert COMPUTED_WHEN_OMITTED <= outputs.keys()
        undeclared = sorted(COMPUTED_WHEN_OMITTED - entry["inputs"].keys())
        assert outputs[UNMANAGED_FIELDS] == undeclared
    # By-reference pickle of the stable path: no secret and no code inside.
    provider = pickle.loads(base64.b64decode(PROVIDER))
    assert type(provider) is MetricProvider


def test_inputs_are_what_check_returns_and_diff_sees_no_change(
    seeded: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _import(tmp_path, seeded)
    declared = exec_declarations((tmp_path / "m.py").read_text(), monkeypatch)
    provider = MetricProvider()
    by_name = {r["name"]: r for r in document["resources"]}
    assert set(declared) == set(by_name)
    for name, kwargs in declared.items():
        entry = by_name[name]
        # The program declares every imported metric of the project: its read hint says so.
        program_inputs = {**kwargs, EXPECTED_READS: len(declared), PROVIDER_KEY: PROVIDER}
        assert entry["outputs"][EXPECTED_READS] == len(declared)
        checked = provider.check(entry["inputs"], program_inputs)
        assert checked.failures == []
        assert {**checked.inputs, PROVIDER_KEY: PROVIDER} == entry["inputs"], name
        # What `pulumi preview` calls next: no change, so no update and no replace.
        diff = provider.diff(entry["id"], entry["outputs"], checked.inputs)
        assert diff.changes is False, (name, diff.replaces)


def test_yaml_entries_match_the_import_file(seeded: EmulatorServer, tmp_path: Path) -> None:
    result = run_cli(
        [
            "import",
            "--project",
            PROJECT,
            "--api-host",
            seeded.url,
            "--format",
            "yaml",
            "--out",
            str(tmp_path / "m.yaml"),
        ]
    )
    assert result.code == 0, result.stderr
    document = json.loads((tmp_path / "m.import.json").read_text())
    entries = load_metric_entries(tmp_path / "m.yaml")
    provider = MetricProvider()
    # metrics_from_file names each resource after its key: the import file must agree.
    assert [e["key"] for e in entries] == [r["name"] for r in document["resources"]]
    for entry, resource in zip(entries, document["resources"], strict=True):
        # metrics_from_file declares them all: its Metrics carry that many as their read hint.
        declared = {**entry, EXPECTED_READS: len(entries), PROVIDER_KEY: PROVIDER}
        checked = provider.check({}, declared)
        assert {**checked.inputs, PROVIDER_KEY: PROVIDER} == resource["inputs"]
        assert provider.diff(resource["id"], resource["outputs"], checked.inputs).changes is False


def test_adopt_route_writes_no_import_file(seeded: EmulatorServer, tmp_path: Path) -> None:
    result = run_cli(
        [
            "import",
            "--project",
            PROJECT,
            "--api-host",
            seeded.url,
            "--route",
            "adopt",
            "--out",
            str(tmp_path / "m.py"),
        ]
    )
    assert result.code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.py"]
    text = (tmp_path / "m.py").read_text()
    assert text.count("adopt_existing=True,") == 24
    assert "pulumi up --yes" in result.stdout and "pulumi import" not in result.stdout
