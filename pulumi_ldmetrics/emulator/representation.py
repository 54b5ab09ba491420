"""Turn a stored metric document into the `MetricRep` / `MetricListingRep` the API returns.

The store keeps editable fields plus `_id`, `_version`, `_versionId`, `_creationDate` and
`lastModified`; everything derivable (links, maintainer summary, counters) is added here so
it can never drift from the stored fields.
"""

from __future__ import annotations

import copy
import secrets
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Final

JSONDict = dict[str, Any]

JSON_TYPE: Final = "application/json"

STORED_SERVER_FIELDS: Final = ("_id", "_version", "_versionId", "_creationDate", "lastModified")

READ_ONLY_FIELDS: Final = frozenset(
    {
        "lastModified",
        "experimentCount",
        "metricGroupCount",
        "activeExperimentCount",
        "activeGuardedRolloutCount",
        "category",
        "isActive",
        "archived",
        "archivedAt",
        "lastSeen",
        "experiments",
        "metricGroups",
        "lastUsedInExperiment",
        "lastUsedInGuardedRollout",
    }
)
"""Response fields without a leading underscore that a PATCH may not write (reference §7)."""

REP_ONLY_FIELDS: Final = (
    "experiments",
    "metricGroups",
    "lastUsedInExperiment",
    "lastUsedInGuardedRollout",
    "isActive",
    "_attachedFeatures",
)
"""`MetricRep` fields that `MetricListingRep` (list items) does not carry (reference §6)."""


def now_ms() -> int:
    """Current time as epoch milliseconds, the API's timestamp unit."""
    return time.time_ns() // 1_000_000


def modification_now() -> JSONDict:
    """A `Modification` stamped with the current UTC time."""
    stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    return {"date": stamp.replace("+00:00", "Z")}


def new_server_fields() -> JSONDict:
    """Server fields of a freshly created metric: version 1, new ids, creation time."""
    return {
        "_id": secrets.token_hex(12),
        "_version": 1,
        "_versionId": str(uuid.uuid4()),
        "_creationDate": now_ms(),
        "lastModified": modification_now(),
    }


def bump_version(doc: JSONDict) -> None:
    """Record an effective change: `_version` + 1, a new `_versionId`, a new timestamp."""
    doc["_version"] = int(doc.get("_version", 0)) + 1
    doc["_versionId"] = str(uuid.uuid4())
    doc["lastModified"] = modification_now()


def metric_href(project: str, key: str) -> str:
    """API path of one metric."""
    return f"/api/v2/metrics/{project}/{key}"


def maintainer_summary(member_id: str) -> JSONDict:
    """A `MemberSummary` for an emulated member (names and e-mail are synthetic)."""
    return {
        "_id": member_id,
        "_links": {"self": {"href": f"/api/v2/members/{member_id}", "type": JSON_TYPE}},
        "firstName": "Emulated",
        "lastName": "Member",
        "role": "writer",
        "email": f"member-{member_id[:8]}@emulator.invalid",
    }


def render_metric(project: str, doc: JSONDict, *, listing: bool = False) -> JSONDict:
    """Return the full `MetricRep` (or `MetricListingRep` when `listing`) of `doc`."""
    rep = copy.deepcopy(doc)
    key = rep["key"]
    rep["_links"] = {
        "self": {"href": metric_href(project, key), "type": JSON_TYPE},
        "parent": {"href": f"/api/v2/metrics/{project}", "type": JSON_TYPE},
    }
    rep["_site"] = {"href": f"/{project}/metrics/{key}/details", "type": "text/html"}
    if isinstance(rep.get("maintainerId"), str):
        rep["_maintainer"] = maintainer_summary(rep["maintainerId"])
    # The API mirrors the deprecated field "regardless of which field was written" (§6).
    rep["randomizationUnits"] = copy.deepcopy(rep.get("analysisUnits", []))
    rep["experimentCount"] = 0
    rep["metricGroupCount"] = 0
    rep["archived"] = False
    rep["isActive"] = True
    if listing:
        for field in REP_ONLY_FIELDS:
            rep.pop(field, None)
    return rep
