"""Smoke test of the CLI toolchain: real engine + language host + ``python -m pulumi.dynamic``.

A toy dynamic provider (``toyprov.py``, importable beside ``__main__.py``) keeps its "remote"
objects as JSON files in a store directory, reads a secret token in ``configure()`` and must
never put it into state.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from .conftest import StackFactory
from .pulumi_runner import PulumiStack, write_project

pytestmark = pytest.mark.e2e

SECRET = "s3cr3t-value"

TOYPROV = textwrap.dedent(
    '''
    """Toy dynamic provider: one JSON file per resource in ``store``."""
    import json
    import uuid
    from pathlib import Path
    from typing import Any, Optional

    import pulumi
    from pulumi.dynamic import (
        ConfigureRequest, CreateResult, DiffResult, ReadResult, Resource, ResourceProvider,
        UpdateResult,
    )

    INPUTS = ("store", "color", "size")


    class ToyProvider(ResourceProvider):
        serialize_as_secret_always = False

        def configure(self, req: ConfigureRequest) -> None:
            self._token = req.config.get("toy:token")

        def _write(self, id_: str, props: dict) -> dict:
            outs = {k: props[k] for k in INPUTS}
            outs["token_ok"] = self._token == "s3cr3t-value"
            Path(props["store"], id_ + ".json").write_text(json.dumps(outs))
            return outs

        def create(self, props: dict) -> CreateResult:
            id_ = uuid.uuid4().hex[:12]
            return CreateResult(id_, self._write(id_, props))

        def diff(self, id_: str, olds: dict, news: dict) -> DiffResult:
            changed = [k for k in INPUTS if olds.get(k) != news.get(k)]
            return DiffResult(changes=bool(changed), replaces=[k for k in changed if k == "store"])

        def update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
            return UpdateResult(self._write(id_, news))

        def read(self, id_: str, props: dict) -> ReadResult:
            path = Path(props["store"], id_ + ".json")
            if not path.exists():
                return ReadResult(None, {})
            outs = json.loads(path.read_text())
            return ReadResult(id_, outs, inputs={k: outs[k] for k in INPUTS})

        def delete(self, id_: str, props: dict) -> None:
            Path(props["store"], id_ + ".json").unlink(missing_ok=True)


    class Toy(Resource, module="toy", name="Toy"):
        color: pulumi.Output[str]
        token_ok: pulumi.Output[bool]

        def __init__(self, name: str, store: str, color: str, size: int,
                     opts: Optional[pulumi.ResourceOptions] = None) -> None:
            props: dict[str, Any] = {"store": store, "color": color, "size": size,
                                     "token_ok": None}
            super().__init__(ToyProvider(), name, props, opts)
    '''
)

PROGRAM = textwrap.dedent(
    """
    import pulumi
    from toyprov import Toy

    cfg = pulumi.Config("toy")
    thing = Toy("thing", store=cfg.require("store"), color=cfg.get("color") or "red", size=3)
    pulumi.export("color", thing.color)
    pulumi.export("token_ok", thing.token_ok)
    pulumi.export("id", thing.id)
    """
)


def _summary(out: str) -> str:
    """The ``Resources:`` block at the end of preview/up/refresh/destroy output."""
    idx = out.rfind("Resources:")
    assert idx >= 0, out
    return out[idx:]


@pytest.fixture
def toy(pulumi_stack: StackFactory, tmp_path: Path) -> tuple[PulumiStack, Path]:
    store = tmp_path / "store"
    store.mkdir()
    workdir = write_project(tmp_path / "proj", "toy", PROGRAM, {"toyprov.py": TOYPROV})
    return pulumi_stack(workdir, "dev"), store


def test_lifecycle(toy: tuple[PulumiStack, Path]) -> None:
    stack, store = toy
    stack.stack_init()
    stack.config_set("toy:store", str(store))
    stack.config_set("toy:token", SECRET, secret=True)

    out = stack.preview().stdout
    assert "+ 2 to create" in _summary(out), out
    assert not list(store.iterdir()), "preview must not create anything"

    out = stack.up().stdout
    assert "+ 2 created" in _summary(out), out
    # The CLI display shortens the token pulumi-python:dynamic/toy:Toy to ...:dynamic:Toy.
    assert re.search(r"pulumi-python:dynamic:Toy\s+thing\s+created", out), out
    assert stack.outputs() == {
        "color": "red",
        "token_ok": True,
        "id": stack.outputs()["id"],
    }
    (obj,) = store.iterdir()
    assert json.loads(obj.read_text())["color"] == "red"

    out = stack.up("--expect-no-changes").stdout
    assert re.search(r"2 unchanged", _summary(out)) and "created" not in _summary(out), out

    stack.preview("--expect-no-changes")
    out = stack.refresh("--expect-no-changes").stdout
    assert "2 unchanged" in _summary(out), out

    stack.config_set("toy:color", "blue")
    proc = stack.preview("--diff", "--expect-no-changes", check=False)
    assert proc.returncode != 0, "a changed input must be reported as a change"
    out = proc.stdout
    assert re.search(r"~\s*color\s*:\s*\"red\"\s*=>\s*\"blue\"", out), out
    assert "~ 1 to update" in _summary(out), out

    export = stack.stack_export()
    assert SECRET not in json.dumps(export)
    types = {r["type"]: r for r in export["deployment"]["resources"]}
    assert "pulumi:providers:pulumi-python" in types, types.keys()
    toy_res = types["pulumi-python:dynamic/toy:Toy"]
    assert toy_res["outputs"]["color"] == "red"
    assert isinstance(toy_res["inputs"]["__provider"], str), "provider pickled by reference"

    out = stack.destroy().stdout
    assert "- 2 deleted" in _summary(out), out
    assert not list(store.iterdir())
    assert stack.resources() == []


def test_program_failure_is_reported_once(toy: tuple[PulumiStack, Path]) -> None:
    """An unhandled exception: the exec script reports it and exits 32, the host answers `bail`."""
    stack, store = toy
    stack.stack_init()
    stack.config_set("toy:store", str(store))
    (stack.workdir / "__main__.py").write_text(PROGRAM + "\nraise ValueError('boom-42')\n")
    proc = stack.preview(check=False)
    assert proc.returncode != 0
    assert "ValueError: boom-42" in proc.stdout, proc.stdout
    # With bail the engine adds no second "unhandled error ... exit code" diagnostic.
    assert "non-zero exit code" not in proc.stdout, proc.stdout
