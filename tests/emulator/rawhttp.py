"""A raw HTTP/1.1 connection for tests that must send what no HTTP client library would.

Responses are parsed by hand from one buffered reader, so several requests can share one
connection and a test can tell "answered" from "connection dropped".
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any


class Dropped(AssertionError):
    """The server closed the connection without (a complete) response."""


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


class RawConnection:
    """One TCP connection to `127.0.0.1:port`, with a read timeout so a hang fails fast."""

    def __init__(self, port: int, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.reader = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> RawResponse:
        """Send one request (adding Host and, with a body, Content-Length) and read the answer."""
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        all_headers = dict(headers or {})
        if body is not None and not any(k.lower() == "transfer-encoding" for k in all_headers):
            all_headers.setdefault("Content-Length", str(len(body)))
        lines += [f"{k}: {v}" for k, v in all_headers.items()]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        return self.read_response(head=method == "HEAD")

    def read_response(self, *, head: bool = False) -> RawResponse:
        response = self._read_head()
        while 100 <= response.status < 200:  # interim (e.g. 100 Continue): the answer follows
            response = self._read_head()
        length = int(response.headers.get("content-length", "0"))
        if length and not head:
            response.body = self.reader.read(length)
            if len(response.body) != length:
                raise Dropped("connection closed mid-body")
        return response

    def _read_head(self) -> RawResponse:
        try:
            status_line = self.reader.readline(65536)
        except ConnectionResetError:
            raise Dropped("connection reset with no response") from None
        if not status_line:
            raise Dropped("connection closed with no response")
        parts = status_line.decode("latin-1").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise AssertionError(f"not an HTTP/1.x status line: {status_line!r}")
        response = RawResponse(int(parts[1]))
        while True:
            line = self.reader.readline(65536).decode("latin-1").rstrip("\r\n")
            if not line:
                break
            name, _, value = line.partition(":")
            response.headers[name.strip().lower()] = value.strip()
        return response

    def is_closed_by_server(self) -> bool:
        """Whether the server has closed its side (EOF with nothing pending)."""
        return self.reader.read(1) == b""

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
