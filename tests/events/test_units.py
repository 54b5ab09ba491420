"""Pure parts of the events import as tables: event rules, metric checks, batching and payload
ids, the CSV reader, and where the events host comes from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pulumi_ldmetrics.errors import ConfigurationError
from pulumi_ldmetrics.events import EventsInputError, MetricIndex, index_from_file
from pulumi_ldmetrics.events.batching import batches, encode_event, payload_id
from pulumi_ldmetrics.events.plan import build_plan
from pulumi_ldmetrics.events.reader import RawEvent, detect_format, read_events
from pulumi_ldmetrics.events.settings import resolve_events_settings
from pulumi_ldmetrics.events.validate import Window, check_event

from .conftest import TOKEN

NOW = 1_764_504_000_000  # 2025-11-30T12:00:00Z
WINDOW = Window.around(NOW, 90)
GOOD: dict[str, Any] = {"key": "k", "creationDate": NOW, "contextKeys": {"user": "u"}}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"kind": "identify"}, "kind: must be 'custom'"),
        ({"key": ""}, "key: required"),
        ({"key": "a\nb"}, "key: contains control characters"),
        ({"creationDate": None}, "creationDate: required"),
        ({"creationDate": NOW // 1000}, "looks like seconds"),
        ({"creationDate": NOW - 91 * 86_400_000}, "before the window start"),
        ({"creationDate": NOW + 3_600_000}, "is in the future"),
        ({"creationDate": "2025-11-30T12:00:00"}, "has no time zone offset"),
        ({"creationDate": "yesterday"}, "is not ISO 8601"),
        ({"creationDate": True}, "creationDate: required"),
        ({"metricValue": "42"}, "metricValue: must be a finite number"),
        ({"metricValue": float("nan")}, "metricValue: must be a finite number"),
        ({"metricValue": True}, "metricValue: must be a finite number"),
        ({"contextKeys": {}}, "contextKeys: required"),
        ({"contextKeys": {"user": ""}}, "contextKeys.user: the context key"),
        ({"contextKeys": {"kind": "x"}}, "is not a context kind"),
        ({"contextKeys": {"a b": "x"}}, "is not a context kind"),
        ({"data": []}, "data: must be an object"),
        ({"userKey": "u"}, "unknown field 'userKey'"),
    ],
)
def test_invalid_events(change: dict[str, Any], problem: str) -> None:
    event, problems = check_event({**GOOD, **change}, WINDOW)

    assert event is None
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("change", "creation_ms"),
    [
        ({}, NOW),
        ({"creationDate": "2025-11-30T12:00:00Z"}, NOW),
        ({"creationDate": "2025-11-30T13:00:00+01:00"}, NOW),
        ({"creationDate": float(NOW)}, NOW),
        ({"creationDate": NOW + 60_000}, NOW + 60_000),
    ],
)
def test_valid_events_in_wire_form(change: dict[str, Any], creation_ms: int) -> None:
    event, problems = check_event({**GOOD, "metricValue": 1.5, "data": {"a": 1}, **change}, WINDOW)

    assert problems == []
    assert event == {
        "kind": "custom",
        "key": "k",
        "creationDate": creation_ms,
        "contextKeys": {"user": "u"},
        "metricValue": 1.5,
        "data": {"a": 1},
    }


def test_plan_checks_keys_against_metrics() -> None:
    index = MetricIndex.build([("lat", "latency", True), ("signup", "signed-up", False)])
    rows = [
        RawEvent("f:line 1", {**GOOD, "key": "latency", "metricValue": 3}),
        RawEvent("f:line 2", {**GOOD, "key": "latency"}),
        RawEvent("f:line 3", {**GOOD, "key": "signed-up", "metricValue": 1}),
        RawEvent("f:line 4", {**GOOD, "key": "signed-up"}),
        RawEvent("f:line 5", {**GOOD, "key": "nobody"}),
        RawEvent("f:line 6", None, "not valid JSON"),
    ]

    plan = build_plan(rows, window=WINDOW, index=index, max_event_bytes=1000)

    assert [str(p) for p in plan.rejected] == [
        "f:line 2: metricValue: required, key 'latency' feeds numeric metric(s) lat",
        "f:line 6: not valid JSON",
    ]
    assert plan.unknown_keys == {"nobody": ["f:line 5"]}
    assert plan.conversion_values == {"signed-up": ["f:line 3"]}
    assert (plan.rows, len(plan.encoded)) == (6, 4)


def test_an_event_larger_than_a_body_is_rejected() -> None:
    rows = [RawEvent("f:line 1", {**GOOD, "data": {"pad": "x" * 2000}})]

    plan = build_plan(rows, window=WINDOW, index=None, max_event_bytes=1024)

    assert "a request body holds at most 1024" in plan.rejected[0].reason


def test_batches_respect_both_limits_and_keep_order() -> None:
    encoded = [encode_event({"i": i, "pad": "x" * (i % 7) * 10}) for i in range(1000)]

    made = list(
        batches(encoded, project_key="p", environment_key="e", max_events=100, max_bytes=2000)
    )

    assert all(b.count <= 100 and len(b.body) <= 2000 for b in made)
    assert [e["i"] for b in made for e in json.loads(b.body)] == list(range(1000))
    assert [b.number for b in made] == list(range(1, len(made) + 1))
    # Full batches: none could have taken the next event.
    for batch, after in zip(made, made[1:], strict=False):
        assert batch.count == 100 or len(batch.body) + 1 + len(encoded[after.start]) > 2000


def test_payload_id_depends_on_body_and_target_only() -> None:
    body = b'[{"kind":"custom"}]'

    assert payload_id("p", "e", body) == payload_id("p", "e", body)
    assert len({payload_id("p", "e", body), payload_id("p", "f", body)}) == 2
    assert payload_id("p", "e", body) != payload_id("p", "e", body + b" ")


def test_csv_header_problems_are_named(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("key,when,context.user,context.user\n")

    with pytest.raises(EventsInputError) as caught:
        list(read_events(path, "csv"))

    message = str(caught.value)
    assert "unknown column(s) 'when'" in message
    assert "duplicated column(s) context.user" in message
    assert "missing column(s) creationDate" in message


def test_csv_rows(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "key,creationDate,metricValue,context.user,data.plan\n"
        "a,1764504000000,2.5,u1,gold\n"
        "\n"
        "b,2025-11-30T12:00:00Z,x,u2,\n"
        "c,1,2\n"
    )

    rows = list(read_events(path, "csv"))

    assert rows[0] == RawEvent(
        "e.csv:line 2",
        {
            "key": "a",
            "creationDate": NOW,
            "metricValue": 2.5,
            "contextKeys": {"user": "u1"},
            "data": {"plan": "gold"},
        },
    )
    assert rows[1].where == "e.csv:line 4" and rows[1].fields is not None
    assert rows[1].fields["metricValue"] == "x"  # judged (and refused) by validate.py
    assert rows[2] == RawEvent("e.csv:line 5", None, "3 cells for 5 columns")


def test_format_detection(tmp_path: Path) -> None:
    assert detect_format(tmp_path / "a.JSONL") == "ndjson"
    assert detect_format(tmp_path / "a.txt", "csv") == "csv"
    with pytest.raises(EventsInputError, match="pass --format"):
        detect_format(tmp_path / "a.txt")


def test_json_file_must_be_an_array(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_text('{"events": []}')

    with pytest.raises(EventsInputError, match="JSON array of events"):
        list(read_events(path, "json"))


def test_metrics_file_as_saved_listing(tmp_path: Path) -> None:
    path = tmp_path / "listing.json"
    items = [
        {"key": "a", "kind": "custom", "eventKey": "ev-a", "isNumeric": True},
        {"key": "b", "kind": "pageview"},
    ]
    path.write_text(json.dumps({"items": items}))

    index = index_from_file(path, "web")

    assert (index.numeric, index.conversion) == ({"ev-a": ("a",)}, {})


@pytest.mark.parametrize(
    ("config", "env", "expected"),
    [
        ({}, {}, "https://events.launchdarkly.com"),
        ({"ldmetrics:eventsHost": "eu"}, {}, "https://events.eu.launchdarkly.com"),
        ({}, {"LAUNCHDARKLY_EVENTS_HOST": "federal"}, "https://events.launchdarkly.us"),
        (
            {"ldmetrics:apiHost": "https://app.eu.launchdarkly.com"},
            {},
            "https://events.eu.launchdarkly.com",
        ),
        (
            {},
            {"LAUNCHDARKLY_API_HOST": "https://app.launchdarkly.us"},
            "https://events.launchdarkly.us",
        ),
        (
            {"ldmetrics:eventsHost": "http://127.0.0.1:9999"},
            {"LAUNCHDARKLY_EVENTS_HOST": "eu"},
            "http://127.0.0.1:9999",
        ),
    ],
    ids=["default", "eu-config", "federal-env", "eu-api-host", "federal-api-host", "config-wins"],
)
def test_events_host_resolution(config: dict[str, str], env: dict[str, str], expected: str) -> None:
    _api, events = resolve_events_settings({"ldmetrics:accessToken": TOKEN, **config}, {**env})

    assert events.api_host == expected
    assert events.access_token.get_secret_value() == TOKEN


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("http://events.example.com", "must use https"),
        ("https://events.launchdarkly.com/v2", "no path"),
        ("https://user:pw@events.launchdarkly.com", "user name or password"),
    ],
)
def test_bad_events_hosts_are_refused_by_name(host: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_events_settings({"ldmetrics:accessToken": TOKEN, "ldmetrics:eventsHost": host}, {})

    assert str(caught.value).startswith("ldmetrics:eventsHost: ")
    assert message in str(caught.value)
    assert "pw@" not in str(caught.value)
