"""The rest of the command's contract: progress, interruption, an import-only token, file
errors; the library entry point; and the scrub of a token a server echoes back."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

from pulumi_ldmetrics.cli import Seams, run
from pulumi_ldmetrics.events import (
    EventsClient,
    EventsStatusError,
    InvalidEventsError,
    import_events,
    index_from_listing,
    resolve_events_settings,
)
from pulumi_ldmetrics.settings import ClientSettings

from .conftest import ENVIRONMENT, PROJECT, TOKEN, Hosts, RunCli, event, write_ndjson


def test_progress_bar_counts_events(run_cli: RunCli, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "e.ndjson", [event(i) for i in range(250)])

    result = run_cli("--no-metrics-check", "--batch-size", "100", "--progress", str(path))

    assert result.code == 0
    frames = [f for f in result.stderr.split("\r") if f.startswith("Importing events")]
    assert [f.split()[-1] for f in frames] == ["0/250", "100/250", "200/250", "250/250"]
    assert f"Importing events into {PROJECT}/{ENVIRONMENT} [" + "#" * 30 + "] 250/250" in (
        result.stderr
    )


def test_interrupt_says_what_was_accepted(hosts: Hosts, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "e.ndjson", [event(i) for i in range(30)])
    # One request per long window: batch 1 passes, batch 2 meets a 429 and its wait is where
    # the user presses Ctrl-C.
    hosts.emulator.events.set_faults(global_limit=1, limit_window_seconds=60)

    def interrupted_sleep(_seconds: float) -> None:
        raise KeyboardInterrupt

    out, err = io.StringIO(), io.StringIO()
    argv = ["events", "import", "--project", PROJECT, "--environment", ENVIRONMENT]
    argv += ["--events-host", hosts.events, "--no-metrics-check", "--batch-size", "10", str(path)]
    code = run(argv, Seams(out, err, {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN}, sleep=interrupted_sleep))

    assert code == 130
    assert "interrupted after 10 of 30 event(s) were accepted" in err.getvalue()
    assert len(hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)) == 10


def test_a_token_that_cannot_list_metrics_is_told_the_way_out(
    hosts: Hosts, run_cli: RunCli, tmp_path: Path
) -> None:
    import_only = "api-w8e3r6t1y9u4i2o7p5"
    hosts.emulator.events.token = import_only
    path = write_ndjson(tmp_path / "e.ndjson", [event(1)])

    refused = run_cli(str(path), token=import_only)
    unchecked = run_cli("--no-metrics-check", str(path), token=import_only)

    assert refused.code == 1
    assert "listing metrics of project web: 401 unauthorized" in refused.stderr
    assert "pass --metrics-file or --no-metrics-check" in refused.stderr
    assert unchecked.code == 0, unchecked.stderr
    assert len(hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)) == 1


def test_unreadable_input_is_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    missing = run_cli("--no-metrics-check", str(tmp_path / "nope.ndjson"))
    (tmp_path / "e.txt").write_text("{}")
    unknown = run_cli("--no-metrics-check", str(tmp_path / "e.txt"))

    assert missing.code == unknown.code == 1
    assert missing.stderr.startswith("ldmetrics events: error: ")
    assert "nope.ndjson: cannot read" in missing.stderr
    assert "pass --format" in unknown.stderr
    assert missing.stderr.count("\n") == unknown.stderr.count("\n") == 1


def test_library_import_events(hosts: Hosts, tmp_path: Path) -> None:
    good = write_ndjson(tmp_path / "good.ndjson", [event(i) for i in range(5)])
    bad = write_ndjson(tmp_path / "bad.ndjson", [event(1), event(2, key="")])
    _api, settings = resolve_events_settings(
        {"ldmetrics:accessToken": TOKEN, "ldmetrics:eventsHost": hosts.events}, {}
    )
    index = index_from_listing([{"key": "m", "eventKey": "checkout-latency", "isNumeric": True}])
    progress: list[tuple[int, int]] = []

    with EventsClient(settings) as client:
        report = import_events(
            good,
            PROJECT,
            ENVIRONMENT,
            client,
            index=index,
            on_progress=lambda *p: progress.append(p),
        )
        with pytest.raises(InvalidEventsError) as caught:
            import_events(bad, PROJECT, ENVIRONMENT, client, index=index)

    assert (report.events_sent, report.batches_sent, report.requests) == (5, 1, 1)
    assert progress == [(0, 5), (5, 5)]
    assert [p.where for p in caught.value.problems] == ["bad.ndjson:line 2"]
    assert len(hosts.emulator.events.accepted(PROJECT, ENVIRONMENT)) == 5


def test_a_token_echoed_by_the_server_never_reaches_the_message() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"]
        return httpx.Response(
            400,
            json={"code": f"bad-{token}", "message": f"token {token[:12]} / {token[8:]}"},
            headers={"X-Request-Id": token},
        )

    settings = ClientSettings(access_token=TOKEN, api_host="https://events.launchdarkly.com")
    with EventsClient(settings, transport=httpx.MockTransport(echo)) as client:
        with pytest.raises(EventsStatusError) as caught:
            client.send_batch(PROJECT, ENVIRONMENT, b"[]", "id", "batch 1 of 1")

    message = str(caught.value)
    assert "400" in message and "[redacted]" in message
    assert not any(TOKEN[i : i + 6] in message for i in range(len(TOKEN) - 5))


@pytest.mark.parametrize(
    ("flag", "env", "host"),
    [
        ([], {}, "https://events.launchdarkly.com"),
        (["--events-host", "eu"], {}, "https://events.eu.launchdarkly.com"),
        (
            ["--events-host", "federal"],
            {"LAUNCHDARKLY_EVENTS_HOST": "eu"},
            "https://events.launchdarkly.us",
        ),
        ([], {"LAUNCHDARKLY_EVENTS_HOST": "eu"}, "https://events.eu.launchdarkly.com"),
        (["--api-host", "https://app.launchdarkly.us"], {}, "https://events.launchdarkly.us"),
    ],
    ids=["default", "flag-eu", "flag-beats-env", "env-eu", "federal-api-host"],
)
def test_dry_run_names_the_events_host(
    tmp_path: Path, flag: list[str], env: dict[str, str], host: str
) -> None:
    path = write_ndjson(tmp_path / "e.ndjson", [event(1)])
    out, err = io.StringIO(), io.StringIO()
    argv = ["events", "import", "--project", PROJECT, "--environment", ENVIRONMENT]
    argv += [*flag, "--no-metrics-check", "--dry-run", str(path)]

    code = run(argv, Seams(out, err, {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN, **env}))

    assert code == 0, err.getvalue()
    assert f"would go to {PROJECT}/{ENVIRONMENT} at {host} in 1 batch(es); nothing was sent" in (
        out.getvalue()
    )


def test_plain_http_to_a_remote_events_host_is_refused(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "e.ndjson", [event(1)])
    out, err = io.StringIO(), io.StringIO()
    argv = ["events", "import", "--project", PROJECT, "--environment", ENVIRONMENT]
    argv += ["--events-host", "http://events.example.com", "--dry-run", str(path)]

    code = run(argv, Seams(out, err, {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN}))

    assert code == 1
    assert "error: --events-host: events host must use https" in err.getvalue()
