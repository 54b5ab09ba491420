"""Metric groups (beta): `/api/v2/projects/{projectKey}/metric-groups[/{metricGroupKey}]`.

`app.py` routes here after auth, the project check and the write-permission check; this module
owns the beta gate, validation, JSON Patch, listing and rendering of groups. What is documented
and what is our guess is listed in docs/emulator.md ("Metric groups"). In short:

- Documented: the beta gate (403 without `LD-API-Version: beta`), 201/200/204 statuses,
  required `MetricGroupPost` fields, `nameInGroup` required by the input schema, list `limit`
  (20, at most 50) / `offset` / `totalCount`, JSON Patch bodies, ordered metrics.
- From the Terraform provider's comments on the live API: an empty `maintainerId` is a 400
  "maintainer ID is required"; metrics come back in insertion order; a standard group accepts
  `nameInGroup: ""`.
- Guesses: 400 for fewer than 2 metrics, a funnel step without a name, an unknown metric key
  and a `kind` change; 409 for a duplicate key; rendering `nameInGroup` as stored.

Groups are kept where the metrics are (`store.open_stores`): in memory by default, or with
`--db` in the same SQLite file (table `metric_groups`), so they survive a restart with their
`_id`, `_version`, dates and metric order. Each write is one statement under the lock the
metric store shares, so it is atomic with respect to a request and to metric writes.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from pulumi_ldmetrics.emulator.jsonbody import BodyError, parse_json
from pulumi_ldmetrics.emulator.listing import parse_int_param
from pulumi_ldmetrics.emulator.patching import PatchError, apply_ops, parse_patch
from pulumi_ldmetrics.emulator.representation import (
    JSON_TYPE,
    maintainer_summary,
    metric_href,
    now_ms,
)
from pulumi_ldmetrics.emulator.responses import Response, empty_response, json_response
from pulumi_ldmetrics.emulator.store import MemoryStore, MetricStore
from pulumi_ldmetrics.emulator.validation import is_valid_key

JSONDict = dict[str, Any]
ErrorFn = Callable[[int, str, str], Response]
MetricLookup = Callable[[str, str], "JSONDict | None"]

BETA_VERSION: Final = "beta"
BETA_REQUIRED: Final = "This is a beta resource: send the header LD-API-Version: beta to use it"
MIN_METRICS: Final = 2
DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 50
KINDS: Final = ("funnel", "standard")
_MEMBER_ID = re.compile(r"\A[a-fA-F0-9]{24}\Z")
_WRITABLE: Final = ("key", "name", "kind", "description", "maintainerId", "tags", "metrics")
_SORTS: Final = ("name", "createdAt", "connectionCount")
# Copied from the stored metric into each `MetricInGroupRep` (v25 field names).
_METRIC_SUMMARY: Final = (
    "name",
    "kind",
    "_versionId",
    "isNumeric",
    "unitAggregationType",
    "analysisType",
    "eventKey",
    "analysisUnits",
)


class MetricGroups:
    """The metric-group endpoints over `store`, reading metrics through `lookup`.

    `store`: where groups are kept (a new in-memory store when omitted); the emulator passes
    the group store of `open_stores`, which shares the metric store's lock, so a group write
    and the metric lookups validating it are atomic with respect to metric writes.
    `strict_standard_names`: refuse a non-empty `nameInGroup` in a standard group (whether the
    API does is unconfirmed; the Terraform provider refuses it at plan time)."""

    def __init__(
        self,
        lookup: MetricLookup,
        *,
        store: MetricStore | None = None,
        strict_standard_names: bool = False,
    ) -> None:
        self._lookup = lookup
        self._store = store if store is not None else MemoryStore()
        self.strict_standard_names = strict_standard_names

    # -- in-process API ----------------------------------------------------------------

    def all(self) -> dict[str, list[JSONDict]]:
        """Every group of every project as `MetricGroupRep`s, by project key."""
        return {p: [self._render(p, d) for d in docs] for p, docs in self._store.all().items()}

    def clear(self) -> None:
        """Forget every group."""
        self._store.clear()

    def groups_using(self, project: str, metric_key: str) -> list[str]:
        """Keys of the project's groups that hold `metric_key`, in creation order."""
        return [
            doc["key"]
            for doc in self._store.list_project(project)
            if any(m.get("key") == metric_key for m in doc.get("metrics", []))
        ]

    # -- requests ------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        project: str,
        key: str | None,
        params: Mapping[str, str],
        body: bytes,
        error: ErrorFn,
    ) -> Response:
        """Answer one request on the collection (`key` None) or one group."""
        if key is None:
            if method == "GET":
                return self._list(project, params, error)
            return self._create(project, body, error)
        if method == "GET":
            doc = self._store.get(project, key)
            return _not_found(project, key, error) if doc is None else self._ok(project, doc)
        if method == "PATCH":
            return self._patch(project, key, body, error)
        if not self._store.delete(project, key):
            return _not_found(project, key, error)
        return empty_response(204)

    def _create(self, project: str, body: bytes, error: ErrorFn) -> Response:
        try:
            payload = parse_json(body) if body else None
        except BodyError as err:
            return error(400, "invalid_request", str(err))
        if not isinstance(payload, dict):
            return error(400, "invalid_request", "body: must be a JSON object")
        group = {k: copy.deepcopy(payload[k]) for k in _WRITABLE if k in payload}
        # Checked under the lock: a metric deleted between the check and the insert would
        # leave the group holding a metric that no longer exists.
        with self._store.locked():
            problems = self._problems(project, group)
            if problems:
                return error(400, "invalid_request", "; ".join(problems))
            now = now_ms()
            doc = {**group, "_id": str(uuid.uuid4()), "_version": 1, "_creationDate": now}
            doc["_lastModified"] = now
            if not self._store.insert(project, doc):
                return error(409, "conflict", "A metric group with that key already exists")
        return json_response(201, self._render(project, doc))

    def _patch(self, project: str, key: str, body: bytes, error: ErrorFn) -> Response:
        try:
            ops = parse_patch(body)
        except PatchError as err:
            return error(400, "invalid_request", str(err))
        with self._store.locked():
            doc = self._store.get(project, key)
            if doc is None:
                return _not_found(project, key, error)
            current = {k: doc.get(k) for k in _WRITABLE}
            try:
                patched = apply_ops(current, ops)
            except PatchError as err:
                return error(400, "invalid_request", str(err))
            if patched.get("kind") != current["kind"]:
                return error(400, "invalid_request", "kind: cannot be changed")
            group = {k: v for k, v in patched.items() if k in _WRITABLE and v is not None}
            problems = self._problems(project, group)
            if problems:
                return error(400, "invalid_request", "; ".join(problems))
            if group == {k: v for k, v in current.items() if v is not None}:
                return self._ok(project, doc)  # no effective change: no new version
            new_doc = {**group, **{k: v for k, v in doc.items() if k.startswith("_")}}
            new_doc["_version"] = int(doc["_version"]) + 1
            new_doc["_lastModified"] = max(now_ms(), int(doc["_lastModified"]))
            self._store.replace(project, new_doc)
        return self._ok(project, new_doc)

    def _list(self, project: str, params: Mapping[str, str], error: ErrorFn) -> Response:
        try:
            # Parsed as the metrics listing parses them (a ListingError is a ValueError).
            limit = parse_int_param(params, "limit", DEFAULT_LIMIT, minimum=1)
            offset = parse_int_param(params, "offset", 0, minimum=0)
            keep = _filter(params.get("filter") or "")
            sort = params.get("sort") or ""
            if sort and sort.lstrip("-") not in _SORTS:
                raise ValueError(f"sort: must be one of {', '.join(_SORTS)} (optionally with '-')")
        except ValueError as err:
            return error(400, "invalid_request", str(err))
        if limit > MAX_LIMIT:
            return error(400, "invalid_request", f"limit: must be at most {MAX_LIMIT}")
        docs = [d for d in self._store.list_project(project) if keep(d)]
        if sort.lstrip("-") in ("name", "createdAt"):
            field = "name" if sort.lstrip("-") == "name" else "_creationDate"
            docs.sort(key=lambda d: d[field], reverse=sort.startswith("-"))
        page = docs[offset : offset + limit]
        base = f"/api/v2/projects/{project}/metric-groups"
        return json_response(
            200,
            {
                "items": [self._render(project, d) for d in page],
                "totalCount": len(docs),
                "_links": {
                    "self": {"href": base, "type": JSON_TYPE},
                    "parent": {"href": f"/api/v2/projects/{project}", "type": JSON_TYPE},
                },
            },
        )

    # -- rules and rendering -------------------------------------------------------------

    def _problems(self, project: str, group: JSONDict) -> list[str]:
        """Every reason to refuse `group` (camelCase writable fields), worded like a 400."""
        out: list[str] = []
        key = group.get("key")
        if not isinstance(key, str) or not is_valid_key(key):
            out.append("key: is required and must be a valid key")
        if not isinstance(group.get("name"), str) or not group["name"].strip():
            out.append("name: is required")
        kind = group.get("kind")
        if kind not in KINDS:
            out.append(f"kind: must be one of {', '.join(KINDS)}")
        maintainer = group.get("maintainerId")
        if not maintainer:
            out.append("maintainer ID is required")
        elif not isinstance(maintainer, str) or not _MEMBER_ID.match(maintainer):
            out.append("maintainerId: must be a member ID")
        if "description" in group and not isinstance(group["description"], str):
            out.append("description: must be a string")
        tags = group.get("tags")
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            out.append("tags: is required and must be a list of strings")
        metrics = group.get("metrics")
        if not isinstance(metrics, list):
            return [*out, "metrics: is required and must be a list"]
        if len(metrics) < MIN_METRICS:
            out.append(f"metrics: a metric group needs at least {MIN_METRICS} metrics")
        for i, metric in enumerate(metrics):
            out.extend(self._metric_problems(project, kind, i, metric))
        return out

    def _metric_problems(self, project: str, kind: Any, i: int, metric: Any) -> list[str]:
        where = f"metrics[{i}]"
        if not isinstance(metric, dict) or not isinstance(metric.get("key"), str):
            return [f"{where}.key: is required"]
        out: list[str] = []
        if self._lookup(project, metric["key"]) is None:
            out.append(f"{where}.key: unknown metric {metric['key']!r} in project {project!r}")
        name = metric.get("nameInGroup")
        if not isinstance(name, str):
            out.append(f"{where}.nameInGroup: is required (a string)")
        elif kind == "funnel" and not name.strip():
            out.append(f"{where}.nameInGroup: funnel metric groups need a name for every step")
        elif kind == "standard" and name and self.strict_standard_names:
            out.append(f"{where}.nameInGroup: standard metric groups do not take step names")
        extra = set(metric) - {"key", "nameInGroup"}
        if extra:
            out.append(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
        return out

    def _ok(self, project: str, doc: JSONDict) -> Response:
        return json_response(200, self._render(project, doc))

    def _render(self, project: str, doc: JSONDict) -> JSONDict:
        """The `MetricGroupRep` of a stored group (the v23+ maintainer shape)."""
        rep = {k: copy.deepcopy(v) for k, v in doc.items() if k != "maintainerId"}
        href = f"/api/v2/projects/{project}/metric-groups/{doc['key']}"
        rep["_links"] = {
            "self": {"href": href, "type": JSON_TYPE},
            "parent": {"href": f"/api/v2/projects/{project}", "type": JSON_TYPE},
        }
        member = doc["maintainerId"]
        rep["maintainer"] = {"key": member, "kind": "member", "_member": maintainer_summary(member)}
        rep["metrics"] = [self._metric_rep(project, m) for m in doc["metrics"]]
        rep.update(experimentCount=0, activeExperimentCount=0, activeGuardedRolloutCount=0)
        return rep

    def _metric_rep(self, project: str, entry: JSONDict) -> JSONDict:
        stored = self._lookup(project, entry["key"]) or {}
        rep: JSONDict = {"key": entry["key"], "nameInGroup": entry.get("nameInGroup", "")}
        rep.update({k: copy.deepcopy(stored[k]) for k in _METRIC_SUMMARY if k in stored})
        rep.setdefault("name", entry["key"])
        rep.setdefault("kind", "custom")
        rep["randomizationUnits"] = copy.deepcopy(stored.get("analysisUnits", []))
        rep["_links"] = {"self": {"href": metric_href(project, entry["key"]), "type": JSON_TYPE}}
        return rep


def is_beta(headers: Mapping[str, str]) -> bool:
    """Whether the request asks for the beta API version (header names lower-case)."""
    return headers.get("ld-api-version", "").strip().lower() == BETA_VERSION


def _not_found(project: str, key: str, error: ErrorFn) -> Response:
    return error(404, "not_found", f"Unknown metric group {project}/{key}")


_CLAUSE = re.compile(r"\A\s*(\w+)\s+(equals|contains|anyOf)\s+(.+?)\s*\Z")


def _filter(text: str) -> Callable[[JSONDict], bool]:
    """The documented filter (`kind equals 'funnel' and query equals 'x'`), for the fields a
    group without experiments can answer; any other field is a 400."""
    tests: list[Callable[[JSONDict], bool]] = []
    for clause in filter(None, re.split(r"\s+and\s+", text.strip())):
        match = _CLAUSE.match(clause)
        if match is None:
            raise ValueError(f"filter: cannot parse {clause!r}")
        field, _op, raw = match.groups()
        tests.append(_test_for(field, _value(raw)))
    return lambda doc: all(test(doc) for test in tests)


def _test_for(field: str, value: Any) -> Callable[[JSONDict], bool]:
    if field == "kind":
        return lambda d: bool(d.get("kind") == value)
    if field == "query":
        needle = str(value).lower()
        return lambda d: needle in d["key"].lower() or needle in str(d.get("name", "")).lower()
    if field == "hasConnections":  # the emulator has no experiments: never connected
        return lambda _d: str(value).lower() == "false"
    if field == "maintainerIds":
        wanted = set(value) if isinstance(value, list) else {value}
        return lambda d: d.get("maintainerId") in wanted
    raise ValueError(f"filter: unsupported field {field!r}")


def _value(raw: str) -> Any:
    raw = raw.strip()
    if raw[:1] in ("'", '"') and raw[-1:] == raw[:1] and len(raw) >= 2:
        return raw[1:-1]
    if raw.startswith("["):
        return [part.strip().strip("'\"") for part in raw.strip("[]").split(",") if part.strip()]
    return raw
