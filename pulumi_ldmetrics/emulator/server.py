"""A real threaded HTTP/1.1 server for the emulator, on loopback only.

Keep-alive matters: httpx pools connections, and the drop and lost-response faults must
close a pooled connection mid-conversation the way a flaky load balancer would. That needs
raw socket control, hence `http.server` with a custom handler rather than WSGI.
"""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final

from pulumi_ldmetrics.emulator.app import Emulator
from pulumi_ldmetrics.emulator.responses import REASONS

log = logging.getLogger(__name__)

LOOPBACK: Final = "127.0.0.1"
IDLE_TIMEOUT_SECONDS: Final = 30.0
"""Idle keep-alive connections are closed after this, so handler threads do not pile up."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = IDLE_TIMEOUT_SECONDS
    # Headers and body go out in separate writes; with Nagle's algorithm and the client's
    # delayed ACK every response would stall ~40 ms.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = self.server.emulator.handle(self.command, path, query, headers, body)
        if response.delivery != "respond":
            # Close without a status line: the client sees the server disconnect.
            self.close_connection = True
            self._abort()
            return
        self.send_response(response.status, REASONS.get(response.status))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body:
            self.wfile.write(response.body)

    def _abort(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

    def version_string(self) -> str:
        return "ldmetrics-emulator"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, emulator: Emulator) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__((LOOPBACK, port), _Handler)

    def track(self, conn: socket.socket, *, add: bool) -> None:
        with self._conn_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close_connections(self) -> None:
        """Shut down idle keep-alive connections so their threads exit promptly."""
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class EmulatorServer:
    """Serve an `Emulator` on `http://127.0.0.1:<port>` in a background thread.

    Use as a context manager. `port=0` picks a free port; `.url` tells which. Only the
    loopback interface is ever bound: the emulator accepts any token, so it must not be
    reachable from other hosts.
    """

    def __init__(self, emulator: Emulator | None = None, *, port: int = 0, host: str = LOOPBACK):
        if host != LOOPBACK:
            raise ValueError(f"the emulator only listens on {LOOPBACK}, not {host!r}")
        self.emulator = emulator if emulator is not None else Emulator()
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (only meaningful once started)."""
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. "http://127.0.0.1:54321"."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> EmulatorServer:
        """Bind and start serving in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("server already started")
        self._server = _Server(self._port, self.emulator)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="ldmetrics-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket and open connections."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server, self._thread = None, None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
