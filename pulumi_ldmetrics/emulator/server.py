"""A real threaded HTTP/1.1 server for the emulator, on loopback only.

Keep-alive matters: httpx pools connections, and the drop and lost-response faults must
close a pooled connection mid-conversation the way a flaky load balancer would. That needs
raw socket control, hence `http.server` with a custom handler rather than WSGI.
"""

from __future__ import annotations

import logging
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final, TypeVar

from pulumi_ldmetrics.emulator.app import Emulator
from pulumi_ldmetrics.emulator.framing import MAX_BODY_BYTES, FramingError, read_body
from pulumi_ldmetrics.emulator.responses import REASONS, Response, error_response

log = logging.getLogger(__name__)

LOOPBACK: Final = "127.0.0.1"
LINGER_SECONDS: Final = 1.0
LINGER_BYTES: Final = 4 * 1024 * 1024
IDLE_TIMEOUT_SECONDS: Final = 30.0
"""Idle keep-alive connections are closed after this, so handler threads do not pile up."""


_STDLIB_CODES: Final = {
    400: "invalid_request",
    408: "request_timeout",
    414: "uri_too_long",
    431: "request_header_fields_too_large",
    505: "http_version_not_supported",
}
"""`code` for the errors `BaseHTTPRequestHandler` raises itself while parsing a request."""


def _new_id() -> str:
    return str(uuid.uuid4())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = IDLE_TIMEOUT_SECONDS
    # Headers and body go out in separate writes; with Nagle's algorithm and the client's
    # delayed ACK every response would stall ~40 ms.
    disable_nagle_algorithm = True
    # A two-word request line would otherwise be HTTP/0.9, answered with no status line at all.
    default_request_version = "HTTP/1.0"

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    body_limit: int = MAX_BODY_BYTES
    """Largest request body this listener reads; a larger one gets 413."""

    def _dispatch(self, path: str, query: str, headers: dict[str, str], body: bytes) -> Response:
        """The emulator's answer to the request (the events listener answers with its own)."""
        return self.server.emulator.handle(self.command, path, query, headers, body)

    def _serve(self) -> None:
        try:
            body = read_body(
                self.headers.get_all("Content-Length") or [],
                self.headers.get_all("Transfer-Encoding") or [],
                self.rfile,
                limit=self.body_limit,
            )
        except FramingError as err:
            # The body's end is unknown, so nothing after it on this connection can be trusted.
            self.close_connection = True
            headers = {"Connection": "close"}
            self._send(error_response(err.status, err.code, err.message, _new_id(), headers))
            self._linger()
            return
        path, _, query = self.path.partition("?")
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            response = self._dispatch(path, query, headers, body)
        except Exception:
            # A bug must still answer: a silent thread death looks like a lost response, which
            # clients retry as ambiguous.
            log.exception("emulator: unhandled error on %s %s", self.command, path)
            response = error_response(
                500, "internal_server_error", "emulator bug: see its log", _new_id()
            )
        if response.delivery != "respond":
            # Close without a status line: the client sees the server disconnect.
            self.close_connection = True
            self._abort()
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status, REASONS.get(response.status))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        # A HEAD answer announces the length but carries no body (RFC 9110 §9.3.2).
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """JSON instead of the stdlib's HTML page, for request lines and headers it refuses."""
        del explain  # the stdlib's HTML explanation; the message says enough
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        reason = message or REASONS.get(code) or "Bad request"
        response = error_response(
            code, _STDLIB_CODES.get(code, "invalid_request"), reason, _new_id()
        )
        response.headers["Connection"] = "close"
        self._send(response)
        self._linger()

    def _linger(self) -> None:
        """Half-close, then read and discard what the client is still sending, briefly.

        Closing a socket with unread input makes the kernel send a reset, which can destroy
        the error response before the client reads it; this is the "lingering close" of
        RFC 9112 §9.6, bounded in time and bytes so a client cannot hold the thread.
        """
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(LINGER_SECONDS / 4)
            deadline = time.monotonic() + LINGER_SECONDS
            drained = 0
            while time.monotonic() < deadline and drained < LINGER_BYTES:
                chunk = self.connection.recv(64 * 1024)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass  # the client is gone or slow: either way nothing more is owed to it

    def _abort(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def __getattr__(self, name: str) -> Any:
        # The stdlib looks up `do_<METHOD>` and answers 501 HTML when it is missing; every
        # method goes to the emulator instead, which answers 405 JSON with `Allow`.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

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

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ARG002 - stdlib signature
        # The stdlib prints a traceback for every handler exception; a client that hung up
        # mid-answer is routine for a server, so it is only logged at debug level.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError)):
            log.debug("client %s went away: %r", client_address, exc)
            return
        log.exception("emulator: error serving %s", client_address)

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


_S = TypeVar("_S", bound="EmulatorServer")


class EmulatorServer:
    """Serve an `Emulator` on `http://127.0.0.1:<port>` in a background thread.

    With `tls` (a server `ssl.SSLContext`, e.g. `tlscert.generate(dir).server_context()`), it
    serves https instead.

    Use as a context manager. `port=0` picks a free port; `.url` tells which. Only the
    loopback interface is ever bound: the emulator may accept any token, so it must not be
    reachable from other hosts.
    """

    def __init__(
        self,
        emulator: Emulator | None = None,
        *,
        port: int = 0,
        host: str = LOOPBACK,
        tls: ssl.SSLContext | None = None,
    ):
        if host != LOOPBACK:
            raise ValueError(f"the emulator only listens on {LOOPBACK}, not {host!r}")
        self.emulator = emulator if emulator is not None else Emulator()
        self._port = port
        self._tls = tls
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    _handler: type[_Handler] = _Handler
    _thread_name = "ldmetrics-emulator"

    def _allow_origin(self, origin: str) -> None:
        """Let the control endpoints accept requests from `origin` (this server's own)."""
        self.emulator.add_origin(origin)

    @property
    def port(self) -> int:
        """The bound port (only meaningful once started)."""
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    @property
    def scheme(self) -> str:
        """ "https" when serving TLS, else "http"."""
        return "https" if self._tls is not None else "http"

    @property
    def url(self) -> str:
        """Base URL, e.g. "http://127.0.0.1:54321" (https with `tls`)."""
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    def start(self: _S) -> _S:
        """Bind and start serving in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("server already started")
        self._server = _Server(self._port, self.emulator)
        self._server.RequestHandlerClass = self._handler
        if self._tls is not None:
            # The handshake happens on the handler thread's first read, not in accept(): a
            # client that never completes it must not stall the accepting thread.
            self._server.socket = self._tls.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        # Both names a browser may use for this server; the control endpoint refuses others.
        for host in (LOOPBACK, "localhost"):
            self._allow_origin(f"{self.scheme}://{host}:{self.port}")
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=self._thread_name,
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

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
