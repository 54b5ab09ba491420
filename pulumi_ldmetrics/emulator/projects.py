"""`GET /api/v2/projects[/{projectKey}]`: just enough of a project for clients that check one.

LaunchDarkly's Terraform provider GETs the project before every metric create and reports
"cannot find project" on a 404. The emulator has no project store: a project exists when
the emulator would accept metrics for it, which is every valid key unless `--projects`
restricts them. The list names the `--projects` keys, or else the projects holding metrics.

The representation carries the fields the official client's `Project` model requires
(`_links`, `_id`, `key`, `includeInSnippetByDefault`, `name`, `tags`) plus
`defaultClientSideAvailability`; `environments` only comes with `expand=environments`, which
the emulator does not model, so it is never sent. Values other than the key are synthetic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Final

from pulumi_ldmetrics.emulator.representation import JSON_TYPE

JSONDict = dict[str, Any]

PROJECTS_PATH: Final = "/api/v2/projects"
DEFAULT_LIMIT: Final = 20


class ProjectQueryError(ValueError):
    """A list parameter is invalid; the message is the 400 message."""


def project_id(key: str) -> str:
    """A stable 24-hex id for a project key, like the ids LaunchDarkly assigns."""
    return hashlib.sha256(f"project:{key}".encode()).hexdigest()[:24]


def render_project(key: str) -> JSONDict:
    """The `Project` representation of `key`."""
    return {
        "_links": {
            "self": {"href": f"{PROJECTS_PATH}/{key}", "type": JSON_TYPE},
            "environments": {"href": f"{PROJECTS_PATH}/{key}/environments", "type": JSON_TYPE},
        },
        "_id": project_id(key),
        "key": key,
        "includeInSnippetByDefault": False,
        "defaultClientSideAvailability": {"usingMobileKey": False, "usingEnvironmentId": False},
        "name": key,
        "tags": [],
    }


def render_projects(keys: Iterable[str], params: Mapping[str, str]) -> JSONDict:
    """The `Projects` collection of `keys`, paged by `limit`/`offset` (default 20 per page)."""
    limit = _non_negative(params, "limit", DEFAULT_LIMIT, minimum=1)
    offset = _non_negative(params, "offset", 0, minimum=0)
    ordered = sorted(set(keys))
    page = ordered[offset : offset + limit]
    return {
        "_links": {"self": {"href": PROJECTS_PATH, "type": JSON_TYPE}},
        "items": [render_project(key) for key in page],
        "totalCount": len(ordered),
    }


def _non_negative(params: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise ProjectQueryError(f"{name}: must be an integer")
    value = int(raw)
    if value < minimum:
        raise ProjectQueryError(f"{name}: must be at least {minimum}")
    return value
