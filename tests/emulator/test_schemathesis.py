"""schemathesis against the emulator, driven by LaunchDarkly's OpenAPI for the metrics paths.

`data/metrics-openapi.json` is the metrics-paths document of LaunchDarkly's API (v25),
unchanged. schemathesis generates requests from it (the spec's examples, the coverage phase's
boundary values and undeclared methods, then random fuzzing) and checks every answer.

Checks that must pass (each must also have run, so a silently skipped phase fails the test):
`not_a_server_error`, `response_schema_conformance`, `content_type_conformance`,
`unsupported_method`, plus whatever else schemathesis enables by default and we keep.

Excluded, and why:
- `positive_data_acceptance`: "schema-valid" bodies break LaunchDarkly's cross-field rules,
  which a JSON schema cannot express (the spec's own example has a `selector` on a custom
  metric; a click metric without `urls`; `percentileValue` on a mean metric), and `replace`
  ops without `value` (the schema does not require it; RFC 6902 does). The live API refuses
  those too.
- `negative_data_rejection`: `null` for an optional field (e.g. `"denominator": null`)
  violates the schema's types, but the emulator reads it as "not sent", as the live API's Go
  decoder does for pointer fields.
- `status_code_conformance`: the list operation documents only 200/401/404, yet a `limit`
  above 50 or a negative `offset` can only be refused, with 400 (see docs/emulator.md).

The stateful phase is off: the document declares no links between operations.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import schemathesis
from schemathesis.engine import Status, events, from_schema

from pulumi_ldmetrics.emulator import EmulatorServer

from .helpers import TOKEN

SPEC = Path(__file__).parent / "data" / "metrics-openapi.json"
REQUIRED_CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "content_type_conformance",
    "unsupported_method",
)
EXCLUDED_CHECKS = ("positive_data_acceptance", "negative_data_rejection", "status_code_conformance")
MAX_EXAMPLES = 25
"""Fuzzing examples per operation (5 operations). The coverage phase adds ~650 requests of its
own: about 780 requests in all, ~5 s on one core."""
TIME_LIMIT_SECONDS = 60


def _config(base_url: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "base-url": base_url,
            "headers": {"Authorization": TOKEN},
            "seed": 20240415,
            "checks": {name: {"enabled": False} for name in EXCLUDED_CHECKS},
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "request-timeout": 10,
        }
    )


def test_emulator_conforms_to_the_metrics_openapi(server: EmulatorServer) -> None:
    schema = schemathesis.openapi.from_path(SPEC, config=_config(server.url))
    ran: Counter[str] = Counter()
    failures: list[str] = []
    errors: list[str] = []
    requests = 0
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            requests += sum(1 for i in event.recorder.interactions.values() if i.response)
            for checks in event.recorder.checks.values():
                for check in checks:
                    ran[check.name] += 1
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.append(f"{check.name} {event.recorder.label}: {failure.title}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            errors.append(repr(event))
        assert time.monotonic() - started < TIME_LIMIT_SECONDS, "schemathesis run over budget"

    assert errors == []  # a dropped connection or a hang shows up here
    assert failures == []
    for name in REQUIRED_CHECKS:
        assert ran[name] > 0, f"{name} never ran"
    assert not set(EXCLUDED_CHECKS) & set(ran)
    assert 100 <= requests <= 2000, requests
