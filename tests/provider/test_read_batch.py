"""Reads of one deployment served from a project's listing (`read_batch.py`), over loopback.

Request counts come from the emulator's log; every answer is compared with the metric itself."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.read_batch import HANDFUL, ReadBatcher, expected_reads
from pulumi_ldmetrics.settings import ClientSettings

from .conftest import TOKEN

PROJECT = "web"


def seed(emulator: Emulator, count: int, prefix: str = "m") -> list[str]:
    keys = [f"{prefix}-{i:04d}" for i in range(count)]
    for key in keys:
        body = {"key": key, "name": key, "kind": "custom", "eventKey": f"e-{key}"}
        response = emulator.handle(
            "POST",
            f"/api/v2/metrics/{PROJECT}",
            "",
            {"authorization": TOKEN, "content-type": "application/json"},
            json.dumps(body).encode(),
        )
        assert response.status == 201
    emulator.clear_log()  # seeding is not what is measured
    return keys


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[LDMetricsClient]:
    with LDMetricsClient(ClientSettings(access_token=TOKEN, api_host=server.url)) as api:
        yield api


def requests(emulator: Emulator) -> list[tuple[str, str]]:
    return [(e["method"], e["query"]) for e in emulator.request_log()]


def read_all(
    batcher: ReadBatcher, keys: list[str], workers: int = 4, expected: int | None = None
) -> dict[str, Any]:
    """Read `keys` as the engine does, several at once; `expected` is every read's hint."""
    with ThreadPoolExecutor(workers) as pool:
        found = pool.map(lambda k: batcher.read(PROJECT, k, expected), keys)
        return dict(zip(keys, found, strict=True))


@pytest.mark.parametrize("managed", [50, 200, 1000])
def test_with_the_programs_hint_a_whole_project_costs_its_pages_and_nothing_else(
    emulator: Emulator, client: LDMetricsClient, managed: int
) -> None:
    keys = seed(emulator, managed)
    random.Random(managed).shuffle(keys)
    found = read_all(ReadBatcher(lambda: client), keys, expected=managed)
    assert all(found[k] is not None and found[k]["key"] == k for k in keys)
    pages = -(-managed // 50)
    log = requests(emulator)
    assert len(log) == pages  # ceil(N/50) a pass: 2 x ceil(N/50) with the preview's pass
    assert sorted(q.split("&")[1] for _m, q in log) == sorted(
        f"offset={50 * i}" for i in range(pages)
    )


def test_with_the_programs_hint_a_handful_in_a_large_project_is_one_get_each(
    emulator: Emulator, client: LDMetricsClient
) -> None:
    seed(emulator, 995, prefix="other")
    mine = seed(emulator, 5)
    found = read_all(ReadBatcher(lambda: client), mine, expected=5)
    assert all(found[k]["key"] == k for k in mine)
    assert requests(emulator) == [("GET", "")] * 5  # no listing page at all


def test_with_a_hint_too_small_for_the_listing_reads_stay_gets_after_the_probe(
    emulator: Emulator, client: LDMetricsClient
) -> None:
    seed(emulator, 988, prefix="other")
    mine = seed(emulator, 12)
    found = read_all(ReadBatcher(lambda: client), mine, workers=1, expected=12)
    assert all(found[k]["key"] == k for k in mine)
    log = requests(emulator)
    assert len([q for _m, q in log if "offset=" in q]) == 1  # the probe: 20 pages > 12 GETs
    assert len(log) <= len(mine) + 1


def test_a_stale_small_hint_costs_a_handful_of_gets_then_the_listing_takes_over(
    emulator: Emulator, client: LDMetricsClient
) -> None:
    # Metrics last written when the program declared one: their hint says 1, the stack has 200.
    keys = seed(emulator, 200)
    found = read_all(ReadBatcher(lambda: client), keys, workers=1, expected=1)
    assert all(found[k]["key"] == k for k in keys)
    pages = 4
    log = requests(emulator)
    assert len([q for _m, q in log if "offset=" in q]) == pages
    assert len(log) <= HANDFUL + 2 * pages + 2


def test_a_larger_hint_on_a_later_read_counts(emulator: Emulator, client: LDMetricsClient) -> None:
    keys = seed(emulator, 100)
    batcher = ReadBatcher(lambda: client)
    assert batcher.read(PROJECT, keys[0], 3) is not None  # a handful expected: a GET
    read_all(batcher, keys[1:], workers=1, expected=100)
    log = requests(emulator)
    assert log[0] == ("GET", "")
    assert len(log) == 1 + 2  # then both pages, no other GET


@pytest.mark.parametrize(
    ("stored", "hint"),
    [(200, 200), (200.0, 200), (0, 0), (None, None), (True, None), ("200", None), (-1, None)]
    + [(2.5, None), (float("nan"), None), (float("inf"), None)],
)
def test_the_hint_is_read_from_state_as_a_count_or_not_at_all(
    stored: Any, hint: int | None
) -> None:
    assert expected_reads(stored) == hint


@pytest.mark.parametrize("managed", [50, 200, 1000])
def test_a_stack_managing_the_whole_project_reads_its_listing(
    emulator: Emulator, client: LDMetricsClient, managed: int
) -> None:
    keys = seed(emulator, managed)
    random.Random(managed).shuffle(keys)  # the engine's order is not the listing's
    found = read_all(ReadBatcher(lambda: client), keys)
    assert all(found[k] is not None and found[k]["key"] == k for k in keys)
    pages = -(-managed // 50)
    listing = [q for _m, q in requests(emulator) if "offset=" in q]
    assert len(listing) == pages  # every page once
    assert len(emulator.request_log()) <= 2 * pages + 2  # issue 13's target


def test_a_handful_of_metrics_in_a_large_project_stays_with_gets(
    emulator: Emulator, client: LDMetricsClient
) -> None:
    seed(emulator, 995, prefix="other")
    mine = seed(emulator, 5)
    found = read_all(ReadBatcher(lambda: client), mine, workers=1)
    assert [found[k]["key"] for k in mine] == mine
    log = requests(emulator)
    listing = [q for _m, q in log if "offset=" in q]
    assert len(listing) == 1  # one page, to learn the listing's cost
    assert len(log) <= len(mine) + 1


def test_a_metric_missing_from_the_listing_gets_its_own_get_before_it_is_dropped(
    emulator: Emulator, client: LDMetricsClient
) -> None:
    keys = seed(emulator, 60)
    batcher = ReadBatcher(lambda: client)
    read_all(batcher, [*keys[:30], keys[55]], workers=1)  # the whole listing is fetched by now
    pages = [q for _m, q in requests(emulator) if "offset=" in q]
    assert [q.split("&")[1] for q in pages] == ["offset=0", "offset=50"]
    emulator.handle(
        "DELETE", f"/api/v2/metrics/{PROJECT}/{keys[40]}", "", {"authorization": TOKEN}, b""
    )
    listed = len(emulator.request_log())
    # Still in this deployment's listing: served from it (the listing is this deployment's).
    assert batcher.read(PROJECT, keys[40]) is not None
    # Not in the listing at all: a GET decides, and its 404 means deleted.
    assert batcher.read(PROJECT, "never-existed") is None
    assert requests(emulator)[listed:] == [("GET", "")]


def test_a_new_deployment_sees_what_changed_since_the_last_one(
    emulator: Emulator, client: LDMetricsClient
) -> None:
    keys = seed(emulator, 60)
    read_all(ReadBatcher(lambda: client), keys)
    patch = json.dumps([{"op": "replace", "path": "/name", "value": "Changed"}]).encode()
    emulator.handle(
        "PATCH",
        f"/api/v2/metrics/{PROJECT}/{keys[7]}",
        "",
        {"authorization": TOKEN, "content-type": "application/json"},
        patch,
    )
    emulator.handle(
        "DELETE", f"/api/v2/metrics/{PROJECT}/{keys[8]}", "", {"authorization": TOKEN}, b""
    )
    fresh = read_all(ReadBatcher(lambda: client), keys)  # a new process: nothing carried over
    assert fresh[keys[7]]["name"] == "Changed"
    assert fresh[keys[8]] is None


def test_this_deployments_own_write_is_read_back_not_the_listing(
    emulator: Emulator, client: LDMetricsClient
) -> None:
    keys = seed(emulator, 60)
    batcher = ReadBatcher(lambda: client)
    read_all(batcher, keys)
    client.patch_metric(PROJECT, keys[3], [{"op": "replace", "path": "/name", "value": "Mine"}])
    batcher.forget(PROJECT, keys[3])
    found = batcher.read(PROJECT, keys[3])
    assert found is not None and found["name"] == "Mine"


def test_a_failing_listing_falls_back_to_gets(emulator: Emulator, client: LDMetricsClient) -> None:
    keys = seed(emulator, 60)
    batcher = ReadBatcher(lambda: client)
    assert batcher.read(PROJECT, keys[0]) is not None  # the first read: a GET
    emulator.fail_next(400, method="GET")  # the listing page the second read asks for
    found = read_all(batcher, keys[1:10], workers=1)
    assert all(found[k] is not None and found[k]["key"] == k for k in keys[1:10])
    log = requests(emulator)
    assert [q for _m, q in log if "offset=" in q] == [log[1][1]]  # tried once, not again
