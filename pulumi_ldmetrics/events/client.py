"""Send event batches to the events host, with the metrics client's retry rules and limits.

Built from the same parts as `pulumi_ldmetrics.client`: `_http.HTTPClientBase` (the httpx
client, token and test seams), `ClientSettings` (token, timeouts, retries), the pure policy of
`_retry` (429 and 5xx retried, `Retry-After` / `X-Ratelimit-Reset` honoured, capped backoff
with jitter), `_deadline` (a hard limit on each attempt), and `_redact` (every message and log
line scrubbed). What differs is idempotence: a batch carries its `X-LaunchDarkly-Payload-ID`,
so any ambiguous attempt (lost response, timeout, 5xx) is simply sent again with the same id,
and LaunchDarkly counts it once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import quote

import httpx

from pulumi_ldmetrics import _deadline, _redact
from pulumi_ldmetrics._constants import CONNECT_RETRIES
from pulumi_ldmetrics._http import HTTPClientBase
from pulumi_ldmetrics._retry import backoff_delay, jittered, parse_retry_after, should_retry
from pulumi_ldmetrics._version import __version__
from pulumi_ldmetrics.errors import one_line
from pulumi_ldmetrics.events.constants import EVENT_SCHEMA, IMPORT_PATH, USER_AGENT_PRODUCT
from pulumi_ldmetrics.events.errors import (
    EventsConnectionError,
    EventsStatusError,
    connection_message,
)

__all__ = ["EventsClient", "SendResult"]

log = logging.getLogger(__name__)
log.addFilter(_redact.RedactingFilter())

USER_AGENT = f"{USER_AGENT_PRODUCT}/{__version__}"
_ERROR_BODY_BYTES = 64 * 1024
"""The 202 body is empty and error bodies are short; more than this is not read."""


@dataclass
class SendResult:
    """How one batch went."""

    status: int = 0
    """The accepting status (202)."""
    retries: int = 0
    reasons: list[str] = field(default_factory=list)
    """Why each retry happened: `429`, `503`, `ReadTimeout`, `RemoteProtocolError`…"""


def import_path(project_key: str, environment_key: str) -> str:
    """The server-side import path; keys are quoted so a key can never point elsewhere."""
    return IMPORT_PATH.format(
        project=quote(project_key, safe=""), environment=quote(environment_key, safe="")
    )


class EventsClient(HTTPClientBase):
    """One `httpx.Client` to the events host (`settings.api_host` is the events host here).

    `transport`, `sleep`, `clock`, `monotonic` and `rng` are test seams, as in
    `LDMetricsClient` (both come from `_http.HTTPClientBase`).
    """

    _USER_AGENT = USER_AGENT
    _HEADERS: ClassVar[Mapping[str, str]] = {
        "Content-Type": "application/json",
        "X-LaunchDarkly-Event-Schema": EVENT_SCHEMA,
    }

    def send_batch(
        self, project_key: str, environment_key: str, body: bytes, payload_id: str, label: str
    ) -> SendResult:
        """POST one batch until it is accepted (2xx); raise `EventsStatusError` for a refusal
        or once retries or the operation time limit are spent, `EventsConnectionError` when no
        response ever came. `label` (`batch 3 of 10`) goes into messages and log lines."""
        request = self._http.build_request(
            "POST",
            import_path(project_key, environment_key),
            content=body,
            headers={"X-LaunchDarkly-Payload-ID": payload_id},
        )
        settings = self._settings
        deadline = self._monotonic() + settings.operation_timeout_seconds
        max_retries = settings.max_retries
        result = SendResult()
        label = f"{label}, payload {payload_id}"
        while True:
            now = self._monotonic()
            attempt_deadline = min(now + settings.timeout_seconds, deadline)
            try:
                with self._slots, _deadline.deadline(attempt_deadline):
                    status, headers, text = self._exchange(request)
            except httpx.TransportError as err:
                if isinstance(err, httpx.ConnectError):
                    # Refused or unknown host: the host setting, which waiting does not fix.
                    max_retries = min(max_retries, CONNECT_RETRIES)
                failure: Exception = EventsConnectionError(
                    connection_message(
                        project_key,
                        environment_key,
                        label,
                        f"{type(err).__name__} talking to {settings.api_host}:"
                        f" {_redact.scrub(one_line(str(err)))[:200] or 'no details'};"
                        f" retried {result.retries} times",
                    ),
                    project_key=project_key,
                    environment_key=environment_key,
                    retries=result.retries,
                )
                reason, delay = type(err).__name__, backoff_delay(result.retries, self._rng)
            else:
                log.info(
                    'HTTP Request: POST %s%s "%d" (%s)',
                    settings.api_host,
                    request.url.path,
                    status,
                    label,
                )
                if 200 <= status < 300:
                    result.status = status
                    return result
                failure = self._status_error(
                    project_key, environment_key, label, status, headers, text, result.retries
                )
                if not should_retry(status):
                    raise failure
                asked = parse_retry_after(headers, self._clock())
                delay = (
                    backoff_delay(result.retries, self._rng)
                    if asked is None
                    else jittered(asked, self._rng)
                )
                reason = str(status)
            if result.retries >= max_retries or self._monotonic() + delay >= deadline:
                raise failure
            result.retries += 1
            result.reasons.append(reason)
            log.debug("Retrying %s in %.3f seconds (%s)", label, delay, reason)
            self._sleep(delay)

    def _exchange(self, request: httpx.Request) -> tuple[int, httpx.Headers, str]:
        """Send, and read at most `_ERROR_BODY_BYTES` of the answer."""
        response = self._http.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= _ERROR_BODY_BYTES:
                    break
        finally:
            response.close()
        text = b"".join(chunks)[:_ERROR_BODY_BYTES].decode("utf-8", "replace")
        return response.status_code, response.headers, text

    @staticmethod
    def _status_error(
        project_key: str,
        environment_key: str,
        label: str,
        status: int,
        headers: httpx.Headers,
        text: str,
        retries: int,
    ) -> EventsStatusError:
        """Parse an error body leniently: its shape is undocumented (reference §6), probably
        the REST API's `{code, message}`."""
        code, message = "unknown", text[:200]
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            code = str(body.get("code") or "unknown")
            message = str(body.get("message") or "")
        request_id = headers.get("x-request-id")
        # Scrub, then cut: a cut first could leave a fragment the scrub no longer recognises.
        return EventsStatusError(
            project_key=project_key,
            environment_key=environment_key,
            batch=label,
            status_code=status,
            code=_redact.scrub(one_line(code))[:60],
            api_message=_redact.scrub(one_line(message))[:200],
            request_id=_redact.scrub(one_line(request_id))[:80] if request_id else None,
            retries=retries,
        )
