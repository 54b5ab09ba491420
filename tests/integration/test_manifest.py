"""The partner integration listing (`integration/`) checked as LaunchDarkly's
integration-framework CI checks a manifest: its JSON schema (draft-07, copied byte for byte
into `data/`), then what its Jest suite adds because the schema cannot say it, then the
Prettier layout its pre-commit hook enforces, then our own icon rules (1:1 square, a wide
horizontal, vector only, no padding-sized files)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "integration"
SCHEMA_PATH = Path(__file__).with_name("data") / "manifest.schema.json"
SCHEMA_SHA256 = "a37931ad25d2e7f4994e555b616cd3f54d953d12acb7ba9f97463ffa31bce83a"
"""The framework's `manifest.schema.json` (blob 7c7f2bb4, 239,911 bytes), as published."""
LARGE_FILE_BYTES = 500 * 1024
"""pre-commit's check-added-large-files default, which their hooks run."""
SVG = "{http://www.w3.org/2000/svg}"


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def manifest_problems(manifest: dict[str, Any], directory: Path) -> list[str]:
    """Every problem the framework's CI would report for this manifest, as `path: message`."""
    validator = Draft7Validator(_schema(), format_checker=FormatChecker())
    problems = [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    ]
    # validateIntegrationManifests.js: what the schema cannot express.
    icons = manifest.get("icons")
    for kind in ("square", "horizontal"):
        path = icons.get(kind) if isinstance(icons, dict) else None
        if isinstance(path, str) and not (directory / path).is_file():
            problems.append(f"icons/{kind}: {path} does not exist")
    if not str(manifest.get("overview", "")).endswith("."):
        problems.append("overview: must end with a period")
    if "capabilities" not in manifest and not manifest.get("otherCapabilities"):
        problems.append("otherCapabilities: required when there is no capabilities block")
    if manifest.get("requiresOAuth"):
        problems.append("requiresOAuth: needs an entry in the framework's OAUTH_INTEGRATIONS")
    if manifest.get("formVariables"):
        problems.append("formVariables: an external integration has no configuration form")
    return problems


def prettier_json(value: Any, indent: int = 0) -> str:
    """JSON as Prettier prints a manifest: two-space indent, objects expanded, an array of
    scalars on one line when it fits in 80 columns."""
    pad = " " * indent
    if isinstance(value, dict):
        items = [
            f"{pad}  {json.dumps(k)}: {prettier_json(v, indent + 2).lstrip()}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}" if items else "{}"
    if isinstance(value, list):
        flat = "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        if all(not isinstance(v, (dict, list)) for v in value) and indent + len(flat) <= 80:
            return flat
        items = [f"{pad}  {prettier_json(v, indent + 2).lstrip()}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((INTEGRATION / "manifest.json").read_text("utf-8"))
    return loaded


def test_schema_copy_is_the_published_file() -> None:
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == SCHEMA_SHA256
    Draft7Validator.check_schema(_schema())


def test_schema_never_forbids_additional_properties() -> None:
    """validateSchemas.js: the framework refuses `additionalProperties: false` anywhere."""
    assert '"additionalProperties": false' not in re.sub(r"\s+", " ", SCHEMA_PATH.read_text())


def test_manifest_passes_every_check(manifest: dict[str, Any]) -> None:
    assert manifest_problems(manifest, INTEGRATION) == []


def test_manifest_is_an_external_infrastructure_listing(manifest: dict[str, Any]) -> None:
    # The shape of LaunchDarkly's own Terraform listing.
    assert manifest["categories"] == ["infrastructure"]
    assert manifest["otherCapabilities"] == ["external"]
    assert "capabilities" not in manifest
    assert set(manifest["links"]) >= {"site", "privacyPolicy"}


def test_manifest_file_is_prettier_formatted() -> None:
    text = (INTEGRATION / "manifest.json").read_bytes().decode("utf-8")

    assert "\r" not in text and text.endswith("}\n") and not text.endswith("\n\n")
    assert not any(line != line.rstrip() for line in text.splitlines())
    assert text == prettier_json(json.loads(text)) + "\n"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"icons": {"square": "assets/images/square.png", "horizontal": "x.svg"}}, "icons/square"),
        ({"categories": ["iac"]}, "categories/0"),
        ({"overview": "Manage LaunchDarkly metrics with Pulumi"}, "must end with a period"),
        ({"supportEmail": "nobody"}, "supportEmail"),
        ({"links": {"site": "https://example.com"}}, "'privacyPolicy' is a required property"),
        ({"otherCapabilities": []}, "otherCapabilities"),
        ({"requiresOAuth": True}, "OAUTH_INTEGRATIONS"),
        ({"colour": "purple"}, "<root>"),
        ({"version": "1.0"}, "version"),
    ],
    ids=[
        "png-icon",
        "unknown-category",
        "no-period",
        "bad-email",
        "no-privacy-policy",
        "no-capability",
        "oauth",
        "unknown-key",
        "not-semver",
    ],
)
def test_the_checks_catch_what_the_framework_refuses(
    manifest: dict[str, Any], change: dict[str, Any], problem: str
) -> None:
    broken = {**copy.deepcopy(manifest), **change}

    problems = manifest_problems(broken, INTEGRATION)

    assert any(problem in p for p in problems), problems


def test_a_missing_icon_file_is_reported(manifest: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "assets/images").mkdir(parents=True)
    (tmp_path / "assets/images/square.svg").write_text("<svg/>")

    assert manifest_problems(manifest, tmp_path) == [
        "icons/horizontal: assets/images/horizontal.svg does not exist"
    ]


@pytest.mark.parametrize(
    ("kind", "min_ratio", "max_ratio"), [("square", 1, 1), ("horizontal", 3, 8)]
)
def test_icons_are_plain_vector_files_of_the_right_shape(
    manifest: dict[str, Any], kind: str, min_ratio: float, max_ratio: float
) -> None:
    path = INTEGRATION / manifest["icons"][kind]
    root = ET.parse(path).getroot()

    assert root.tag == f"{SVG}svg"
    _x, _y, width, height = map(float, root.attrib["viewBox"].split())
    assert min_ratio <= width / height <= max_ratio
    # Vector only: no embedded raster, no script, nothing fetched from elsewhere.
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert not tags & {"image", "script", "foreignObject", "use"}
    assert path.stat().st_size < LARGE_FILE_BYTES
