"""schemathesis against the emulator's metric-group routes, driven by LaunchDarkly's OpenAPI
extract for them (`data/metric-groups-openapi.json`, the v23 document's two paths and 24
schemas, unchanged apart from the EU server).

Every request carries `LD-API-Version: beta` (the spec's tag text requires it; the document
declares no header parameter for it). Checks as in `test_schemathesis.py`, plus
`status_code_conformance`: these operations document 400, so every refusal the emulator makes
is a documented status. Still excluded, for the reasons given there: `positive_data_acceptance`
(cross-field rules no schema expresses: a funnel step without a name, fewer than two metrics, a
metric the project does not hold) and `negative_data_rejection` (`null` read as "not sent").
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import schemathesis
from schemathesis.engine import Status, events, from_schema

from pulumi_ldmetrics.emulator import EmulatorServer

from .helpers import TOKEN

SPEC = Path(__file__).parent / "data" / "metric-groups-openapi.json"
REQUIRED_CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "content_type_conformance",
    "unsupported_method",
    "status_code_conformance",
)
EXCLUDED_CHECKS = ("positive_data_acceptance", "negative_data_rejection")
TIME_LIMIT_SECONDS = 60


def test_emulator_conforms_to_the_metric_groups_openapi(server: EmulatorServer) -> None:
    config = schemathesis.Config.from_dict(
        {
            "base-url": server.url,
            "headers": {"Authorization": TOKEN, "LD-API-Version": "beta"},
            "seed": 20260706,
            "checks": {name: {"enabled": False} for name in EXCLUDED_CHECKS},
            "generation": {"max-examples": 25, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "request-timeout": 10,
        }
    )
    schema = schemathesis.openapi.from_path(SPEC, config=config)
    ran: Counter[str] = Counter()
    failures: list[str] = []
    errors: list[str] = []
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for interaction in event.recorder.interactions.values():
                if interaction.response is not None:
                    statuses[interaction.response.status_code] += 1
            for checks in event.recorder.checks.values():
                for check in checks:
                    ran[check.name] += 1
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.append(f"{check.name} {event.recorder.label}: {failure.title}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            errors.append(repr(event))
        assert time.monotonic() - started < TIME_LIMIT_SECONDS, "schemathesis run over budget"

    assert errors == []
    assert failures == []
    for name in REQUIRED_CHECKS:
        assert ran[name] > 0, f"{name} never ran"
    assert statuses[403] == 0  # the beta header was sent: no request hit the gate
    assert statuses[200] > 0 and sum(statuses.values()) >= 100, statuses
