"""Hostile and malformed requests over a real socket: always a 4xx JSON answer, never a dead
handler thread, a hang, or bytes of one request run as another."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.emulator.framing import MAX_BODY_BYTES

from .helpers import CUSTOM, METRICS, TOKEN, create
from .rawhttp import RawConnection, RawResponse

AUTH = {"Authorization": TOKEN, "Content-Type": "application/json"}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _deep_filter(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {
        "type": "contextAttribute",
        "attribute": "country",
        "op": "in",
        "values": ["de"],
        "negate": False,
    }
    for _ in range(depth):
        node = {"type": "group", "op": "and", "values": [node], "negate": False}
    return node


def _body(**fields: Any) -> bytes:
    return json.dumps({**CUSTOM, **fields}).encode()


# The nine bodies that used to kill a handler thread (issue 10), as (method, path, body).
HOSTILE_BODIES: dict[str, tuple[str, str, str | bytes]] = {
    "kind is a list": ("POST", METRICS, _body(kind=["custom"])),
    "kind is an object": ("POST", METRICS, _body(kind={"custom": True})),
    "url kind is a list": (
        "POST",
        METRICS,
        json.dumps({"key": "p", "kind": "pageview", "urls": [{"kind": ["exact"], "url": "x"}]}),
    ),
    "url kind is an object": (
        "POST",
        METRICS,
        json.dumps({"key": "p", "kind": "pageview", "urls": [{"kind": {}, "url": "x"}]}),
    ),
    "10^400 integer": ("POST", METRICS, _body(winsorLowerPercentile=10**400)),
    "5,000-digit integer": (
        "POST",
        METRICS,
        b'{"key": "k", "kind": "custom", "eventKey": "e", "percentileValue": ' + b"9" * 5000 + b"}",
    ),
    "100,000 deep POST": ("POST", METRICS, _nested(100_000)),
    "100,000 deep PATCH": ("PATCH", f"{METRICS}/signup", _nested(100_000)),
    "filters 400 deep": ("POST", METRICS, _body(filters=_deep_filter(400))),
}


def _assert_json_4xx(response: RawResponse, status: int | None = None) -> dict[str, Any]:
    assert 400 <= response.status < 500, (response.status, response.body[:200])
    if status is not None:
        assert response.status == status, response.body[:200]
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_hostile_body_gets_400_and_the_connection_stays_usable(
    name: str, server: EmulatorServer, client: httpx.Client, emulator: Emulator
) -> None:
    before = create(client, CUSTOM)
    method, path, body = HOSTILE_BODIES[name]
    raw = body.encode() if isinstance(body, str) else body
    with RawConnection(server.port) as conn:
        _assert_json_4xx(conn.request(method, path, AUTH, raw), 400)
        # Same connection, next request: answered, so the handler thread survived.
        follow_up = conn.request("GET", f"{METRICS}/signup", AUTH)
        assert follow_up.status == 200 and follow_up.json()["_version"] == 1
    assert emulator.metrics() == {"proj": [before]}


def test_content_length_not_a_number_is_400_and_closes(server: EmulatorServer) -> None:
    with RawConnection(server.port) as conn:
        response = conn.request("POST", METRICS, {**AUTH, "Content-Length": "abc"}, b"{}")
        _assert_json_4xx(response, 400)
        assert response.headers["connection"] == "close"
        assert conn.is_closed_by_server()


@pytest.mark.parametrize("value", ["-1", "+2", "1, 2", "0x10", ""])
def test_content_length_must_be_one_decimal(server: EmulatorServer, value: str) -> None:
    with RawConnection(server.port) as conn:
        conn.send(
            f"POST {METRICS} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\n"
            f"Content-Length: {value}\r\n\r\n{{}}".encode()
        )
        _assert_json_4xx(conn.read_response(), 400)


def test_chunked_body_is_decoded(server: EmulatorServer, emulator: Emulator) -> None:
    body = json.dumps(CUSTOM).encode()
    chunked = (
        b"".join(b"%x;ext=1\r\n%s\r\n" % (len(part), part) for part in (body[:7], body[7:]))
        + b"0\r\nX-Trailer: t\r\n\r\n"
    )
    with RawConnection(server.port) as conn:
        response = conn.request("POST", METRICS, {**AUTH, "Transfer-Encoding": "chunked"}, chunked)
        assert response.status == 201, response.body
        assert conn.request("GET", f"{METRICS}/signup", AUTH).status == 200
    assert [m["key"] for m in emulator.metrics()["proj"]] == ["signup"]


def test_no_request_smuggling_through_a_chunked_body(
    server: EmulatorServer, client: httpx.Client, emulator: Emulator
) -> None:
    create(client, CUSTOM)
    smuggled = f"DELETE {METRICS}/signup HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\n\r\n"
    # A front end honouring Content-Length would forward all of this as one request; a back
    # end honouring only the chunks would then run the DELETE. Both headers: refused, closed.
    payload = b"0\r\n\r\n" + smuggled.encode()
    with RawConnection(server.port) as conn:
        conn.send(
            f"GET {METRICS} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\n"
            f"Content-Length: {len(payload)}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
            + payload
        )
        _assert_json_4xx(conn.read_response(), 400)
        assert conn.is_closed_by_server()
    # A chunked body's bytes are never parsed as the next request either.
    with RawConnection(server.port) as conn:
        body = b'{"key": "x"}'
        conn.send(
            f"POST {METRICS} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
            + smuggled.encode()
        )
        _assert_json_4xx(conn.read_response(), 400)  # the POST: no kind
        assert conn.read_response().status == 204  # the DELETE was a request of its own...
    assert emulator.metrics() == {}  # ...sent after the POST, not hidden inside it
    assert [e["method"] for e in emulator.request_log()] == ["POST", "POST", "DELETE"]


@pytest.mark.parametrize("coding", ["gzip", "gzip, chunked", "chunked, chunked", "identity"])
def test_other_transfer_encodings_get_411(server: EmulatorServer, coding: str) -> None:
    with RawConnection(server.port) as conn:
        response = conn.request("POST", METRICS, {**AUTH, "Transfer-Encoding": coding}, b"")
        _assert_json_4xx(response, 411)
        assert conn.is_closed_by_server()


def test_malformed_chunks_get_400(server: EmulatorServer) -> None:
    for chunked in (b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n"):
        with RawConnection(server.port) as conn:
            headers = {**AUTH, "Transfer-Encoding": "chunked"}
            _assert_json_4xx(conn.request("POST", METRICS, headers, chunked), 400)


def test_body_over_the_cap_gets_413_without_reading_it(server: EmulatorServer) -> None:
    with RawConnection(server.port) as conn:
        # Only the headers are sent: the answer must not wait for a 100 MB body.
        conn.send(
            f"POST {METRICS} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\n"
            f"Content-Length: {100 * 1024 * 1024}\r\n\r\n".encode()
        )
        _assert_json_4xx(conn.read_response(), 413)
    with RawConnection(server.port) as conn:
        chunk = b"x" * (64 * 1024)
        headers = {**AUTH, "Transfer-Encoding": "chunked"}
        conn.send(
            f"POST {METRICS} HTTP/1.1\r\n".encode()
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()
            + b"\r\n"
        )
        sent = 0
        response = None
        while sent <= MAX_BODY_BYTES:
            try:
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                break  # the server answered and closed while we were still sending
            sent += len(chunk)
        response = conn.read_response()
        _assert_json_4xx(response, 413)


def test_body_at_the_cap_is_read(server: EmulatorServer) -> None:
    # Just under the cap is parsed (and refused as a metric), not cut off.
    padding = "x" * (MAX_BODY_BYTES - 100)
    body = json.dumps({**CUSTOM, "description": padding}).encode()
    assert len(body) <= MAX_BODY_BYTES
    with RawConnection(server.port) as conn:
        assert conn.request("POST", METRICS, AUTH, body).status == 201


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "PUT", "CONNECTX", "HEAD"])
def test_unknown_methods_get_405_json_with_allow(server: EmulatorServer, method: str) -> None:
    with RawConnection(server.port) as conn:
        response = conn.request(method, METRICS, AUTH)
        assert response.status == 405
        assert response.headers["allow"] == "GET, POST"
        if method != "HEAD":  # a HEAD answer has no body by definition
            assert _assert_json_4xx(response)["code"] == "method_not_allowed"
        item = conn.request(method, f"{METRICS}/signup", AUTH)
        assert item.status == 405 and item.headers["allow"] == "GET, PATCH, DELETE"


def test_request_line_and_header_errors_are_json(server: EmulatorServer) -> None:
    for raw in (
        b"GET\r\n\r\n",
        b"GET /a b c HTTP/1.1\r\n\r\n",
        b"GET / HTTP/x.y\r\n\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n",
    ):
        with RawConnection(server.port) as conn:
            conn.send(raw)
            _assert_json_4xx(conn.read_response())


def test_two_word_request_line_gets_a_status_line(server: EmulatorServer) -> None:
    with RawConnection(server.port) as conn:
        conn.send(b"GET /api/v2/metrics/proj\r\n\r\n")
        assert conn.read_response().status == 401
