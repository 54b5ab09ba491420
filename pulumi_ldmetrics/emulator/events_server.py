"""The events host's own listener on 127.0.0.1, next to the metrics API's.

LaunchDarkly serves event imports from another host (`events.launchdarkly.com`), so the
emulator does too: a second port, whose base URL is what `ldmetrics:eventsHost` points at.
It reuses the metrics server's HTTP machinery (keep-alive, faults that drop or lose a
response, lingering close, JSON errors for malformed requests) and differs in two things:
requests go to `emulator.events`, and bodies may be 10 MB (the metrics API's cap is 1 MiB).
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Final

from pulumi_ldmetrics.emulator.app import Emulator
from pulumi_ldmetrics.emulator.events_validation import MAX_BODY_BYTES
from pulumi_ldmetrics.emulator.framing import FramingError, read_body
from pulumi_ldmetrics.emulator.responses import error_response
from pulumi_ldmetrics.emulator.server import LOOPBACK, _Handler, _new_id, _Server, log

__all__ = ["EventsServer"]

_THREAD_NAME: Final = "ldmetrics-emulator-events"


class _EventsHandler(_Handler):
    def _serve(self) -> None:
        try:
            body = read_body(
                self.headers.get_all("Content-Length") or [],
                self.headers.get_all("Transfer-Encoding") or [],
                self.rfile,
                limit=MAX_BODY_BYTES,
            )
        except FramingError as err:
            # As on the metrics listener: the body's end is unknown, so close after answering.
            self.close_connection = True
            headers = {"Connection": "close"}
            self._send(error_response(err.status, err.code, err.message, _new_id(), headers))
            self._linger()
            return
        path, _, query = self.path.partition("?")
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            response = self.server.emulator.events.handle(self.command, path, query, headers, body)
        except Exception:  # noqa: BLE001 - logged below; the client must still get an answer
            # A bug must still answer: a silent close looks like a lost response to clients.
            log.exception("emulator events: unhandled error on %s %s", self.command, path)
            response = error_response(
                500, "internal_server_error", "emulator bug: see its log", _new_id()
            )
        if response.delivery != "respond":
            self.close_connection = True
            self._abort()
            return
        self._send(response)


class EventsServer:
    """Serve `emulator.events` on `http://127.0.0.1:<port>` in a background thread.

    Use as a context manager, next to (or without) an `EmulatorServer` of the same emulator.
    `port=0` picks a free port; `.url` is the events host to configure.
    """

    def __init__(self, emulator: Emulator, *, port: int = 0) -> None:
        self.emulator = emulator
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (once started)."""
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. "http://127.0.0.1:54321"."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> EventsServer:
        """Bind to loopback and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("server already started")
        server = _Server(self._port, self.emulator)
        server.RequestHandlerClass = _EventsHandler
        self._server = server
        for host in (LOOPBACK, "localhost"):
            self.emulator.events.add_origin(f"http://{host}:{self.port}")
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=_THREAD_NAME,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; close the listening socket and open connections."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server, self._thread = None, None

    def __enter__(self) -> EventsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
