"""Read a request body off the socket: `Content-Length` or chunked, capped, never ambiguous.

A body whose length cannot be known for sure is refused and the connection closed, because
the bytes after it would otherwise be parsed as the next request (request smuggling: a
chunked body carrying `DELETE ...` used to run as a second request).

| request                                          | answer                              |
|--------------------------------------------------|-------------------------------------|
| `Content-Length: <digits>` within the cap        | body read                           |
| `Content-Length` not all digits, or two values   | 400, connection closed              |
| both `Content-Length` and `Transfer-Encoding`    | 400, connection closed (RFC 9112 §6.1) |
| `Transfer-Encoding: chunked`                     | chunks decoded, trailers skipped    |
| any other `Transfer-Encoding`                    | 411 (send a `Content-Length`), closed |
| body (declared or decoded) over `MAX_BODY_BYTES` | 413, connection closed              |
| malformed chunk framing                          | 400, connection closed              |
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, Protocol

MAX_BODY_BYTES: Final = 1024 * 1024
"""A metric body is a few KB; 1 MiB leaves room for any legitimate one (a 100 MB body used to be
buffered whole, peaking at 540 MB)."""

_MAX_LINE: Final = 4096
_DIGITS: Final = re.compile(r"^[0-9]{1,19}$")
_CHUNK_SIZE: Final = re.compile(rb"^([0-9A-Fa-f]{1,16})[ \t]*(;.*)?$")


class Reader(Protocol):
    """The two calls made on the socket's buffered reader."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


class FramingError(Exception):
    """The body cannot be read safely; answer `status` and close the connection."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def read_body(
    content_length: Sequence[str],
    transfer_encoding: Sequence[str],
    rfile: Reader,
    *,
    limit: int = MAX_BODY_BYTES,
) -> bytes:
    """Read the body a request announces; `content_length`/`transfer_encoding` are every
    value of those headers as sent. Raise FramingError when it cannot be read safely."""
    if transfer_encoding:
        if content_length:
            raise FramingError(
                400, "invalid_request", "Content-Length and Transfer-Encoding are exclusive"
            )
        codings = [c.strip().lower() for v in transfer_encoding for c in v.split(",")]
        if codings != ["chunked"]:
            raise FramingError(
                411, "length_required", "Transfer-Encoding not supported; send Content-Length"
            )
        return _read_chunked(rfile, limit)
    if not content_length:
        return b""
    values = {v.strip() for v in content_length}
    if len(values) != 1 or not _DIGITS.match(next(iter(values))):
        raise FramingError(400, "invalid_request", "Content-Length must be a decimal integer")
    length = int(next(iter(values)))
    if length > limit:
        raise FramingError(413, "payload_too_large", f"body larger than {limit} bytes")
    body = rfile.read(length) if length else b""
    if len(body) != length:
        raise FramingError(400, "invalid_request", "body shorter than Content-Length")
    return body


def _read_chunked(rfile: Reader, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        match = _CHUNK_SIZE.match(_line(rfile))
        if match is None:
            raise FramingError(400, "invalid_request", "malformed chunk size")
        size = int(match.group(1), 16)
        if size == 0:
            break
        total += size
        if total > limit:
            raise FramingError(413, "payload_too_large", f"body larger than {limit} bytes")
        chunk = rfile.read(size)
        if len(chunk) != size or _line(rfile) != b"":
            raise FramingError(400, "invalid_request", "malformed chunk")
        parts.append(chunk)
    # Trailer fields end at an empty line; they carry nothing the emulator uses.
    for _ in range(100):
        if _line(rfile) == b"":
            return b"".join(parts)
    raise FramingError(400, "invalid_request", "too many trailer fields")


def _line(rfile: Reader) -> bytes:
    raw = rfile.readline(_MAX_LINE + 1)
    if len(raw) > _MAX_LINE or not raw.endswith(b"\n"):
        raise FramingError(400, "invalid_request", "malformed chunked body")
    return raw.rstrip(b"\r\n")
