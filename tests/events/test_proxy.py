"""`EventsClient` behind a proxy from the environment, as `LDMetricsClient` is (both are built
by `_http.open_http_client`): HTTP_PROXY / HTTPS_PROXY are used and NO_PROXY is respected, the
per-attempt deadline bounds a proxy that trickles, and a proxy that echoes the token never gets
it printed. The proxies are the hostile loopback servers of the metrics client's tests."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics import _deadline
from pulumi_ldmetrics.events import EventsClient, EventsConnectionError, EventsStatusError
from pulumi_ldmetrics.events.client import import_path
from pulumi_ldmetrics.settings import ClientSettings
from tests.hostile import (
    Behaviour,
    HostileServer,
    everything_about,
    fragments,
    respond,
    trickle_body,
    trickle_headers,
)

from .conftest import ENVIRONMENT, PROJECT, TOKEN

PAYLOAD = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
PATH = import_path(PROJECT, ENVIRONMENT)
ACCEPTED = respond("202 Accepted", b"")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start from no proxy settings at all, whatever the machine running the tests has."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def closed_port_url() -> str:
    """An http URL on loopback where nothing listens: reached directly, it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def events_client(host: str, **settings: Any) -> EventsClient:
    config: dict[str, Any] = {
        "access_token": TOKEN,
        "api_host": host,
        "max_retries": 0,
        "timeout_seconds": 2,
        **settings,
    }
    return EventsClient(ClientSettings(**config), sleep=lambda _s: None)


def send(client: EventsClient) -> int:
    with client:
        return client.send_batch(PROJECT, ENVIRONMENT, b"[]", PAYLOAD, "batch 1 of 1").status


def assert_no_token_fragment(text: str) -> None:
    leaked = sorted(f for f in fragments(TOKEN) if f in text)
    assert not leaked, f"token fragments {leaked} in: {text[:400]!r}"


def test_every_transport_is_bound_by_the_deadline_with_proxies_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The twin of test_a_proxy_from_the_environment_is_bound_by_the_deadline_too (tests/client).
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    settings = ClientSettings(access_token=TOKEN, api_host="https://events.launchdarkly.com")
    with EventsClient(settings) as client:
        mounts = [t for t in client._http._mounts.values() if t is not None]
        assert len(mounts) == 2, "httpx no longer keeps environment proxies in _mounts"
        for transport in [client._http._transport, *mounts]:
            backend = transport._pool._network_backend  # type: ignore[attr-defined]
            assert isinstance(backend, _deadline._DeadlineBackend)


def test_the_events_request_goes_through_http_proxy(
    serve: Callable[[Behaviour], HostileServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = serve(ACCEPTED)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    host = closed_port_url()  # reached directly, the batch would be refused

    assert send(events_client(host)) == 202

    assert len(proxy.requests) == 1
    head = proxy.requests[0].decode()
    assert head.startswith(f"POST {host}{PATH} HTTP/1.1\r\n")  # the absolute form: proxied
    assert f"x-launchdarkly-payload-id: {PAYLOAD}" in head.lower()


def test_an_https_events_host_is_tunnelled_through_https_proxy_without_the_token(
    serve: Callable[[Behaviour], HostileServer], monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG, logger="pulumi_ldmetrics")
    proxy = serve(respond("403 Forbidden", b"no tunnels today"))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)

    with pytest.raises(EventsConnectionError) as caught:
        send(events_client("https://events.launchdarkly.com"))

    assert [r.split(b"\r\n")[0] for r in proxy.requests] == [
        b"CONNECT events.launchdarkly.com:443 HTTP/1.1"
    ]
    assert_no_token_fragment(proxy.requests[0].decode())  # the token only goes inside TLS
    message = str(caught.value)
    assert "ProxyError talking to https://events.launchdarkly.com" in message
    assert "batch 1 of 1, payload" in message
    assert_no_token_fragment(everything_about(caught.value, caplog.records))


def test_no_proxy_sends_the_events_request_directly(
    serve: Callable[[Behaviour], HostileServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = serve(respond("502 Bad Gateway", b""))
    direct = serve(ACCEPTED)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    assert send(events_client(direct.url)) == 202

    assert proxy.requests == []
    assert len(direct.requests) == 1
    assert direct.requests[0].startswith(f"POST {PATH} HTTP/1.1\r\n".encode())


@pytest.mark.parametrize(
    ("variable", "host", "behaviour"),
    [
        ("HTTP_PROXY", None, trickle_headers),
        ("HTTP_PROXY", None, trickle_body),
        ("HTTPS_PROXY", "https://events.launchdarkly.com", trickle_headers),
    ],
    ids=["forwarded-headers", "forwarded-body", "connect-answer"],
)
def test_a_trickling_proxy_is_cut_off_at_the_request_time_limit(
    serve: Callable[[Behaviour], HostileServer],
    monkeypatch: pytest.MonkeyPatch,
    caplog: Any,
    variable: str,
    host: str | None,
    behaviour: Behaviour,
) -> None:
    # Unbounded, each byte would reset httpx's per-read timeout of 2 s for a minute or more.
    caplog.set_level(logging.DEBUG, logger="pulumi_ldmetrics")
    proxy = serve(behaviour)
    monkeypatch.setenv(variable, proxy.url)

    started = time.monotonic()
    with pytest.raises(EventsConnectionError) as caught:
        send(events_client(host or closed_port_url()))
    elapsed = time.monotonic() - started

    assert elapsed < 4, f"took {elapsed:.1f} s"
    assert len(proxy.requests) == 1
    assert "ReadTimeout talking to" in str(caught.value)
    assert_no_token_fragment(everything_about(caught.value, caplog.records))


def test_a_proxy_echoing_the_token_never_gets_it_printed(
    serve: Callable[[Behaviour], HostileServer], monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def echo(conn: socket.socket, head: bytes) -> None:
        # A plain-http proxy sees the Authorization header of what it forwards.
        token = next(
            line.split(b":", 1)[1].strip().decode()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"authorization:")
        )
        body = f'{{"code": "bad-{token}", "message": "{token[:12]} / {token[8:]}"}}'.encode()
        respond(f"400 {token}", body, {"X-Request-Id": token})(conn, head)

    caplog.set_level(logging.DEBUG, logger="pulumi_ldmetrics")
    proxy = serve(echo)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)

    with pytest.raises(EventsStatusError) as caught:
        send(events_client(closed_port_url()))

    assert len(proxy.requests) == 1
    assert caught.value.status_code == 400 and "[redacted]" in str(caught.value)
    assert_no_token_fragment(everything_about(caught.value, caplog.records))


def test_an_explicit_transport_reads_no_proxy_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test seam stays as it was: a transport passed in is the only one used.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(202)

    settings = ClientSettings(access_token=TOKEN, api_host="https://events.launchdarkly.com")
    client = EventsClient(settings, transport=httpx.MockTransport(handler))
    assert send(client) == 202
    assert seen == [f"https://events.launchdarkly.com{PATH}"]
