"""LDMetricsClient over httpx.MockTransport: headers, retries, errors, pagination, lost writes."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics import __version__
from pulumi_ldmetrics._constants import MAX_RETRY_DELAY_SECONDS, RATE_LIMIT_JITTER
from pulumi_ldmetrics.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnauthorizedError,
    UnprocessableError,
)

from .conftest import NOW, TOKEN, MakeClient, error_body, metric_rep

NOW_MS = int(NOW * 1000)
BODY = {"key": "signup", "kind": "custom", "eventKey": "signed-up", "isNumeric": False}


class Script:
    """A handler that plays ``steps`` in order, then repeats ``then``; records the requests."""

    def __init__(self, *steps: httpx.Response | Exception, then: httpx.Response | None = None):
        self.steps = list(steps)
        self.then = then
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if self.steps else self.then
        assert step is not None, f"unexpected request {request.method} {request.url}"
        if isinstance(step, Exception):
            raise step
        return step


def ok(payload: Any = None, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, json=payload if payload is not None else metric_rep("proj", "signup")
    )


def err(status: int, code: str = "x", message: str = "m", **headers: str) -> httpx.Response:
    return httpx.Response(status, json=error_body(code, message), headers=headers)


def rate_limited(**headers: str) -> httpx.Response:
    return err(
        429, "rate_limited", "You've exceeded the API rate limit. Try again later.", **headers
    )


# --- headers and operations ---------------------------------------------------------------


def test_headers_and_wire_format_of_every_operation(make_client: MakeClient) -> None:
    handler = Script(
        ok(status=201), ok(), ok(), httpx.Response(204), ok({"items": [], "totalCount": 0})
    )
    client = make_client(handler)
    assert client.create_metric("proj", BODY)["key"] == "signup"
    assert client.get_metric("proj", "signup")["key"] == "signup"
    ops = [{"op": "replace", "path": "/name", "value": "Sign-up"}]
    assert client.patch_metric("proj", "signup", ops)["key"] == "signup"
    client.delete_metric("proj", "signup")
    assert client.list_metrics("proj") == []

    requests = handler.requests
    assert [(r.method, r.url.path) for r in requests] == [
        ("POST", "/api/v2/metrics/proj"),
        ("GET", "/api/v2/metrics/proj/signup"),
        ("PATCH", "/api/v2/metrics/proj/signup"),
        ("DELETE", "/api/v2/metrics/proj/signup"),
        ("GET", "/api/v2/metrics/proj"),
    ]
    for request in requests:
        assert request.url.host == "app.launchdarkly.com"
        assert request.headers["Authorization"] == TOKEN  # raw, no "Bearer"
        assert request.headers["LD-API-Version"] == "20240415"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["User-Agent"] == f"Metrics-Pulumi-int/{__version__}"
        has_body = request.method in ("POST", "PATCH")
        assert (request.headers.get("Content-Type") == "application/json") is has_body
    assert json.loads(requests[0].content) == BODY
    assert json.loads(requests[2].content) == ops


def test_keys_are_quoted_into_the_path(make_client: MakeClient) -> None:
    handler = Script(ok())
    make_client(handler).get_metric("p q", "a/b")
    assert handler.requests[0].url.raw_path == b"/api/v2/metrics/p%20q/a%2Fb"


def test_api_host_is_used(make_client: MakeClient) -> None:
    handler = Script(ok())
    make_client(handler, api_host="https://app.eu.launchdarkly.com/").get_metric("p", "k")
    url = handler.requests[0].url
    assert str(url) == "https://app.eu.launchdarkly.com/api/v2/metrics/p/k"


def test_create_needs_a_key(make_client: MakeClient) -> None:
    with pytest.raises(ValueError, match="key"):
        make_client(Script()).create_metric("proj", {"kind": "custom"})


# --- retry timing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "expected_delay"),
    [
        (rate_limited(**{"Retry-After": "2"}), 2.0),
        (rate_limited(**{"X-Ratelimit-Reset": str(NOW_MS + 1500)}), 1.5),
        (rate_limited(**{"X-Ratelimit-Reset": str(NOW_MS - 1500)}), 1.5),
        (rate_limited(**{"X-Ratelimit-Reset": str(NOW_MS - 600_000)}), MAX_RETRY_DELAY_SECONDS),
        (rate_limited(**{"Retry-After": "3", "X-Ratelimit-Reset": str(NOW_MS + 9000)}), 3.0),
        (err(503, "unavailable", **{"Retry-After": "4"}), 4.0),
    ],
    ids=[
        "retry-after",
        "reset future",
        "reset past",
        "reset far past capped",
        "both",
        "503 retry-after",
    ],
)
def test_waits_as_the_headers_ask(
    make_client: MakeClient, sleeps: list[float], first: httpx.Response, expected_delay: float
) -> None:
    handler = Script(first, ok())
    assert make_client(handler).get_metric("proj", "signup")["key"] == "signup"
    assert len(handler.requests) == 2
    [delay] = sleeps
    assert expected_delay <= delay <= expected_delay * (1 + RATE_LIMIT_JITTER)


@pytest.mark.parametrize(
    "failure",
    [
        rate_limited(),
        rate_limited(**{"X-Ratelimit-Reset": "-1500"}),
        err(500, "internal"),
        err(502, "bad_gateway"),
        httpx.Response(503, text="<html>upstream\nunavailable</html>"),
        httpx.ConnectError("connection refused"),
        httpx.ReadError("connection reset by peer"),
        httpx.ReadTimeout("timed out"),
    ],
    ids=[
        "429 no headers",
        "429 negative reset",
        "500",
        "502",
        "503 html",
        "connect",
        "reset",
        "timeout",
    ],
)
def test_transient_failures_back_off_then_succeed(
    make_client: MakeClient, sleeps: list[float], failure: httpx.Response | Exception
) -> None:
    handler = Script(failure, failure, ok())
    assert make_client(handler).get_metric("proj", "signup")["key"] == "signup"
    assert len(handler.requests) == 3
    # Capped exponential backoff, up to 25% early: 0.25 s then 0.5 s.
    assert 0.1875 <= sleeps[0] <= 0.25 and 0.375 <= sleeps[1] <= 0.5


@pytest.mark.parametrize(
    ("failure", "cls", "fragment"),
    [
        (rate_limited(**{"Retry-After": "1"}), RateLimitError, "429 rate_limited"),
        (err(503, "unavailable", "down"), ServerError, "503 unavailable: down"),
        (httpx.ReadError("connection reset by peer"), APIConnectionError, "ReadError"),
        (httpx.ConnectTimeout("timed out"), APITimeoutError, "ConnectTimeout"),
    ],
)
@pytest.mark.parametrize("max_retries", [0, 2])
def test_exhausted_retries_raise_after_max_retries_plus_one_attempts(
    make_client: MakeClient,
    sleeps: list[float],
    failure: httpx.Response | Exception,
    cls: type[APIError],
    fragment: str,
    max_retries: int,
) -> None:
    handler = Script(*([failure] * (max_retries + 1)))
    client = make_client(handler, max_retries=max_retries)
    with pytest.raises(cls) as info:
        client.get_metric("proj", "signup")
    assert len(handler.requests) == max_retries + 1
    assert len(sleeps) == max_retries
    message = str(info.value)
    assert message.startswith("reading metric proj/signup: ")
    assert fragment in message and f"retried {max_retries} times" in message
    assert "\n" not in message and TOKEN not in message
    if isinstance(failure, Exception):
        # Never chained: httpx messages can quote headers, and newer SDKs print the chain.
        assert info.value.__cause__ is None and info.value.__context__ is None
        assert not isinstance(info.value, httpx.HTTPError)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "invalid_request", BadRequestError),
        (401, "unauthorized", UnauthorizedError),
        (403, "forbidden", ForbiddenError),
        (404, "not_found", NotFoundError),
        (409, "optimistic_locking_error", ConflictError),
        (422, "unprocessable", UnprocessableError),
    ],
)
@pytest.mark.parametrize("method", ["create", "get", "delete"])
def test_other_4xx_are_never_retried(
    make_client: MakeClient,
    sleeps: list[float],
    status: int,
    code: str,
    cls: type[APIError],
    method: str,
) -> None:
    handler = Script(err(status, code, "nope"), then=ok())
    client = make_client(handler)
    with pytest.raises(cls):
        if method == "create":
            client.create_metric("proj", BODY)
        elif method == "get":
            client.get_metric("proj", "signup")
        else:
            client.delete_metric("proj", "signup")
    assert len(handler.requests) == 1 and sleeps == []


def test_patch_optimistic_lock_conflict_is_retried(
    make_client: MakeClient, sleeps: list[float]
) -> None:
    # Another writer won the race: the metric is read again, and only what it lacks is re-sent
    # (here the name; the description the other writer already set to our value is not).
    lock = err(409, "optimistic_locking_error", "Conflict. Optimistic lock error. Try again later.")
    now = metric_rep("proj", "signup", name="Theirs", description="Same")
    handler = Script(lock, ok(now), ok({**now, "name": "New"}))
    ops = [
        {"op": "replace", "path": "/name", "value": "New"},
        {"op": "replace", "path": "/description", "value": "Same"},
    ]
    assert make_client(handler).patch_metric("proj", "signup", ops)["name"] == "New"
    assert len(sleeps) == 1
    assert [r.method for r in handler.requests] == ["PATCH", "GET", "PATCH"]
    assert json.loads(handler.requests[2].content) == ops[:1]


def test_patch_conflict_with_another_code_is_not_retried(make_client: MakeClient) -> None:
    handler = Script(err(409, "conflict", "something else"), then=ok())
    with pytest.raises(ConflictError):
        make_client(handler).patch_metric("proj", "signup", [])
    assert len(handler.requests) == 1


# --- lost writes ------------------------------------------------------------------------


class FakeLaunchDarkly:
    """Just enough of the API to lose a response after applying a write."""

    def __init__(self, *faults: str) -> None:
        self.metrics: dict[str, dict[str, Any]] = {}
        self.faults = list(faults)
        self.log: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request.method)
        fault = self.faults.pop(0) if self.faults else "none"
        if fault == "refuse":  # never reached the server
            raise httpx.ConnectError("connection refused")
        if fault == "503 before":
            return err(503, "unavailable")
        key = request.url.path.rsplit("/", 1)[-1]
        if request.method == "POST":
            body = json.loads(request.content)
            if body["key"] in self.metrics:
                return err(409, "conflict", "A metric with that key already exists")
            self.metrics[body["key"]] = response = {**metric_rep("proj", body["key"]), **body}
            status = 201
        elif request.method == "GET":
            if key not in self.metrics:
                return err(404, "not_found", "Unknown metric")
            response, status = self.metrics[key], 200
        elif request.method == "DELETE":
            if self.metrics.pop(key, None) is None:
                return err(404, "not_found", "Unknown metric")
            return self._after(fault, httpx.Response(204))
        else:
            raise AssertionError(request.method)
        return self._after(fault, httpx.Response(status, json=response))

    @staticmethod
    def _after(fault: str, response: httpx.Response) -> httpx.Response:
        # Applied, but the caller never hears about it.
        if fault == "lost":
            raise httpx.ReadError("connection reset by peer")
        if fault == "timeout":
            raise httpx.ReadTimeout("read timed out")
        if fault == "503 after":
            return err(503, "unavailable")
        return response


@pytest.mark.parametrize("fault", ["lost", "timeout", "503 after"])
def test_create_whose_response_was_lost_returns_the_metric(
    make_client: MakeClient, fault: str
) -> None:
    fake = FakeLaunchDarkly(fault)
    metric = make_client(fake).create_metric("proj", BODY)
    assert metric["key"] == "signup"
    assert fake.log == ["POST", "POST", "GET"]
    assert list(fake.metrics) == ["signup"]


def test_create_400_already_exists_after_lost_response_also_returns_the_metric(
    make_client: MakeClient,
) -> None:
    already = err(400, "invalid_request", "A metric with that key already exists")
    handler = Script(
        httpx.ReadError("reset"), already, ok({**metric_rep("proj", "signup"), **BODY})
    )
    assert make_client(handler).create_metric("proj", BODY)["key"] == "signup"
    assert [r.method for r in handler.requests] == ["POST", "POST", "GET"]


@pytest.mark.parametrize(
    "first",
    [
        err(409, "conflict", "A metric with that key already exists"),
        err(400, "invalid_request", "A metric with that key already exists"),
    ],
    ids=["409", "400 already exists"],
)
def test_create_conflict_on_first_attempt_raises(
    make_client: MakeClient, first: httpx.Response
) -> None:
    handler = Script(first)
    with pytest.raises(ConflictError) as info:
        make_client(handler).create_metric("proj", BODY)
    assert str(info.value).startswith("creating metric proj/signup: ")
    assert len(handler.requests) == 1


def test_create_conflict_after_a_refused_connection_raises(make_client: MakeClient) -> None:
    # A refused connection never reached LaunchDarkly, so the existing key is someone else's.
    fake = FakeLaunchDarkly("refuse")
    fake.metrics["signup"] = metric_rep("proj", "signup", name="someone else's")
    with pytest.raises(ConflictError):
        make_client(fake).create_metric("proj", BODY)
    assert fake.log == ["POST", "POST"]


def test_create_conflict_after_a_5xx_is_not_adopted_when_it_is_another_writers(
    make_client: MakeClient,
) -> None:
    # A 5xx may come before or after the write, so the 409 that follows is checked: the metric
    # someone else created in between does not hold what we sent, so it is not taken over.
    fake = FakeLaunchDarkly("503 before")
    fake.metrics["signup"] = {
        **metric_rep("proj", "signup", name="someone else's"),
        "eventKey": "theirs",
        "isNumeric": False,
    }
    with pytest.raises(ConflictError) as info:
        make_client(fake).create_metric("proj", {**BODY, "name": "ours"})
    assert fake.log == ["POST", "POST", "GET"]
    assert info.value.differences == ("eventKey", "name")
    message = str(info.value)
    assert message.startswith("creating metric proj/signup: 409 conflict: ")
    assert "differs in eventKey, name" in message


def test_create_conflict_after_a_5xx_adopts_our_own_earlier_write(make_client: MakeClient) -> None:
    # The first attempt was applied although it answered 503: the metric holds all we sent,
    # plus what the server fills in (its version, defaults): it is ours.
    fake = FakeLaunchDarkly("503 after")
    created = make_client(fake).create_metric("proj", BODY)
    assert created["eventKey"] == "signed-up" and created["_version"] == 1
    assert fake.log == ["POST", "POST", "GET"]


@pytest.mark.parametrize(("fault", "succeeds"), [("lost", True), ("refuse", False)])
def test_delete_whose_response_was_lost_succeeds(
    make_client: MakeClient, fault: str, succeeds: bool
) -> None:
    fake = FakeLaunchDarkly(fault)
    client = make_client(fake)
    if succeeds:
        fake.metrics["signup"] = metric_rep("proj", "signup")
        client.delete_metric("proj", "signup")
        assert fake.log == ["DELETE", "DELETE"] and fake.metrics == {}
    else:
        with pytest.raises(NotFoundError):
            client.delete_metric("proj", "signup")


# --- error bodies -------------------------------------------------------------------------


def test_non_json_error_body(make_client: MakeClient) -> None:
    text = "<html>\n  <body>Bad   gateway " + "x" * 400 + "</body></html>"
    handler = Script(httpx.Response(400, text=text, headers={"X-Request-Id": "hdr-id"}))
    with pytest.raises(BadRequestError) as info:
        make_client(handler).get_metric("proj", "signup")
    error = info.value
    assert error.code == "unknown"
    assert (
        error.api_message.startswith("<html> <body>Bad gateway xxx")
        and len(error.api_message) == 200
    )
    assert error.request_id == "hdr-id"
    assert "\n" not in str(error)


def test_request_id_from_body_beats_header_and_token_is_redacted(make_client: MakeClient) -> None:
    body = {"code": "unauthorized", "message": f"Invalid token {TOKEN}", "id": "body-id"}
    handler = Script(httpx.Response(401, json=body, headers={"X-Request-Id": "hdr-id"}))
    with pytest.raises(UnauthorizedError) as info:
        make_client(handler).get_metric("proj", "signup")
    assert info.value.request_id == "body-id"
    assert TOKEN not in str(info.value)
    assert "LAUNCHDARKLY_ACCESS_TOKEN" in str(info.value)


def test_empty_error_body_uses_the_reason_phrase(make_client: MakeClient) -> None:
    handler = Script(httpx.Response(404))
    with pytest.raises(NotFoundError) as info:
        make_client(handler).get_metric("proj", "signup")
    assert str(info.value) == "reading metric proj/signup: 404 unknown: Not Found"


def test_non_json_success_body_is_an_api_error(make_client: MakeClient) -> None:
    handler = Script(httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(APIError, match="reading metric proj/signup: 200 response is not a JSON"):
        make_client(handler).get_metric("proj", "signup")


# --- pagination ---------------------------------------------------------------------------


def page(start: int, count: int, total: int | None) -> httpx.Response:
    items = [{"key": f"m{i}"} for i in range(start, start + count)]
    payload: dict[str, Any] = {"items": items, "_links": {}}
    if total is not None:
        payload["totalCount"] = total
    return httpx.Response(200, json=payload)


def test_list_walks_pages_by_offset(make_client: MakeClient) -> None:
    handler = Script(page(0, 50, 120), page(50, 50, 120), page(100, 20, 120))
    progress: list[tuple[int, int]] = []
    items = make_client(handler).list_metrics(
        "proj",
        filter='tags contains ["a","b"]',
        sort="-createdAt",
        on_page=lambda f, t: progress.append((f, t)),
    )
    assert [m["key"] for m in items] == [f"m{i}" for i in range(120)]
    assert progress == [(50, 120), (100, 120), (120, 120)]
    params = [dict(r.url.params) for r in handler.requests]
    assert [(p["limit"], p["offset"]) for p in params] == [("50", "0"), ("50", "50"), ("50", "100")]
    assert all(
        p["filter"] == 'tags contains ["a","b"]' and p["sort"] == "-createdAt" for p in params
    )


def test_list_stops_on_an_empty_page(make_client: MakeClient) -> None:
    # totalCount says more, but the items ran out (deleted meanwhile): stop, don't loop.
    handler = Script(page(0, 50, 500), page(50, 0, 500))
    assert len(make_client(handler).list_metrics("proj")) == 50
    assert len(handler.requests) == 2
    assert "filter" not in handler.requests[0].url.params


def test_list_without_total_count_stops_on_a_short_page(make_client: MakeClient) -> None:
    handler = Script(page(0, 50, None), page(50, 3, None))
    assert len(make_client(handler).list_metrics("proj")) == 53


def test_list_404_names_the_project(make_client: MakeClient) -> None:
    handler = Script(err(404, "not_found", "Unknown project"))
    with pytest.raises(NotFoundError) as info:
        make_client(handler).list_metrics("nope")
    assert str(info.value) == (
        "listing metrics of project nope: 404 not_found: Unknown project (request id req-1)"
        " - check the project key"
    )


# --- logging, concurrency, lifecycle ----------------------------------------------------


def test_logs_one_line_per_request_and_one_per_retry(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pulumi_ldmetrics.client")
    make_client(Script(rate_limited(**{"Retry-After": "1"}), ok())).get_metric("proj", "signup")
    lines = [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "pulumi_ldmetrics.client"
    ]
    url = "https://app.launchdarkly.com/api/v2/metrics/proj/signup"
    assert lines[0] == ("INFO", f'HTTP Request: GET {url} "429 Too Many Requests"')
    assert lines[1][0] == "DEBUG" and lines[1][1].startswith(f"Retrying GET {url} in 1.0")
    assert lines[2] == ("INFO", f'HTTP Request: GET {url} "200 OK"')
    assert len(lines) == 3
    assert all(TOKEN not in message for _, message in lines)


def test_max_concurrency_caps_in_flight_requests(make_client: MakeClient) -> None:
    in_flight = peak = 0
    lock = threading.Lock()

    def handler(_: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.02)
        with lock:
            in_flight -= 1
        return ok()

    client = make_client(handler, max_concurrency=2)
    threads = [
        threading.Thread(target=lambda: [client.get_metric("proj", "signup") for _ in range(3)])
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 2


def test_context_manager_closes(make_client: MakeClient) -> None:
    client = make_client(Script(ok()))
    with client as entered:
        assert entered is client
    with pytest.raises(RuntimeError):
        client.get_metric("proj", "signup")
