"""Hypothesis fuzzing of the emulator's request handler over a real socket.

Raw requests, not an HTTP library's: odd methods, paths, headers and bodies (JSON shaped like
metrics and patches, arbitrary JSON, arbitrary bytes). For every one: a complete answer, never
a 5xx, and the same connection then serves a plain GET. Framing that cannot be trusted (a bad
`Content-Length`, a `Transfer-Encoding`) may close the connection, but only after a 4xx.

Bounded: a fixed number of examples, a fixed seed, no example database, a socket timeout (a
hang fails), and a wall-clock budget.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer

from .helpers import CUSTOM, PAGEVIEW, TOKEN
from .rawhttp import RawConnection, RawResponse

EXAMPLES = 300
BUDGET_SECONDS = 60.0
PROBE = "/api/v2/metrics/proj"

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- strategies -------------------------------------------------------------------------------

_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
_PATH_CHARS = _TOKEN_CHARS + "_.~%/:@!$&'()*+,;=?"
_VALUE_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")
# Framing headers are fuzzed on their own (test_fuzzed_framing); these would make the
# request's end ambiguous here.
_FRAMING = {"content-length", "transfer-encoding", "host", "connection"}

methods = st.one_of(
    st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "TRACE"]),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12
    ),
)
keys = st.one_of(
    st.sampled_from(["proj", "signup", "home", "x", "a.b-c_d", "", "..", "%2F", "%00", "%ZZ"]),
    st.text(alphabet=_TOKEN_CHARS + "%._~", max_size=20),
)
paths = st.one_of(
    st.builds(lambda p: f"/api/v2/metrics/{p}", keys),
    st.builds(lambda p, m: f"/api/v2/metrics/{p}/{m}", keys, keys),
    st.builds(lambda p, m, q: f"/api/v2/metrics/{p}/{m}/{q}", keys, keys, keys),
    st.builds(lambda p: f"/api/v2/projects/{p}", keys),
    st.sampled_from(["/api/v2/projects", "/_emulator/reset", "/_emulator/log", "/", "*"]),
    st.builds(lambda p: f"/_emulator/{p}", keys),
    st.text(alphabet=_PATH_CHARS, min_size=1, max_size=60).map(lambda p: "/" + p),
)
queries = st.one_of(
    st.just(""),
    st.sampled_from(["limit=0", "limit=51", "offset=-1", "limit=9" * 30, "sort=nope", "filter=["]),
    st.text(alphabet=_PATH_CHARS.replace("?", ""), max_size=60),
)
header_names = st.text(alphabet=_TOKEN_CHARS, min_size=1, max_size=20).filter(
    lambda n: n.lower() not in _FRAMING
)
header_values = st.text(alphabet=_VALUE_CHARS, max_size=80).map(str.strip)
headers = st.dictionaries(
    st.one_of(
        st.sampled_from(
            [
                "Authorization",
                "Content-Type",
                "X-HTTP-Method-Override",
                "LD-API-Version",
                "Origin",
                "Expect",
                "Accept",
                "User-Agent",
            ]
        ),
        header_names,
    ),
    st.one_of(
        st.sampled_from([TOKEN, "PATCH", "DELETE", "application/json", "100-continue", "beta"]),
        header_values,
    ),
    max_size=8,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
metric_fields = st.sampled_from(
    [
        "key",
        "kind",
        "eventKey",
        "urls",
        "isNumeric",
        "unit",
        "percentileValue",
        "analysisType",
        "filters",
        "denominator",
        "eventDefault",
        "winsorLowerPercentile",
        "tags",
        "dataSource",
        "isActive",
    ]
)
metric_bodies = st.builds(
    lambda base, extra: {**base, **extra},
    st.sampled_from([CUSTOM, PAGEVIEW, {}]),
    st.dictionaries(metric_fields, json_values, max_size=4),
)
patch_ops = st.lists(
    st.fixed_dictionaries(
        {"op": st.sampled_from(["add", "remove", "replace", "test", "move", "x"])},
        optional={
            "path": st.one_of(
                metric_fields.map(lambda f: "/" + f),
                st.sampled_from(["/", "", "/urls/0/kind", "/tags/-", "/eventDefault/value"]),
                st.text(max_size=15),
            ),
            "value": json_values,
            "from": st.text(max_size=10),
        },
    ),
    max_size=4,
)
bodies = st.one_of(
    st.none(),
    metric_bodies.map(lambda b: json.dumps(b).encode()),
    patch_ops.map(lambda b: json.dumps(b).encode()),
    json_values.map(lambda b: json.dumps(b).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"[" * 5000, b'{"a":' * 3000, b"NaN", b"1e999", b"9" * 5000, b"\xff\xfe"]),
)


# -- the tests --------------------------------------------------------------------------------


@pytest.fixture
def fuzz_server() -> Iterator[EmulatorServer]:
    # A control token the fuzzer never sends: a fuzzed PUT /_emulator/faults must not be able
    # to switch on 5xx or drop faults and fail the run for the wrong reason.
    emulator = Emulator(token=TOKEN, control_token="control-token-the-fuzzer-does-not-know")
    with EmulatorServer(emulator) as server:
        yield server
    emulator.close()


def _send(conn: RawConnection, method: str, target: str, hdrs: dict[str, str], body: bytes) -> None:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in hdrs.items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    conn.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


def _check_answer(response: RawResponse, head: bool) -> None:
    assert response.status < 500, (response.status, response.body[:300])
    if response.status >= 400 and not head:
        payload: Any = response.json()
        assert isinstance(payload["code"], str) and isinstance(payload["message"], str)


def _probe(conn: RawConnection) -> None:
    """The connection still serves a plain request, answered correctly."""
    answer = conn.request("GET", PROBE, {"Authorization": TOKEN})
    assert answer.status == 200, answer.body[:300]
    assert "items" in answer.json()


def test_fuzzed_requests_never_5xx_and_keep_the_connection(fuzz_server: EmulatorServer) -> None:
    started = time.monotonic()

    @FUZZ_SETTINGS
    @given(method=methods, path=paths, query=queries, hdrs=headers, body=bodies)
    def run(method: str, path: str, query: str, hdrs: dict[str, str], body: bytes | None) -> None:
        assert time.monotonic() - started < BUDGET_SECONDS, "fuzz run over its time budget"
        target = f"{path}?{query}" if query else path
        with RawConnection(fuzz_server.port) as conn:
            _send(conn, method, target, hdrs, body or b"")
            response = conn.read_response(head=method == "HEAD")
            _check_answer(response, head=method == "HEAD")
            assert response.headers.get("connection") != "close", response.body[:300]
            _probe(conn)

    run()


_cl_invalid = st.text(alphabet="0123456789abcxyz -+,.;", min_size=1, max_size=12).filter(
    lambda v: not v.strip().isdigit()
)
_te_values = st.sampled_from(["chunked", "Chunked", "gzip", "gzip, chunked", "chunked, gzip", ""])


def _chunked(body: bytes, cut: int) -> bytes:
    parts = [body[:cut], body[cut:]]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p) + b"0\r\n\r\n"


def test_fuzzed_framing_is_answered_and_never_smuggled(fuzz_server: EmulatorServer) -> None:
    started = time.monotonic()

    @FUZZ_SETTINGS
    @given(
        content_length=st.one_of(st.none(), st.just("exact"), _cl_invalid),
        transfer_encoding=st.one_of(st.none(), _te_values),
        body=metric_bodies.map(lambda b: json.dumps(b).encode()),
        cut=st.integers(min_value=0, max_value=50),
        garbage=st.booleans(),
    )
    def run(
        content_length: str | None,
        transfer_encoding: str | None,
        body: bytes,
        cut: int,
        garbage: bool,
    ) -> None:
        assert time.monotonic() - started < BUDGET_SECONDS, "fuzz run over its time budget"
        hdrs = {"Authorization": TOKEN, "Content-Type": "application/json"}
        payload = body
        if content_length is None and transfer_encoding is None:
            content_length = "exact"  # with no length at all there is no body, by definition
        if transfer_encoding is not None:
            hdrs["Transfer-Encoding"] = transfer_encoding
            # Garbage is a whole line starting with a non-hex byte: refused at once. (Without
            # its line end the server would rightly wait for the rest of the chunk-size line.)
            payload = b"zz" + body + b"\r\n" if garbage else _chunked(body, cut)
        if content_length == "exact":
            hdrs["Content-Length"] = str(len(payload))
        elif content_length is not None:
            hdrs["Content-Length"] = content_length
        with RawConnection(fuzz_server.port) as conn:
            lines = [f"POST {PROBE} HTTP/1.1", "Host: 127.0.0.1"]
            lines += [f"{k}: {v}" for k, v in hdrs.items()]
            conn.send(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
            response = conn.read_response()
            _check_answer(response, head=False)
            if response.headers.get("connection") == "close":
                assert 400 <= response.status < 500
                assert conn.is_closed_by_server()
            else:
                _probe(conn)

    run()
