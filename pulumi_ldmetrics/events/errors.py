"""The errors of the events import, under the package's one tree (`pulumi_ldmetrics.errors`).

    LDMetricsError
    ├── EventsInputError            # the input file cannot be read, or has invalid rows
    │   └── InvalidEventsError      # .problems: every bad row, named; nothing was sent
    └── APIError
        ├── APIConnectionError
        │   └── EventsConnectionError   # no response for a batch after every retry
        └── APIStatusError
            └── EventsStatusError       # the events host refused a batch (.batch, .payload_id)

An events error's message names the project/environment, the batch and its payload id, since
re-running the same import re-sends that batch with the same id (so it is not counted twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from pulumi_ldmetrics import _redact
from pulumi_ldmetrics.errors import (
    APIConnectionError,
    APIStatusError,
    LDMetricsError,
    one_line,
)

IMPORTING: Final = "importing events"

_HINTS: Final[dict[int, str]] = {
    400: "LaunchDarkly accepted nothing of this batch (malformed JSON or an event whose kind"
    " is not custom)",
    401: "the access token needs the importEventData action on this environment (or the"
    " account has no access to the import API)",
    404: "check the project and environment keys",
    406: "the events host expects X-LaunchDarkly-Event-Schema: 4",
    413: "the batch is over the events host's body limit; lower --max-batch-bytes",
}


@dataclass(frozen=True)
class Problem:
    """One rejected input row: where it is (`file:line 12`) and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class EventsInputError(LDMetricsError):
    """Raised when the events file cannot be read as the format it claims."""


class InvalidEventsError(EventsInputError):
    """Raised when rows are invalid and skipping them was not asked for; nothing was sent."""

    problems: tuple[Problem, ...]

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            f"{len(self.problems)} invalid event row(s), nothing was sent (first:"
            f" {self.problems[0] if self.problems else '-'}); fix them or pass --skip-invalid"
        )


def _label(project_key: str, environment_key: str, batch: str) -> str:
    return f"{IMPORTING} into {project_key}/{environment_key} ({batch})"


class EventsStatusError(APIStatusError):
    """Raised when the events host answers a batch with an error status (after retries)."""

    environment_key: str
    batch: str
    """`batch 3 of 10, payload <uuid>`."""

    def __init__(
        self,
        *,
        project_key: str,
        environment_key: str,
        batch: str,
        status_code: int,
        code: str,
        api_message: str,
        request_id: str | None,
        retries: int,
    ) -> None:
        self.environment_key = environment_key
        self.batch = batch
        super().__init__(
            operation=IMPORTING,
            project_key=project_key,
            metric_key=None,
            status_code=status_code,
            code=code,
            api_message=api_message,
            request_id=request_id,
            retries=retries,
        )
        # The base message reads "... metrics of project p"; say which environment and batch.
        message = f"{_label(project_key, environment_key, batch)}: {status_code} {self.code}"
        message += f": {self.api_message}" if self.api_message else ""
        message += f" (request id {request_id})" if request_id else ""
        message += f" - {self._events_hint()}"
        self.args = (_redact.scrub(one_line(message)),)

    def _events_hint(self) -> str:
        if self.status_code == 429 or self.status_code >= 500:
            what = "rate limited" if self.status_code == 429 else "events host error"
            return (
                f"{what}; retried {self.retries} times. The batch may not have been accepted:"
                " re-running the same import re-sends it with the same payload id"
            )
        return _HINTS.get(self.status_code, "not retried (a 4xx other than 429)")


class EventsConnectionError(APIConnectionError):
    """Raised when no response for a batch arrived after every retry."""

    environment_key: str
    retries: int

    def __init__(
        self, message: str, *, project_key: str, environment_key: str, retries: int
    ) -> None:
        self.environment_key = environment_key
        self.retries = retries
        super().__init__(message, operation=IMPORTING, project_key=project_key)


def connection_message(project_key: str, environment_key: str, batch: str, detail: str) -> str:
    """The one-line message of an `EventsConnectionError`."""
    return f"{_label(project_key, environment_key, batch)}: {detail}"
