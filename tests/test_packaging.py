"""The built wheel carries the data files users' tools read from the installed package."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MARKER = "pulumi_ldmetrics/pulumi-plugin.json"


def _build_wheel(out: Path) -> Path:
    # No build isolation: the dev environment has hatchling, so this runs offline.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(out), str(REPO_ROOT)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (wheel,) = out.glob("pulumi_ldmetrics-*.whl")
    return wheel


def test_wheel_ships_the_plugin_marker_and_py_typed(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build_wheel(tmp_path)) as wheel:
        names = set(wheel.namelist())
        assert "pulumi_ldmetrics/py.typed" in names, sorted(names)
        assert MARKER in names, sorted(names)
        # Pulumi's Python language host skips a package whose marker says resource: false;
        # without it (or with true) it tries to download a `pulumi-resource-ldmetrics` plugin.
        assert json.loads(wheel.read(MARKER)) == {"resource": False}


def test_the_marker_is_where_the_language_host_looks() -> None:
    # The host imports the distribution's module name (`pulumi-ldmetrics` -> pulumi_ldmetrics)
    # and reads pulumi-plugin.json from the package's directory.
    spec = importlib.util.find_spec("pulumi_ldmetrics")
    assert spec is not None and spec.submodule_search_locations
    found = [Path(loc, "pulumi-plugin.json") for loc in spec.submodule_search_locations]
    assert [json.loads(p.read_text()) for p in found if p.is_file()] == [{"resource": False}]
