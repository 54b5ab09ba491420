"""The client against servers that misbehave on purpose, over real loopback sockets.

Each case asserts the error class, that the call ended within a bound (the client's own limits,
never a test timer that could pass by luck: the bounds are far below what the misbehaviour would
take unchecked), and that no 6-character fragment of the token appears in the message, the
exception's repr, its formatted traceback chain, or the log records.
"""

from __future__ import annotations

import logging
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any

import pytest

from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    RateLimitError,
    ServerError,
    UnauthorizedError,
)
from pulumi_ldmetrics.models import MetricRep, outputs_from_rep
from pulumi_ldmetrics.settings import ClientSettings
from tests.hostile import (
    Behaviour,
    HostileServer,
    endless_chunks,
    everything_about,
    fragments,
    json_response,
    respond,
    trickle_body,
    trickle_headers,
    truncated,
)

TOKEN = "api-5e1f0c2b-9d7a-4c3e-8b6f-a3c8e6b1f042"
"""What the hostile servers try to make the client repeat."""


def assert_no_fragment(text: str, secret: str = TOKEN) -> None:
    leaked = sorted(f for f in fragments(secret) if f in text)
    assert not leaked, f"token fragments {leaked} in: {text[:400]!r}"


# --- fixtures -------------------------------------------------------------------------------


def client_for(server: HostileServer, **settings: Any) -> LDMetricsClient:
    config: dict[str, Any] = {
        "access_token": TOKEN,
        "api_host": server.url,
        "max_retries": 0,
        "timeout_seconds": 2,
        **settings,
    }
    return LDMetricsClient(ClientSettings(**config))


def run(client: LDMetricsClient, expected: type[APIError], within: float) -> APIError:
    started = time.monotonic()
    with client, pytest.raises(expected) as info:
        client.get_metric("web", "signup")
    elapsed = time.monotonic() - started
    assert elapsed < within, f"took {elapsed:.1f} s"
    return info.value


# --- time -----------------------------------------------------------------------------------


@pytest.mark.parametrize("behaviour", [trickle_body, trickle_headers], ids=["body", "headers"])
def test_a_trickling_server_is_cut_off_at_the_request_time_limit(
    serve: Callable[[Behaviour], HostileServer], behaviour: Behaviour, caplog: Any
) -> None:
    # Unbounded, each byte would reset httpx's per-read timeout for 30 s or more.
    caplog.set_level(logging.DEBUG, logger="pulumi_ldmetrics")
    error = run(client_for(serve(behaviour)), APITimeoutError, within=4)
    assert "request time limit of 2 s" in str(error)
    assert_no_fragment(everything_about(error, caplog.records))


def test_retries_stop_at_the_operation_time_limit(
    serve: Callable[[Behaviour], HostileServer],
) -> None:
    # 8 retries of 2 s each would take 16 s and more; the operation limit is 3 s.
    client = client_for(
        serve(trickle_body), max_retries=8, timeout_seconds=2, operation_timeout_seconds=3
    )
    error = run(client, APITimeoutError, within=6)
    assert "time limit" in str(error)


def test_an_endless_body_is_refused_at_the_size_cap(
    serve: Callable[[Behaviour], HostileServer],
) -> None:
    server = serve(endless_chunks)
    error = run(client_for(server, max_response_bytes=1 << 20), APIError, within=10)
    assert "larger than 1048576 bytes" in str(error)
    assert len(server.requests) == 1  # not retried


def test_a_declared_huge_body_is_refused_before_it_is_read(
    serve: Callable[[Behaviour], HostileServer],
) -> None:
    def huge(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n{")
        time.sleep(5)

    error = run(client_for(serve(huge)), APIError, within=3)
    assert "larger than" in str(error)


def test_a_truncated_body_is_a_connection_error(
    serve: Callable[[Behaviour], HostileServer],
) -> None:
    error = run(client_for(serve(truncated)), APIConnectionError, within=3)
    assert "RemoteProtocolError" in str(error)


def test_a_refused_connection_fails_fast_and_names_the_host_setting() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ClientSettings(
        access_token=TOKEN, api_host=f"http://127.0.0.1:{port}", max_retries=8
    )
    started = time.monotonic()
    with LDMetricsClient(settings) as client, pytest.raises(APIConnectionError) as info:
        client.get_metric("web", "signup")
    assert time.monotonic() - started < 5  # 8 retries with backoff would take over a minute
    message = str(info.value)
    assert "cannot connect" in message and "ldmetrics:apiHost" in message
    assert "retried 2 times" in message


# --- echoes of the token --------------------------------------------------------------------


def _echoing(kind: str) -> Behaviour:
    def behaviour(conn: socket.socket, head: bytes) -> None:
        # The server reads the token off the request, as a hostile proxy would.
        token = next(
            line.split(b":", 1)[1].strip().decode()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"authorization:")
        )
        if kind == "text body":
            respond("400 Bad Request", f"<html>bad token {token} here</html>".encode())(conn, head)
        elif kind == "code":
            json_response("400 Bad Request", {"code": token, "message": "no"})(conn, head)
        elif kind == "message":
            json_response("401 Unauthorized", {"code": "unauthorized", "message": f"bad {token}!"})(
                conn, head
            )
        elif kind == "request id":
            json_response("401 Unauthorized", {"code": "x", "message": "m", "id": token})(
                conn, head
            )
        elif kind == "request id header":
            json_response(
                "401 Unauthorized", {"code": "x", "message": "m"}, {"X-Request-Id": token}
            )(conn, head)
        elif kind == "reason phrase":
            respond(f"400 {token}", b"")(conn, head)
        elif kind == "cut at the limit":
            # Where a 200-character cut would fall in the middle of the token.
            padding = "p" * 190
            respond("400 Bad Request", f"{padding}{token}".encode())(conn, head)
        elif kind == "2xx non-JSON":
            respond("200 OK", f"token={token}".encode())(conn, head)
        elif kind == "split by escapes":
            half = len(token) // 2
            text = f"{token[:half]}\\n{token[half:]}"
            json_response("400 Bad Request", {"code": "x", "message": text})(conn, head)
        else:
            raise AssertionError(kind)

    return behaviour


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("text body", BadRequestError),
        ("code", BadRequestError),
        ("message", UnauthorizedError),
        ("request id", UnauthorizedError),
        ("request id header", UnauthorizedError),
        ("reason phrase", BadRequestError),
        ("cut at the limit", BadRequestError),
        ("2xx non-JSON", APIError),
        ("split by escapes", BadRequestError),
    ],
)
def test_a_server_echoing_the_token_never_gets_it_printed(
    serve: Callable[[Behaviour], HostileServer],
    kind: str,
    expected: type[APIError],
    caplog: Any,
) -> None:
    caplog.set_level(logging.DEBUG, logger="pulumi_ldmetrics")
    error = run(client_for(serve(_echoing(kind))), expected, within=3)
    assert_no_fragment(everything_about(error, caplog.records))
    assert "\n" not in str(error)


def test_an_html_error_page_becomes_a_short_server_error(
    serve: Callable[[Behaviour], HostileServer],
) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1>" + b"<p>nginx</p>" * 500 + b"</body></html>"
    error = run(
        client_for(serve(respond("502 Bad Gateway", page, {"Content-Type": "text/html"}))),
        ServerError,
        within=3,
    )
    assert isinstance(error, APIStatusError) and error.status_code == 502
    assert len(str(error)) < 400 and "502 Bad Gateway" in str(error)


def test_a_redirect_is_not_followed_and_the_token_goes_nowhere_else(
    serve: Callable[[Behaviour], HostileServer],
) -> None:
    elsewhere = serve(json_response("200 OK", {"key": "signup", "kind": "custom"}))
    redirecting = serve(respond("302 Found", b"", {"Location": f"{elsewhere.url}/steal"}))
    error = run(client_for(redirecting), APIStatusError, within=3)
    assert isinstance(error, APIStatusError) and error.status_code == 302
    assert elsewhere.requests == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "-5"},
        {"Retry-After": "NaN"},
        {"Retry-After": "1e309"},
        {"Retry-After": "99999999"},
        {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"},
        {"X-Ratelimit-Reset": "garbage"},
        {"X-Ratelimit-Reset": "-1"},
        {"X-Ratelimit-Reset": "99999999999999999999"},
    ],
    ids=lambda h: "=".join(next(iter(h.items()))),
)
def test_odd_rate_limit_headers_give_bounded_waits(
    serve: Callable[[Behaviour], HostileServer], headers: dict[str, str]
) -> None:
    server = serve(json_response("429 Too Many Requests", {"code": "rate_limited"}, headers))
    waits: list[float] = []
    settings = ClientSettings(access_token=TOKEN, api_host=server.url, max_retries=3)
    with LDMetricsClient(settings, sleep=waits.append) as client:
        with pytest.raises(RateLimitError):
            client.get_metric("web", "signup")
    assert len(waits) == 3 and len(server.requests) == 4
    assert all(0 < wait <= 33 for wait in waits), waits  # 30 s cap plus jitter


# --- a newer API ----------------------------------------------------------------------------


def test_unknown_enums_and_nested_fields_are_read_not_refused(
    serve: Callable[[Behaviour], HostileServer],
) -> None:
    newer = {
        "key": "signup",
        "name": "Sign-up",
        "kind": "hologram",
        "unitAggregationType": "median",
        "analysisType": "bayesian",
        "eventDefault": {"disabled": False, "value": 0, "strategy": "impute"},
        "urls": [{"kind": "glob", "glob": "/a/*"}],
        "futureField": {"nested": [1, 2, 3]},
        "_version": 3,
    }
    server = serve(json_response("200 OK", newer))
    with client_for(server) as client:
        rep = client.get_metric("web", "signup")
    assert rep == newer
    outputs = outputs_from_rep(MetricRep.model_validate(rep), "web", site_base_url=server.url)
    assert outputs["kind"] == "hologram" and outputs["unit_aggregation_type"] == "median"


# --- settings that would leak ---------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "api-0f1e2d3c\n4b5a69788796a5b4c3d2e1f0",  # a newline inside
        "api-0f1e2d3c4b5a6978\x008796a5b4c3d2e1f0",  # a NUL
        "api-0f1e2d3c4b5a6978é8796a5b4c3d2e1f0",  # non-ASCII
        "api-0f1e2d3c4b5a 69788796a5b4c3d2e1f0",  # a space
    ],
    ids=["newline", "nul", "non-ascii", "space"],
)
def test_a_malformed_token_is_refused_without_quoting_it(token: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        ClientSettings.resolve({"ldmetrics:accessToken": token}, {})
    message = str(info.value)
    assert message.startswith("ldmetrics:accessToken: the access token has")
    assert "position" in message
    for part in token.replace("\n", " ").replace("\x00", " ").replace("é", " ").split():
        assert_no_fragment("".join(traceback.format_exception(info.value)), part)
    assert info.value.__context__ is None and info.value.__cause__ is None


def test_credentials_in_the_api_host_are_refused_without_quoting_them() -> None:
    host = "https://deploy-bot:Sup3rS3cretPassw0rd@app.launchdarkly.com"
    with pytest.raises(ConfigurationError) as info:
        ClientSettings.resolve({"ldmetrics:accessToken": TOKEN, "ldmetrics:apiHost": host}, {})
    text = "".join(traceback.format_exception(info.value))
    assert "user name or password" in str(info.value)
    assert_no_fragment(text, "deploy-bot:Sup3rS3cretPassw0rd")


def test_a_proxy_from_the_environment_is_bound_by_the_deadline_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pulumi_ldmetrics import _deadline

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    settings = ClientSettings(access_token=TOKEN, api_host="https://app.launchdarkly.com")
    with LDMetricsClient(settings) as client:
        mounts = [t for t in client._http._mounts.values() if t is not None]
        assert mounts, "httpx no longer keeps environment proxies in _mounts"
        for transport in mounts:
            backend = transport._pool._network_backend  # type: ignore[attr-defined]
            assert isinstance(backend, _deadline._DeadlineBackend)
