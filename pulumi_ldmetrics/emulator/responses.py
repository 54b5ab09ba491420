"""The transport-neutral response the emulator produces, and LaunchDarkly-shaped errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Delivery = Literal["respond", "drop", "lost_response"]

REASONS: Final[dict[int, str]] = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Response:
    """What to send back: status, headers, body, and how (or whether) to deliver it."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delivery: Delivery = "respond"
    """`drop` and `lost_response` close the connection instead of answering."""

    def json(self) -> Any:
        """Decode the body (for in-process callers and tests)."""
        return json.loads(self.body) if self.body else None


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with `Content-Type: application/json`."""
    out = {"Content-Type": "application/json"}
    out.update(headers or {})
    return Response(status, out, json.dumps(payload).encode("utf-8"))


def error_response(
    status: int, code: str, message: str, request_id: str, headers: dict[str, str] | None = None
) -> Response:
    """An error in LaunchDarkly's shape: `{"code", "message", "id"}` (reference §8).

    The id is repeated in `X-Request-Id` so it is available even when the body is not.
    """
    out = {"X-Request-Id": request_id}
    out.update(headers or {})
    return json_response(status, {"code": code, "message": message, "id": request_id}, out)


def empty_response(status: int = 204) -> Response:
    """A response with no body (DELETE's 204)."""
    return Response(status)
