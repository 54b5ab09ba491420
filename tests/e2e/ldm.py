"""Shared helpers of the ``test_metric_*`` end-to-end tests: projects, emulator checks, output.

Every test runs an in-process :class:`EmulatorServer` on loopback and points the stack at it
with ``ldmetrics:apiHost``; the access token is a secret config value (or the environment).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.models import MetricRep, MetricSpec, changed_fields, spec_from_rep

from .pulumi_runner import REPO_ROOT, PulumiStack, write_project

TOKEN = "api-e2e-0f9e8d7c6b5a4f3e2d1c0b9a"  # noqa: S105 - a test token, searched for in outputs
METRIC_TYPE = "pulumi-python:dynamic/ldmetrics:Metric"
PROGRAMS = Path(__file__).parent / "programs"
EXAMPLES = REPO_ROOT / "examples"
ARTIFACTS = Path(__file__).parent / "artifacts"

Declared = Mapping[str, Any]


@contextmanager
def emulator_server(token: str = TOKEN) -> Iterator[EmulatorServer]:
    """An emulator requiring ``token``, served on a free loopback port."""
    emulator = Emulator(token=token)
    try:
        with EmulatorServer(emulator) as server:
            yield server
    finally:
        emulator.close()


# -- projects ---------------------------------------------------------------------------------


def write_metrics_project(
    workdir: Path,
    metrics: Iterable[Declared],
    gets: Mapping[str, str] | None = None,
    name: str = "ldm-e2e",
) -> Path:
    """A project running ``programs/metrics_program.py`` over ``metrics`` (see its docstring)."""
    program = (PROGRAMS / "metrics_program.py").read_text()
    write_project(workdir, name, program)
    set_declared(workdir, metrics, gets)
    return workdir


def set_declared(
    workdir: Path, metrics: Iterable[Declared], gets: Mapping[str, str] | None = None
) -> None:
    """Rewrite the metrics a project from :func:`write_metrics_project` declares."""
    document = {"metrics": list(metrics), "gets": dict(gets or {})}
    (workdir / "metrics.json").write_text(json.dumps(document, indent=2) + "\n")


def copy_example(example: str, workdir: Path) -> Path:
    """Copy ``examples/<example>`` without its Pulumi.yaml (whose virtualenv path is relative
    to the repo) and write one naming the test interpreter's venv instead."""
    source = EXAMPLES / example
    project = json.dumps(f"ldmetrics-{example}")
    write_project(workdir, json.loads(project), (source / "__main__.py").read_text())
    for path in source.iterdir():
        if path.name not in ("Pulumi.yaml", "__main__.py", "__pycache__") and path.is_file():
            shutil.copy(path, workdir / path.name)
    return workdir


def init_stack(
    stack: PulumiStack,
    server: EmulatorServer,
    token: str | None = TOKEN,
    project_key: str | None = None,
) -> None:
    """``stack init`` + ``ldmetrics:apiHost``, and the token as a secret unless ``None``."""
    stack.stack_init()
    stack.config_set("ldmetrics:apiHost", server.url)
    if token is not None:
        stack.config_set("ldmetrics:accessToken", token, secret=True)
    if project_key is not None:
        stack.config_set("ldmetrics:projectKey", project_key)


# -- the emulator's view --------------------------------------------------------------------


def log(server: EmulatorServer) -> list[dict[str, Any]]:
    return server.emulator.request_log()


def calls(server: EmulatorServer) -> list[str]:
    """``"METHOD path"`` of every logged request, in order."""
    return [f"{e['method']} {e['path']}" for e in log(server)]


def writes(server: EmulatorServer) -> list[str]:
    return [f"{e['method']} {e['path']}" for e in log(server) if e["write"]]


def count(server: EmulatorServer, method: str) -> int:
    return sum(1 for e in log(server) if e["method"] == method)


def live_reps(server: EmulatorServer) -> dict[tuple[str, str], dict[str, Any]]:
    """Every stored metric as ``(project, key) -> MetricRep`` JSON."""
    return {
        (project, rep["key"]): rep
        for project, reps in server.emulator.metrics().items()
        for rep in reps
    }


def live_ids(server: EmulatorServer) -> set[str]:
    return {f"{p}/{k}" for p, k in live_reps(server)}


def declared_spec(entry: Declared) -> MetricSpec:
    fields = {k: v for k, v in entry.items() if k in MetricSpec.model_fields}
    return MetricSpec.model_validate(fields)


def assert_emulator_holds(server: EmulatorServer, declared: Iterable[Declared]) -> None:
    """The emulator holds exactly the declared metrics: same ids, and every declared field
    as declared (undeclared server-chosen fields are not compared)."""
    specs = {(e["project_key"], e["key"]): declared_spec(e) for e in declared}
    reps = live_reps(server)
    assert sorted(reps) == sorted(specs), (
        f"emulator ids differ from declared: extra {sorted(set(reps) - set(specs))}, "
        f"missing {sorted(set(specs) - set(reps))}"
    )
    for (project, key), spec in specs.items():
        live = spec_from_rep(MetricRep.model_validate(reps[(project, key)]), project)
        differing = changed_fields(live, spec)
        assert not differing, f"{project}/{key}: {differing} differ: live {live!r}"


def state_metrics(stack: PulumiStack) -> list[dict[str, Any]]:
    """The managed Metric resources of the stack's latest checkpoint."""
    return [
        r for r in stack.resources() if r["type"] == METRIC_TYPE and not r.get("external", False)
    ]


def state_declared(stack: PulumiStack) -> list[dict[str, Any]]:
    """The stored (checked) inputs of every managed metric, for :func:`assert_emulator_holds`."""
    return [
        {k: v for k, v in r["inputs"].items() if k in MetricSpec.model_fields}
        for r in state_metrics(stack)
    ]


def http(server: EmulatorServer, token: str = TOKEN) -> httpx.Client:
    """A client for changes "outside Pulumi", straight against the emulator's API."""
    return httpx.Client(
        base_url=f"{server.url}/api/v2/metrics",
        headers={"Authorization": token, "LD-API-Version": "beta"},
        timeout=10,
    )


# -- CLI output ------------------------------------------------------------------------------


def host_reports_tracebacks() -> bool:
    """Whether the SDK's dynamic-provider host (the one in the test interpreter's venv, which
    the plugin runs on) reports exceptions as ``traceback.format_exc()`` (newer SDKs) rather
    than gRPC's ``Exception calling application: <message>`` (older ones)."""
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None and spec.origin is not None
    return "traceback.format_exc()" in Path(spec.origin).read_text()


def summary(out: str) -> str:
    """The ``Resources:`` block at the end of preview/up/refresh/destroy output."""
    idx = out.rfind("Resources:")
    assert idx >= 0, out
    return out[idx:]


def summary_count(out: str, word: str) -> int:
    """N from the ``N to create`` / ``N created`` / ``N unchanged`` line of the summary."""
    found = re.search(rf"(\d+) {word}\b", summary(out))
    return int(found.group(1)) if found else 0


# -- adoption ---------------------------------------------------------------------------------


def import_file(server: EmulatorServer, declared: Iterable[Declared]) -> dict[str, Any]:
    """A ``pulumi import --file`` document adopting the live metrics behind ``declared``.

    Each entry carries ``inputs`` (exactly what ``check`` returns for the declaration: the
    live values, with the server-chosen fields only where the declaration names them) and
    ``outputs`` (the live metric, plus ``unmanaged_fields``), both with ``__provider``: the
    engine skips ``Read`` when outputs are supplied (pulumi/pulumi#16175 is why it must).
    """
    from pulumi.dynamic.dynamic import serialize_provider

    from pulumi_ldmetrics.models import COMPUTED_WHEN_OMITTED, inputs_from_rep, outputs_from_rep
    from pulumi_ldmetrics.provider import UNMANAGED_FIELDS, MetricProvider

    provider = serialize_provider(MetricProvider())
    reps = live_reps(server)
    resources = []
    for entry in declared:
        project, key = entry["project_key"], entry["key"]
        rep = MetricRep.model_validate(reps[(project, key)])
        managed = {f for f in COMPUTED_WHEN_OMITTED if entry.get(f) is not None}
        inputs = inputs_from_rep(rep, project, managed=managed)
        outputs = outputs_from_rep(rep, project, site_base_url=server.url)
        outputs[UNMANAGED_FIELDS] = sorted(COMPUTED_WHEN_OMITTED - managed)
        resources.append(
            {
                "type": METRIC_TYPE,
                "name": entry.get("resource_name") or key,
                "id": f"{project}/{key}",
                "inputs": {**inputs, "__provider": provider},
                "outputs": {**outputs, "__provider": provider},
            }
        )
    return {"resources": resources}


def run_import(stack: PulumiStack, document: Mapping[str, Any], path: Path) -> str:
    """``pulumi import --file <path> --generate-code=false --yes``; returns stdout."""
    path.write_text(json.dumps(document, indent=2))
    proc = stack.run(
        "import", "--file", str(path), "--generate-code=false", "--yes", "--stack", stack.stack
    )
    return proc.stdout
