"""Every exception pulumi_ldmetrics raises, and the one place an HTTP status becomes a class.

Exception hierarchy::

    LDMetricsError                  # base: catch this to catch everything below
    ├── ConfigurationError          # no access token, bad API host, bad number in config
    └── APIError                    # .operation, .project_key, .metric_key, .metric
        ├── APIConnectionError      # no usable HTTP response (reset, DNS, refused)
        │   └── APITimeoutError     # the request timed out
        └── APIStatusError          # .status_code, .code, .api_message, .request_id, .retries
            ├── BadRequestError     # 400
            ├── UnauthorizedError   # 401
            ├── ForbiddenError      # 403
            ├── NotFoundError       # 404
            ├── ConflictError       # 409 (or a 400 "already exists" on create)
            ├── UnprocessableError  # 422
            ├── RateLimitError      # 429
            └── ServerError         # 5xx

``str(exc)`` is always one line, because Pulumi prints it as the reason a resource
failed::

    creating metric proj/signup: 409 conflict: A metric with that key already exists (request id 3f)

No message ever contains the access token or a fragment of it: every message passes
``_redact.scrub``, which knows each token the settings have seen.
"""

from __future__ import annotations

from typing import Final

from pulumi_ldmetrics import _redact

__all__ = [
    "STATUS_ERRORS",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ForbiddenError",
    "LDMetricsError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "UnauthorizedError",
    "UnprocessableError",
    "make_status_error",
    "one_line",
    "target_label",
]

CREATING: Final = "creating"
"""Operation verb of ``create_metric``; the verbs are the first word of every message."""
READING: Final = "reading"
UPDATING: Final = "updating"
DELETING: Final = "deleting"
LISTING: Final = "listing"

# Operations whose URL is /api/v2/metrics/{projectKey}: a 404 there can only mean the project.
_PROJECT_LEVEL: Final = frozenset({CREATING, LISTING})


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) into one space."""
    return " ".join(text.split())


def target_label(operation: str, project_key: str, metric_key: str | None) -> str:
    """``creating metric proj/key``, or for listing: ``listing metrics of project proj``."""
    if metric_key is None:
        return f"{operation} metrics of project {project_key}"
    return f"{operation} metric {project_key}/{metric_key}"


class LDMetricsError(Exception):
    """Base class of every error raised by pulumi_ldmetrics."""


class ConfigurationError(LDMetricsError):
    """Raised when settings are missing or invalid, before any request is made."""


class APIError(LDMetricsError):
    """Raised when a call to the LaunchDarkly API fails; says which call and which metric."""

    operation: str
    """Verb of the failed operation: creating, reading, updating, deleting or listing."""
    project_key: str
    metric_key: str | None
    """None for project-level listing."""

    def __init__(
        self, message: str, *, operation: str, project_key: str, metric_key: str | None = None
    ) -> None:
        # Every message passes the one scrubbing step, whoever built it.
        super().__init__(_redact.scrub(one_line(message)))
        self.operation = operation
        self.project_key = project_key
        self.metric_key = metric_key

    @property
    def metric(self) -> str | None:
        """``project/key`` of the metric concerned, or None when listing a project."""
        return None if self.metric_key is None else f"{self.project_key}/{self.metric_key}"


class APIConnectionError(APIError):
    """Raised when no HTTP response arrived (connection refused or reset, DNS, TLS)."""


class APITimeoutError(APIConnectionError):
    """Raised when the request timed out (connect, read, write or pool)."""


class APIStatusError(APIError):
    """Raised when LaunchDarkly answered with a non-2xx status; carries its error body."""

    status_code: int
    code: str
    """LaunchDarkly's ``code`` (``not_found``, ``rate_limited``…), or ``unknown``."""
    api_message: str
    """LaunchDarkly's ``message``, whitespace collapsed to one line."""
    request_id: str | None
    """LaunchDarkly's request ID (body ``id`` or ``X-Request-Id``): quote it to support."""
    retries: int
    """How many times the request was retried before giving up."""
    differences: tuple[str, ...]
    """For a create's 409 after an ambiguous attempt: the sent fields the existing metric does
    not hold (it is another writer's). Empty otherwise."""

    def __init__(
        self,
        *,
        operation: str,
        project_key: str,
        metric_key: str | None,
        status_code: int,
        code: str,
        api_message: str,
        request_id: str | None = None,
        retries: int = 0,
        differences: tuple[str, ...] = (),
    ) -> None:
        # Set before the message is built: the subclasses' _hint() reads them.
        self.differences = differences
        self.operation, self.project_key, self.metric_key = operation, project_key, metric_key
        self.status_code = status_code
        self.code = one_line(code) or "unknown"
        self.api_message = one_line(api_message)
        self.request_id = request_id
        self.retries = retries
        message = f"{target_label(operation, project_key, metric_key)}: {status_code} {self.code}"
        message += f": {self.api_message}" if self.api_message else ""
        message += f" (request id {request_id})" if request_id else ""
        hint = self._hint()
        message += f" - {hint}" if hint else ""
        super().__init__(
            message, operation=operation, project_key=project_key, metric_key=metric_key
        )

    def _hint(self) -> str | None:
        """What the user should do next; None when LaunchDarkly's message says it all."""
        return None


class BadRequestError(APIStatusError):
    """Raised on 400: LaunchDarkly rejected the request body or parameters."""


class UnauthorizedError(APIStatusError):
    """Raised on 401: the access token is missing, wrong, expired or revoked."""

    def _hint(self) -> str:
        # `pulumi refresh` and `destroy` run with the provider settings the last `up` recorded,
        # so a token fixed in config since then does not reach them: say how to get it there.
        return (
            "check the access token (ldmetrics:accessToken, else LAUNCHDARKLY_ACCESS_TOKEN);"
            " refresh and destroy use the settings recorded by the last up: after fixing it,"
            " run them with --run-program"
        )


class ForbiddenError(APIStatusError):
    """Raised on 403: the token is valid but its role may not do this."""

    def _hint(self) -> str:
        if self.operation in (READING, LISTING):
            return "the access token's role lacks permission to read metrics in this project"
        return (
            "the access token's role lacks permission for this project or action"
            " (managing metrics needs a writer role)"
        )


class NotFoundError(APIStatusError):
    """Raised on 404: the metric (or, when creating or listing, the project) does not exist."""

    def _hint(self) -> str | None:
        # /metrics/{projectKey} has no metric in the path, so its 404 means the project is unknown.
        return "check the project key" if self.operation in _PROJECT_LEVEL else None


class ConflictError(APIStatusError):
    """Raised on 409: the metric key already exists, or a concurrent update won (PATCH)."""


class UnprocessableError(APIStatusError):
    """Raised on 422: LaunchDarkly could not understand the update (not a JSON Patch)."""


class RateLimitError(APIStatusError):
    """Raised on 429 once every retry has also been rate limited."""

    def _hint(self) -> str:
        return f"rate limited by LaunchDarkly; retried {self.retries} times"


class ServerError(APIStatusError):
    """Raised on 5xx once every retry has also failed."""

    def _hint(self) -> str:
        return f"LaunchDarkly server error; retried {self.retries} times"


STATUS_ERRORS: Final[dict[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
    429: RateLimitError,
}
"""Status → class for 4xx; 5xx is always ServerError and any other status APIStatusError."""


def make_status_error(
    status_code: int,
    *,
    operation: str,
    project_key: str,
    metric_key: str | None,
    code: str,
    api_message: str,
    request_id: str | None = None,
    retries: int = 0,
) -> APIStatusError:
    """Build the error for a non-2xx response: the only place a status picks a class."""
    cls = STATUS_ERRORS.get(status_code, ServerError if status_code >= 500 else APIStatusError)
    # The spec documents 409 for a duplicate key on POST, but its generic error example is a
    # 400 invalid_request "… already exists" (reference §8): both mean "the key is taken".
    if operation == CREATING and status_code == 400 and "already exists" in api_message.lower():
        cls = ConflictError
    return cls(
        operation=operation,
        project_key=project_key,
        metric_key=metric_key,
        status_code=status_code,
        code=code,
        api_message=api_message,
        request_id=request_id,
        retries=retries,
    )
