"""A hard deadline on every socket operation of a request: connect, TLS, each write, each read.

httpx's timeouts bound each socket operation on its own, so a server that trickles one byte a
second keeps a request alive forever. Here every operation's timeout is cut to what is left of
the request's deadline, and an operation that starts after it raises httpcore's timeout error
(which httpx maps to `httpx.ConnectTimeout` / `ReadTimeout` / `WriteTimeout`). The deadline is
per thread (`deadline(seconds)`), because one connection pool serves the provider's worker
threads and each request has its own.

`install(transport)` puts the wrapper under an `httpx.HTTPTransport`. httpx has no public hook
for httpcore's network backend, so this sets the pool's backend attribute; a test fails if an
httpx upgrade renames it (the trickle tests in `tests/client/test_hostile_server.py`).
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx
from httpcore import NetworkBackend, NetworkStream

__all__ = ["deadline", "install", "remaining"]

_local = threading.local()


@contextlib.contextmanager
def deadline(at: float) -> Iterator[None]:
    """Run the block with socket operations bounded by the monotonic time `at`."""
    previous = getattr(_local, "at", None)
    _local.at = at
    try:
        yield
    finally:
        _local.at = previous


def remaining() -> float | None:
    """Seconds left before this thread's deadline, or None outside `deadline()`."""
    at: float | None = getattr(_local, "at", None)
    return None if at is None else at - time.monotonic()


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the request's total time limit was reached")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(NetworkStream):
    def __init__(self, inner: NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(NetworkBackend):
    def __init__(self, inner: NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, _bounded(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def install(transport: httpx.BaseTransport) -> bool:
    """Bound `transport`'s socket operations by the thread's deadline; False if it cannot be."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(backend, NetworkBackend):
        return False
    if not isinstance(backend, _DeadlineBackend):
        pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return True
