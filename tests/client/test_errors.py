"""The exception tree, the one status->class map, and one-line messages."""

from __future__ import annotations

import pytest

from pulumi_ldmetrics import errors
from pulumi_ldmetrics.errors import (
    STATUS_ERRORS,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ForbiddenError,
    LDMetricsError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnauthorizedError,
    UnprocessableError,
    make_status_error,
)

from .conftest import TOKEN


def make(
    status: int,
    operation: str = "creating",
    metric_key: str | None = "signup",
    *,
    code: str = "some_code",
    api_message: str = "Something\n  went   wrong",
    request_id: str | None = "3fa85f64",
    retries: int = 0,
) -> APIStatusError:
    return make_status_error(
        status,
        operation=operation,
        project_key="proj",
        metric_key=metric_key,
        code=code,
        api_message=api_message,
        request_id=request_id,
        retries=retries,
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, UnauthorizedError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
    ],
)
def test_every_status_maps_to_its_class_with_a_one_line_message(
    status: int, cls: type[APIStatusError]
) -> None:
    error = make(status)
    assert type(error) is cls
    assert isinstance(error, APIError) and isinstance(error, LDMetricsError)
    assert error.status_code == status
    assert (error.operation, error.metric, error.code) == ("creating", "proj/signup", "some_code")
    assert error.api_message == "Something went wrong"
    assert error.request_id == "3fa85f64"
    message = str(error)
    assert message.startswith(
        f"creating metric proj/signup: {status} some_code: Something went wrong"
        " (request id 3fa85f64)"
    )
    assert "\n" not in message and TOKEN not in message


def test_status_map_covers_documented_4xx() -> None:
    assert sorted(STATUS_ERRORS) == [400, 401, 403, 404, 409, 422, 429]


@pytest.mark.parametrize(
    ("status", "cls"),
    [(405, APIStatusError), (418, APIStatusError), (501, ServerError), (599, ServerError)],
)
def test_other_statuses(status: int, cls: type[APIStatusError]) -> None:
    assert type(make(status)) is cls


def test_documented_example_message() -> None:
    error = make(
        409, code="conflict", api_message="A metric with that key already exists", request_id="3fa…"
    )
    assert str(error) == (
        "creating metric proj/signup: 409 conflict: A metric with that key already exists"
        " (request id 3fa…)"
    )


@pytest.mark.parametrize(
    ("status", "operation", "metric_key", "hint"),
    [
        (
            401,
            "reading",
            "k",
            "check the access token (ldmetrics:accessToken, else LAUNCHDARKLY_ACCESS_TOKEN);"
            " refresh and destroy use the settings recorded by the last up: after fixing it,"
            " run them with --run-program",
        ),
        (403, "updating", "k", "writer"),
        (404, "creating", "k", "check the project key"),
        (404, "listing", None, "check the project key"),
        (429, "deleting", "k", "rate limited by LaunchDarkly; retried 8 times"),
        (503, "reading", "k", "retried 8 times"),
    ],
)
def test_hints(status: int, operation: str, metric_key: str | None, hint: str) -> None:
    message = str(make(status, operation, metric_key, retries=8))
    assert hint in message
    assert "\n" not in message


def test_metric_level_404_has_no_hint() -> None:
    error = make(404, "reading", "k", code="not_found", api_message="Unknown metric")
    assert (
        str(error) == "reading metric proj/k: 404 not_found: Unknown metric (request id 3fa85f64)"
    )


def test_list_label_and_missing_request_id() -> None:
    error = make(400, "listing", None, request_id=None, api_message="bad filter")
    assert str(error) == "listing metrics of project proj: 400 some_code: bad filter"
    assert error.metric is None


@pytest.mark.parametrize(
    ("operation", "cls"), [("creating", ConflictError), ("updating", BadRequestError)]
)
def test_400_already_exists_is_a_conflict_only_for_create(
    operation: str, cls: type[APIStatusError]
) -> None:
    error = make(
        400, operation, code="invalid_request", api_message="A metric with that key already exists"
    )
    assert type(error) is cls
    assert error.status_code == 400


def test_tree() -> None:
    assert issubclass(ConfigurationError, LDMetricsError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert not issubclass(APIConnectionError, APIStatusError)
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type):
            assert issubclass(obj, LDMetricsError), name
    assert errors.__all__ == sorted(errors.__all__, key=lambda n: (not n.isupper(), n))


def test_connection_error_message_is_one_line() -> None:
    error = APIConnectionError(
        "reading metric p/k:\n reset", operation="reading", project_key="p", metric_key="k"
    )
    assert str(error) == "reading metric p/k: reset"
    assert error.metric == "p/k"
