"""The emulator proper: state, routing and the metrics handlers, independent of transport.

`Emulator.handle()` turns one request into a `Response`; `server.py` serves it over a
real socket and `Emulator.wsgi_app` serves it in-process (for `httpx.WSGITransport`).

Request pipeline for `/api/v2/metrics/...` and `/api/v2/projects[/...]` (reference §10):
latency -> faults and rate limits (`faults.py`) -> auth -> route -> method (405 with
`Allow`) -> project -> handler. Faults come first, so an injected 5xx or drop never applies
anything.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

from pulumi_ldmetrics.emulator import listing, projects
from pulumi_ldmetrics.emulator.control import CONTROL_PREFIX, handle_control
from pulumi_ldmetrics.emulator.defaults import apply_defaults, member_id_for_token
from pulumi_ldmetrics.emulator.events_app import EventsEmulator
from pulumi_ldmetrics.emulator.faults import (
    FaultConfig,
    FaultInjector,
    FaultMode,
    ScriptedFault,
)
from pulumi_ldmetrics.emulator.groups import BETA_REQUIRED, MetricGroups, is_beta
from pulumi_ldmetrics.emulator.jsonbody import BodyError, parse_json
from pulumi_ldmetrics.emulator.patching import PatchError, apply_ops, parse_patch, patch_target
from pulumi_ldmetrics.emulator.representation import (
    STORED_SERVER_FIELDS,
    bump_version,
    new_server_fields,
    render_metric,
)
from pulumi_ldmetrics.emulator.requestlog import LogEntry, Outcome, RequestLog
from pulumi_ldmetrics.emulator.responses import (
    REASONS,
    Response,
    empty_response,
    error_response,
    json_response,
)
from pulumi_ldmetrics.emulator.store import open_stores
from pulumi_ldmetrics.emulator.validation import is_valid_key, pick_editable, validate_metric

JSONDict = dict[str, Any]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]

API_PREFIX: Final = "/api/v2/metrics/"
COLLECTION_ROUTE: Final = "/api/v2/metrics/{projectKey}"
ITEM_ROUTE: Final = "/api/v2/metrics/{projectKey}/{metricKey}"
PROJECTS_ROUTE: Final = "/api/v2/projects"
PROJECT_ROUTE: Final = "/api/v2/projects/{projectKey}"
GROUPS_ROUTE: Final = "/api/v2/projects/{projectKey}/metric-groups"
GROUP_ROUTE: Final = "/api/v2/projects/{projectKey}/metric-groups/{metricGroupKey}"
_ALLOWED: Final = {
    COLLECTION_ROUTE: ("GET", "POST"),
    ITEM_ROUTE: ("GET", "PATCH", "DELETE"),
    PROJECTS_ROUTE: ("GET",),
    PROJECT_ROUTE: ("GET",),
    GROUPS_ROUTE: ("GET", "POST"),
    GROUP_ROUTE: ("GET", "PATCH", "DELETE"),
}
WRITE_METHODS: Final = frozenset({"POST", "PATCH", "DELETE", "PUT"})
DUPLICATE_MESSAGE: Final = "A metric with that key already exists"
ANONYMOUS_MEMBER: Final = member_id_for_token("")


class DroppedConnection(ConnectionResetError):
    """Raised out of the WSGI app for drop/lost-response faults, which need a socket."""


class Emulator:
    """A LaunchDarkly metrics API in a box: state, auth, faults and the request log.

    `token`: when set, `Authorization` must equal it exactly (raw, no `Bearer` prefix,
    reference §1), else 401. `reader_token`: also accepted, for GET only (writes: 403).
    Without `token`, any `Authorization` value (or none) is accepted.
    `projects`: when set, other project keys get 404 on every metrics route.
    `db_path`: SQLite file to persist metrics and metric groups in (created if missing; a file
    from a version that kept groups in memory gains an empty groups table); default in memory.
    `duplicate_status`: 409 `conflict` (the spec) or 400 `invalid_request` for a duplicate
    key on POST (reference §8 allows both).
    `control_token`: what `/_emulator/*` requires in `Authorization`; defaults to `token`,
    or to a random value (read it from `.control_token`) when there is no `token`.
    """

    def __init__(
        self,
        token: str | None = None,
        reader_token: str | None = None,
        projects: Iterable[str] | None = None,
        db_path: str | Path | None = None,
        faults: FaultConfig | None = None,
        *,
        duplicate_status: int = 409,
        control_token: str | None = None,
        strict_standard_names: bool = False,
    ) -> None:
        if duplicate_status not in (400, 409):
            raise ValueError("duplicate_status must be 409 or 400")
        self.token = token
        self.reader_token = reader_token
        self.projects = frozenset(projects) if projects is not None else None
        self.duplicate_status = duplicate_status
        self.control_token = control_token or token or secrets.token_urlsafe(24)
        self.own_origins: frozenset[str] = frozenset()
        """Origins (`http://127.0.0.1:PORT`) the control endpoint accepts in `Origin`;
        each server that serves this emulator adds its own."""
        self._stores = open_stores(db_path)
        self._store = self._stores.metrics
        self.groups = MetricGroups(
            self._store.get,
            store=self._stores.groups,
            strict_standard_names=strict_standard_names,
        )
        """Metric groups (beta), kept with the metrics (memory, or the `db_path` file) under
        the same lock; `strict_standard_names` refuses step names in standard groups."""
        self._faults = FaultInjector(faults)
        self._log = RequestLog()
        self._close_lock = threading.Lock()
        # The events host, served by its own listener (events_server.py): same tokens (the
        # reader token lacks importEventData), and the metrics' event keys for its counters.
        self.events = EventsEmulator(
            token,
            no_import_tokens=[reader_token] if reader_token else [],
            projects=self.projects,
            control_token=self.control_token,
            event_keys=lambda project: {
                str(doc["eventKey"])
                for doc in self._store.list_project(project)
                if doc.get("eventKey")
            },
        )

    # -- public in-process API -------------------------------------------------------

    def add_origin(self, origin: str) -> None:
        """Accept `origin` (scheme://host:port, no trailing slash) as the emulator's own."""
        self.own_origins = self.own_origins | {origin}

    def request_log(self) -> list[dict[str, Any]]:
        """Every logged metrics request, oldest first (never includes credentials)."""
        return self._log.entries()

    def clear_log(self) -> None:
        """Forget the logged requests."""
        self._log.clear()

    def fail_next(
        self,
        status_or_mode: int | FaultMode,
        times: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        reset_in_ms: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next `times` matching metrics requests fail.

        `status_or_mode` is an HTTP error status (answered before anything is applied; 429
        carries rate-limit headers from `reset_in_ms`/`retry_after`), "drop" (connection
        closed before applying) or "lost_response" (applied, then closed unanswered).
        """
        self._faults.add_script(
            ScriptedFault(status_or_mode, times, method, path_contains, reset_in_ms, retry_after)
        )

    def set_faults(self, **changes: Any) -> FaultConfig:
        """Partially update the fault and rate-limit settings (see `FaultConfig`)."""
        return self._faults.update(**changes)

    def fault_settings(self) -> dict[str, Any]:
        """The current fault settings and pending scripted faults, JSON-ready."""
        return self._faults.snapshot()

    def metrics(self) -> dict[str, list[JSONDict]]:
        """Every stored metric of every project as full `MetricRep`s, by project key."""
        return {
            project: [render_metric(project, doc) for doc in docs]
            for project, docs in self._store.all().items()
        }

    def metric_groups(self) -> dict[str, list[JSONDict]]:
        """Every stored metric group of every project as `MetricGroupRep`s, by project key."""
        return self.groups.all()

    def reset(self) -> None:
        """Clear metrics, groups, the request log, faults, rate-limit windows and the script."""
        with self._store.locked():
            # Groups first: interrupted in between, no group is left naming a deleted metric.
            self.groups.clear()
            self._store.clear()
        self._log.clear()
        self._faults.reset()
        self.events.reset()

    def close(self) -> None:
        """Release the stores (closes the SQLite connection)."""
        with self._close_lock:
            self._stores.close()

    # -- request handling ------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        """Answer one request. `headers` keys must be lower-case; `path` is percent-encoded."""
        method = method.upper()
        if path.startswith(CONTROL_PREFIX):
            return handle_control(self, method, path, headers, body)
        override = headers.get("x-http-method-override", "").upper()
        if method == "POST" and override in ("PATCH", "PUT", "DELETE"):
            method = override  # documented in the spec text (reference §1)
        seq = self._log.next_seq()
        started = time.monotonic()
        request_id = str(uuid.uuid4())
        route, params = _match(path)

        latency = self._faults.latency_seconds()
        if latency:
            time.sleep(latency)
        decision = self._faults.decide(method, f"{method} {route or path}", path)
        outcome: Outcome
        if decision.action == "respond":
            response = error_response(
                decision.status, decision.code, decision.message, request_id, decision.headers
            )
            outcome = "rate_limited" if decision.status == 429 else "fault"
        elif decision.action == "drop":
            response, outcome = Response(0, delivery="drop"), "dropped"
        else:
            response = self._dispatch(method, route, params, query, headers, body, request_id)
            response.headers.update(decision.headers)
            outcome = "ok" if response.status < 400 else "error"
            if decision.action == "lost_response":
                response.delivery, outcome = "lost_response", "lost_response"
        response.headers.setdefault("X-Request-Id", request_id)

        self._log.append(
            LogEntry(
                seq=seq,
                method=method,
                path=path,
                query=query,
                status=response.status or None,
                duration_ms=round((time.monotonic() - started) * 1000, 3),
                outcome=outcome,
                write=method in WRITE_METHODS,
                user_agent=headers.get("user-agent"),
                ld_api_version=headers.get("ld-api-version"),
                content_type=headers.get("content-type"),
                request_id=request_id,
            )
        )
        return response

    def _dispatch(
        self,
        method: str,
        route: str | None,
        params: list[str],
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        request_id: str,
    ) -> Response:
        def error(status: int, code: str, message: str) -> Response:
            return error_response(status, code, message, request_id)

        supplied = headers.get("authorization")
        can_write = True
        if self.token is not None:
            if supplied == self.token:
                member = member_id_for_token(self.token)
            elif self.reader_token is not None and supplied == self.reader_token:
                member, can_write = member_id_for_token(self.reader_token), False
            else:
                return error(401, "unauthorized", "Invalid access token")
        else:
            member = member_id_for_token(supplied) if supplied else ANONYMOUS_MEMBER

        if route is None:
            return error(404, "not_found", "Invalid resource identifier")
        if route in (GROUPS_ROUTE, GROUP_ROUTE) and not is_beta(headers):
            return error(403, "forbidden", BETA_REQUIRED)
        allowed = _ALLOWED[route]
        # Before the project check: which methods a route has does not depend on its project.
        if method not in allowed:
            return error_response(
                405,
                "method_not_allowed",
                f"Method {method} not allowed",
                request_id,
                {"Allow": ", ".join(allowed)},
            )
        if route == PROJECTS_ROUTE:
            return self._list_projects(request_id, dict(parse_qsl(query, keep_blank_values=True)))
        project = params[0]
        # An invalid project key cannot name a project, so it is "not found" like any other.
        if not self._knows_project(project):
            return error(404, "not_found", f"Unknown project {project!r}")
        if route == PROJECT_ROUTE:
            return json_response(200, projects.render_project(project))
        if method in WRITE_METHODS and not can_write:
            return error(403, "forbidden", "Forbidden. This access token is read-only.")

        if route in (GROUPS_ROUTE, GROUP_ROUTE):
            query_params = dict(parse_qsl(query, keep_blank_values=True))
            group_key = params[1] if route == GROUP_ROUTE else None
            return self.groups.handle(method, project, group_key, query_params, body, error)
        ctx = _Ctx(project, member, request_id, error)
        if route == COLLECTION_ROUTE:
            if method == "GET":
                return self._list(ctx, dict(parse_qsl(query, keep_blank_values=True)))
            return self._create(ctx, body)
        key = params[1]
        if method == "GET":
            return self._get(ctx, key)
        if method == "PATCH":
            return self._patch(ctx, key, body)
        return self._delete(ctx, key)

    def _knows_project(self, project: str) -> bool:
        return is_valid_key(project) and (self.projects is None or project in self.projects)

    def _list_projects(self, request_id: str, params: dict[str, str]) -> Response:
        keys = self.projects if self.projects is not None else self._store.all().keys()
        try:
            return json_response(200, projects.render_projects(keys, params))
        except projects.ProjectQueryError as err:
            return error_response(400, "invalid_request", str(err), request_id)

    # -- handlers --------------------------------------------------------------------

    def _create(self, ctx: _Ctx, body: bytes) -> Response:
        try:
            payload = parse_json(body) if body else None
        except BodyError as err:
            return ctx.error(400, "invalid_request", str(err))
        if not isinstance(payload, dict):
            return ctx.error(400, "invalid_request", "body: must be a JSON object")
        metric = apply_defaults(pick_editable(payload), maintainer_id=ctx.member)
        problems = validate_metric(metric)
        if problems:
            return ctx.error(400, "invalid_request", "; ".join(problems))
        doc = {**metric, **new_server_fields()}
        if not self._store.insert(ctx.project, doc):
            code = "conflict" if self.duplicate_status == 409 else "invalid_request"
            return ctx.error(self.duplicate_status, code, DUPLICATE_MESSAGE)
        return json_response(201, render_metric(ctx.project, doc))

    def _get(self, ctx: _Ctx, key: str) -> Response:
        # `expand` only adds fields we do not model; unknown expands are ignored like the API.
        doc = self._store.get(ctx.project, key)
        if doc is None:
            return ctx.not_found(key)
        return json_response(200, render_metric(ctx.project, doc))

    def _patch(self, ctx: _Ctx, key: str, body: bytes) -> Response:
        try:
            ops = parse_patch(body)
        except PatchError as err:
            return ctx.error(400, "invalid_request", str(err))
        with self._store.locked():
            doc = self._store.get(ctx.project, key)
            if doc is None:
                return ctx.not_found(key)
            rep = render_metric(ctx.project, doc)
            try:
                patched = apply_ops(patch_target(rep), ops)
            except PatchError as err:
                return ctx.error(400, "invalid_request", str(err))
            editable = pick_editable(patched)
            # `/randomizationUnits` is an alias write of analysisUnits (module docstring).
            units = editable.pop("randomizationUnits", None)
            if units != rep.get("randomizationUnits") and editable.get("analysisUnits") == rep.get(
                "analysisUnits"
            ):
                editable["analysisUnits"] = units
            if units is None and editable.get("analysisUnits") == rep.get("analysisUnits"):
                editable.pop("analysisUnits", None)
            # Removed defaulted fields get their default back, as on create.
            metric = apply_defaults(editable, maintainer_id=ctx.member)
            problems = validate_metric(metric)
            if problems:
                return ctx.error(400, "invalid_request", "; ".join(problems))
            current = {k: v for k, v in doc.items() if k not in STORED_SERVER_FIELDS}
            if metric == current:
                # A no-op patch leaves _version and _versionId alone (reference §6).
                return json_response(200, rep)
            new_doc: JSONDict = dict(metric)
            new_doc.update({k: doc[k] for k in STORED_SERVER_FIELDS if k in doc})
            bump_version(new_doc)
            self._store.replace(ctx.project, new_doc)
        return json_response(200, render_metric(ctx.project, new_doc))

    def _delete(self, ctx: _Ctx, key: str) -> Response:
        with self._store.locked():
            # Our guess (docs/emulator.md): a metric still in a group cannot be deleted.
            using = self.groups.groups_using(ctx.project, key)
            if using and self._store.get(ctx.project, key) is not None:
                return ctx.error(
                    400,
                    "invalid_request",
                    f"Metric {key!r} is used by metric group(s) {', '.join(using)};"
                    " remove it from them before deleting it",
                )
            if not self._store.delete(ctx.project, key):
                return ctx.not_found(key)
        return empty_response(204)

    def _list(self, ctx: _Ctx, params: dict[str, str]) -> Response:
        try:
            query = listing.parse_list_query(params)
        except listing.ListingError as err:
            return ctx.error(400, "invalid_request", str(err))
        selected = listing.select(self._store.list_project(ctx.project), query)
        page = selected[query.offset : query.offset + query.limit]
        return json_response(
            200,
            {
                "items": [render_metric(ctx.project, d, listing=True) for d in page],
                "totalCount": len(selected),
                "_links": listing.collection_links(ctx.project, query, len(selected)),
            },
        )

    # -- WSGI ------------------------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        """WSGI entry point, e.g. `httpx.WSGITransport(app=emulator.wsgi_app)`.

        Drop and lost-response faults raise `DroppedConnection` (after applying the write,
        for a lost response), since WSGI has no way to close a connection unanswered.
        """
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        # PATH_INFO arrives decoded; re-encoding is unnecessary as keys are URL-safe.
        path = environ.get("PATH_INFO", "") or "/"
        response = self.handle(
            environ["REQUEST_METHOD"], path, environ.get("QUERY_STRING", ""), headers, body
        )
        if response.delivery != "respond":
            raise DroppedConnection(f"emulator fault: {response.delivery}")
        status = f"{response.status} {REASONS.get(response.status, 'Unknown')}"
        start_response(status, list(response.headers.items()))
        return [response.body]


class _Ctx:
    """Per-request values the handlers share."""

    def __init__(
        self,
        project: str,
        member: str,
        request_id: str,
        error: Callable[[int, str, str], Response],
    ) -> None:
        self.project = project
        self.member = member
        self.request_id = request_id
        self.error = error

    def not_found(self, key: str) -> Response:
        return self.error(404, "not_found", f"Unknown metric {self.project}/{key}")


def _match(path: str) -> tuple[str | None, list[str]]:
    """Map a request path to its route template and decoded path parameters."""
    if path.rstrip("/") == PROJECTS_ROUTE:
        return PROJECTS_ROUTE, []
    if path.startswith(PROJECTS_ROUTE + "/"):
        parts = [unquote(p) for p in path[len(PROJECTS_ROUTE) + 1 :].rstrip("/").split("/")]
        if len(parts) == 1 and parts[0]:
            return PROJECT_ROUTE, parts
        if len(parts) in (2, 3) and parts[1] == "metric-groups" and all(parts):
            return (GROUPS_ROUTE, [parts[0]]) if len(parts) == 2 else (GROUP_ROUTE, parts[::2])
        return None, []
    if not path.startswith(API_PREFIX):
        return None, []
    parts = [unquote(p) for p in path[len(API_PREFIX) :].rstrip("/").split("/")]
    if len(parts) == 1 and parts[0]:
        return COLLECTION_ROUTE, parts
    if len(parts) == 2 and all(parts):
        return ITEM_ROUTE, parts
    return None, []
