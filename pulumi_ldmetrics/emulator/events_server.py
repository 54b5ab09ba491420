"""The events host's own listener on 127.0.0.1, next to the metrics API's.

LaunchDarkly serves event imports from another host (`events.launchdarkly.com`), so the
emulator does too: a second port, whose base URL is what `ldmetrics:eventsHost` points at.
It is the metrics server (keep-alive, faults that drop or lose a response, lingering close,
JSON errors for malformed requests, start/stop) with two differences: requests go to
`emulator.events`, and bodies may be 10 MB (the metrics API's cap is 1 MiB).
"""

from __future__ import annotations

from typing import Final

from pulumi_ldmetrics.emulator.app import Emulator
from pulumi_ldmetrics.emulator.events_validation import MAX_BODY_BYTES
from pulumi_ldmetrics.emulator.responses import Response
from pulumi_ldmetrics.emulator.server import EmulatorServer, _Handler

__all__ = ["EventsServer"]

_THREAD_NAME: Final = "ldmetrics-emulator-events"


class _EventsHandler(_Handler):
    body_limit = MAX_BODY_BYTES

    def _dispatch(self, path: str, query: str, headers: dict[str, str], body: bytes) -> Response:
        return self.server.emulator.events.handle(self.command, path, query, headers, body)


class EventsServer(EmulatorServer):
    """Serve `emulator.events` on `http://127.0.0.1:<port>` in a background thread.

    Use as a context manager, next to (or without) an `EmulatorServer` of the same emulator.
    `port=0` picks a free port; `.url` is the events host to configure.
    """

    _handler = _EventsHandler
    _thread_name = _THREAD_NAME

    def __init__(self, emulator: Emulator, *, port: int = 0) -> None:
        super().__init__(emulator, port=port)

    def _allow_origin(self, origin: str) -> None:
        self.emulator.events.add_origin(origin)
