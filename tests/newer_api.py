"""A tiny LaunchDarkly stand-in on loopback that speaks a *newer* API than this package.

The emulator validates what it stores against the API this package knows, so it cannot hold
a metric of a kind that does not exist yet. This server stores whatever documents it is given
and serves them as the metrics endpoints would: GET one, GET a page of a project, PATCH (real
RFC 6902 through `jsonpatch`, `_version` + 1), DELETE. Every request is recorded.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonpatch

PROJECT = "web"
PREFIX = "/api/v2/metrics/"

# The values a newer LaunchDarkly might send that this package has never heard of.
NEW_KIND = "funnel"
NEW_AGGREGATION = "median"
NEW_NESTED = {"caseSensitive": True}
"""A new key inside `filters`."""


def newer_metric(key: str, kind: str = NEW_KIND) -> dict[str, Any]:
    """A full `MetricRep` with an unknown kind, aggregation and nested filter field, plus new
    top-level and read-only fields."""
    return {
        "_id": "a" * 24,
        "_version": 4,
        "_versionId": "v4",
        "_creationDate": 1_700_000_000_000,
        "_links": {"self": {"href": f"{PREFIX}{PROJECT}/{key}", "type": "application/json"}},
        "_site": {"href": f"/{PROJECT}/metrics/{key}/details", "type": "text/html"},
        "_maintainer": {"_id": "b" * 24, "email": "owner@example.com", "role": "admin"},
        "key": key,
        "name": "Checkout funnel",
        "kind": kind,
        "eventKey": "checkout",
        "isNumeric": False,
        "successCriteria": "HigherThanBaseline",
        "tags": [],
        "unitAggregationType": NEW_AGGREGATION,
        "analysisType": "mean",
        "eventDefault": {"disabled": False, "value": 0},
        "filters": {
            "type": "contextAttribute",
            "attribute": "country",
            "op": "in",
            "values": ["JP"],
            "contextKind": "user",
            "negate": False,
            **NEW_NESTED,
        },
        "dataSource": {"key": "launchdarkly-hosted", "_name": "LaunchDarkly hosted"},
        "maintainerId": "b" * 24,
        "analysisUnits": ["user"],
        "randomizationUnits": ["user"],
        "experimentCount": 0,
        "funnelSteps": [{"eventKey": "cart"}, {"eventKey": "pay"}],  # a new top-level field
    }


class NewerApi:
    """The stored documents (`metrics[key]`) and every request (`requests`)."""

    def __init__(self, *metrics: dict[str, Any]) -> None:
        self.metrics: dict[str, dict[str, Any]] = {m["key"]: copy.deepcopy(m) for m in metrics}
        self.requests: list[tuple[str, str, Any]] = []
        self.lock = threading.Lock()

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((method, path, body))
            route = path.split("?")[0].removeprefix(PREFIX).split("/")
            if route[0] != PROJECT:
                return 404, {"code": "not_found", "message": "Unknown project"}
            if len(route) == 1 and method == "GET":
                items = [self.metrics[k] for k in sorted(self.metrics)]
                return 200, {"items": items, "totalCount": len(items)}
            key = route[1] if len(route) == 2 else ""
            if key not in self.metrics:
                return 404, {"code": "not_found", "message": "Unknown metric"}
            if method == "GET":
                return 200, self.metrics[key]
            if method == "PATCH":
                patched = jsonpatch.apply_patch(self.metrics[key], body)
                patched["_version"] += 1
                self.metrics[key] = patched
                return 200, patched
            if method == "DELETE":
                del self.metrics[key]
                return 204, None
            return 405, {"code": "method_not_allowed", "message": method}


@contextmanager
def serving(api: NewerApi) -> Iterator[str]:
    """Serve `api` on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, payload = api.handle(self.command, self.path, json.loads(raw or b"null"))
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
