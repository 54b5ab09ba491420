"""Shared request bodies and small helpers for the emulator tests."""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx

TOKEN = "api-test-token"
READER_TOKEN = "api-reader-token"
PROJECT = "proj"
METRICS = f"/api/v2/metrics/{PROJECT}"

CUSTOM = {"key": "signup", "kind": "custom", "eventKey": "Signed up"}
NUMERIC = {
    "key": "latency",
    "kind": "custom",
    "eventKey": "request",
    "isNumeric": True,
    "unit": "ms",
    "successCriteria": "LowerThanBaseline",
}
PAGEVIEW = {"key": "home", "kind": "pageview", "urls": [{"kind": "substring", "substring": "foo"}]}
CLICK = {
    "key": "buy",
    "kind": "click",
    "selector": ".buy",
    "urls": [{"kind": "exact", "url": "https://example.com/"}],
}
TRACE = {
    "key": "db-time",
    "kind": "trace",
    "traceQuery": 'service.name = "checkout"',
    "traceValueLocation": "duration",
    "isNumeric": True,
    "unit": "ms",
}


@functools.cache
def _tls() -> ssl.SSLContext:
    # Building an SSL context costs ~50 ms (CA bundle); share one, the emulator is plain HTTP.
    return ssl.create_default_context()


def new_client(url: str, token: str | None = None) -> httpx.Client:
    """An httpx client for the emulator at `url`, sending `token` when given."""
    headers = {"Authorization": token} if token is not None else {}
    return httpx.Client(base_url=url, headers=headers, timeout=5.0, verify=_tls())


def create(client: httpx.Client, body: dict[str, Any], project: str = PROJECT) -> dict[str, Any]:
    """POST a metric and return the 201 body (fails the test otherwise)."""
    response = client.post(f"/api/v2/metrics/{project}", json=body)
    assert response.status_code == 201, response.text
    rep: dict[str, Any] = response.json()
    return rep


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check LaunchDarkly's error shape and return the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert body["id"] == response.headers["x-request-id"]
    return body
