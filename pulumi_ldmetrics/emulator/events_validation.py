"""The events host's checks of a request, in the order the emulator applies them.

Sources (see docs/emulator.md, "events host"): the reference's §2 headers, §4 body, §5
limits, §6 statuses and §10 emulator notes. LaunchDarkly documents that it checks only that
the body is JSON and each `kind` is `custom` (400, nothing accepted); every other malformed
event is accepted with a 202 and dropped later. The emulator does the same, and counts the
dropped events with their reason so tests can see them.
"""

from __future__ import annotations

import gzip
import re
import uuid
import zlib
from collections.abc import Mapping
from typing import Any, Final

from pulumi_ldmetrics.emulator.jsonbody import BodyError, parse_json

MAX_BODY_BYTES: Final = 10_000_000
""""10 MB" read as 10^7 bytes (guess: the smaller reading of the documented limit)."""
MAX_INFLATED_BYTES: Final = 50_000_000
"""Cap on a gzip body once inflated, so a small bomb cannot exhaust memory (guess)."""
EVENT_SCHEMA: Final = "4"
USER_AGENT_FORM: Final = re.compile(r"^MetricImport-[^/\s]+-int/\S+$")
_CONTEXT_KIND: Final = re.compile(r"^[A-Za-z0-9._-]+$")


class Refusal(Exception):
    """A request the events host refuses as a whole: answer `status` with `code`/`message`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_headers(headers: Mapping[str, str], *, strict: bool) -> str | None:
    """Check the headers (keys lower-case); return the payload id (None if absent).

    Always: `X-LaunchDarkly-Event-Schema` must be 4 (406, documented) and `Content-Type`
    JSON (400, guess). Strict mode (default) also refuses with 400 what LaunchDarkly asks for
    but may not enforce: a `User-Agent` not of the form `MetricImport-<company>-int/<version>`,
    a missing or non-UUID `X-LaunchDarkly-Payload-ID`, and (411) a body without
    `Content-Length`.
    """
    if headers.get("x-launchdarkly-event-schema", "").strip() != EVENT_SCHEMA:
        raise Refusal(406, "not_acceptable", "X-LaunchDarkly-Event-Schema must be 4")
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise Refusal(400, "invalid_request", "Content-Type must be application/json")
    payload_id = headers.get("x-launchdarkly-payload-id", "").strip() or None
    if strict:
        if not USER_AGENT_FORM.match(headers.get("user-agent", "")):
            raise Refusal(
                400, "invalid_request", "User-Agent must be MetricImport-<company>-int/<version>"
            )
        if payload_id is None:
            raise Refusal(400, "invalid_request", "X-LaunchDarkly-Payload-ID is required")
        try:
            uuid.UUID(payload_id)
        except ValueError:
            raise Refusal(
                400, "invalid_request", "X-LaunchDarkly-Payload-ID must be a UUID"
            ) from None
        if "content-length" not in headers:
            raise Refusal(411, "length_required", "Content-Length is required")
    return payload_id


def decode_body(headers: Mapping[str, str], body: bytes) -> bytes:
    """The body with its `Content-Encoding` (gzip only) undone."""
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding != "gzip":
        raise Refusal(400, "invalid_request", f"Content-Encoding {encoding!r} not supported")
    try:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        data = inflater.decompress(body, MAX_INFLATED_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile):
        raise Refusal(400, "invalid_request", "body is not valid gzip") from None
    if len(data) > MAX_INFLATED_BYTES:
        raise Refusal(413, "payload_too_large", "body too large once decompressed")
    return data


def parse_events(body: bytes) -> list[dict[str, Any]]:
    """The events of a body; `Refusal` 400 (nothing accepted) unless it is a JSON array of
    objects whose `kind` is `custom` (documented)."""
    try:
        payload = parse_json(body)
    except BodyError as err:
        raise Refusal(400, "invalid_request", str(err)) from None
    if not isinstance(payload, list):
        raise Refusal(400, "invalid_request", "body: must be a JSON array of events")
    for index, event in enumerate(payload):
        if not isinstance(event, dict) or event.get("kind") != "custom":
            raise Refusal(400, "invalid_request", f"body[{index}]: kind must be custom")
    return payload


def drop_reason(event: Mapping[str, Any]) -> str | None:
    """Why LaunchDarkly would accept but not process this event, per the inferred per-event
    schema of the reference (§4); None when it conforms."""
    key = event.get("key")
    if not isinstance(key, str) or not key:
        return "key: missing or not a non-empty string"
    date = event.get("creationDate")
    if isinstance(date, bool) or not isinstance(date, int) or date < 0:
        return "creationDate: missing or not a non-negative integer"
    value = event.get("metricValue")
    if "metricValue" in event and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return "metricValue: not a number"
    contexts = event.get("contextKeys")
    if not isinstance(contexts, dict) or not contexts:
        return "contextKeys: missing or empty"
    for kind, context_key in contexts.items():
        if not _CONTEXT_KIND.match(kind) or not isinstance(context_key, str) or not context_key:
            return f"contextKeys.{kind}: invalid kind or key"
    if "data" in event and not isinstance(event["data"], dict):
        return "data: not an object"
    return None
