"""Servers that misbehave on purpose, over real loopback sockets: what the client tests
(`tests/client/test_hostile_server.py`) and the events client's proxy tests point a client at.

A `Behaviour` gets the accepted socket and the request head, and answers however it likes
(trickling, truncating, echoing the token, never ending)."""

from __future__ import annotations

import json
import logging
import socket
import socketserver
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from pulumi_ldmetrics import _redact

Behaviour = Callable[[socket.socket, bytes], None]


def fragments(secret: str, size: int = _redact.MIN_FRAGMENT) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def everything_about(error: BaseException, records: list[logging.LogRecord]) -> str:
    """Every text a user or a log could see about `error`."""
    formatted = "".join(traceback.format_exception(error))
    logs = "\n".join(logging.Formatter().format(r) for r in records)
    return "\n".join((str(error), repr(error), formatted, logs))


# --- the hostile server -------------------------------------------------------------------


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head


class HostileServer:
    """A loopback HTTP/1.1 server whose every answer is written by `behaviour` as raw bytes."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn: socket.socket = self.request
                conn.settimeout(20)
                try:
                    while not outer.stop.is_set():
                        head = _read_request(conn)
                        if not head:
                            return
                        outer.requests.append(head)
                        outer.behaviour(conn, head)
                except OSError:
                    return

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()


def respond(
    status: str, body: bytes, headers: dict[str, str] | None = None, *, close: bool = False
) -> Behaviour:
    def behaviour(conn: socket.socket, _head: bytes) -> None:
        lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        if close:
            conn.shutdown(socket.SHUT_RDWR)

    return behaviour


def json_response(status: str, payload: Any, headers: dict[str, str] | None = None) -> Behaviour:
    return respond(
        status,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


def trickle_body(conn: socket.socket, _head: bytes) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    )
    for _ in range(120):  # bounded: two minutes at most, far beyond every limit under test
        conn.sendall(b" ")
        time.sleep(0.25)


def trickle_headers(conn: socket.socket, _head: bytes) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 400:
        conn.sendall(bytes([byte]))
        time.sleep(0.25)


def truncated(conn: socket.socket, _head: bytes) -> None:
    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"key": "sig')
    conn.shutdown(socket.SHUT_RDWR)


def endless_chunks(conn: socket.socket, _head: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    for _ in range(2000):  # 128 MiB at most; the client must stop long before
        conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
