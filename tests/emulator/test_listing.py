"""GET /api/v2/metrics/{projectKey}: pagination, sort, filter (reference §2, §6)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from .helpers import CLICK, CUSTOM, METRICS, NUMERIC, PAGEVIEW, TRACE, assert_error, create


def offset_of(link: dict[str, str]) -> int:
    query = parse_qs(urlsplit(link["href"]).query)
    return int(query["offset"][0])


def test_pagination_over_120_metrics(client: httpx.Client) -> None:
    for i in range(120):
        create(client, {**CUSTOM, "key": f"m{i:03d}"})
    pages = []
    offset = 0
    while True:
        body = client.get(METRICS, params={"limit": 50, "offset": offset}).json()
        pages.append(body)
        assert body["totalCount"] == 120
        if "next" not in body["_links"]:
            break
        offset = offset_of(body["_links"]["next"])
    assert [len(p["items"]) for p in pages] == [50, 50, 20]
    keys = [m["key"] for p in pages for m in p["items"]]
    assert keys == [f"m{i:03d}" for i in range(120)]  # creation order, each exactly once

    first, middle, last = (p["_links"] for p in pages)
    assert "prev" not in first
    assert (offset_of(first["self"]), offset_of(first["next"]), offset_of(first["last"])) == (
        0,
        50,
        100,
    )
    assert (offset_of(middle["prev"]), offset_of(middle["next"])) == (0, 100)
    assert offset_of(last["prev"]) == 50 and "next" not in last
    assert last["self"]["href"] == "/api/v2/metrics/proj?limit=50&offset=100"
    assert last["first"]["type"] == "application/json"


def test_default_limit_is_20(client: httpx.Client) -> None:
    for i in range(25):
        create(client, {**CUSTOM, "key": f"m{i}"})
    body = client.get(METRICS).json()
    assert len(body["items"]) == 20
    assert body["_links"]["self"]["href"] == "/api/v2/metrics/proj?limit=20&offset=0"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 51},
        {"limit": 0},
        {"limit": "x"},
        {"offset": -1},
        {"sort": "kind"},
        {"filter": "color equals red"},
        {"filter": "isNumeric equals maybe"},
        {"filter": "tags equals a"},
        {"filter": "nonsense"},
    ],
    ids=[
        "limit-51",
        "limit-0",
        "limit-nan",
        "offset-neg",
        "sort-field",
        "filter-field",
        "filter-bool",
        "filter-op",
        "filter-syntax",
    ],
)
def test_bad_list_parameters_are_400(client: httpx.Client, params: dict[str, Any]) -> None:
    assert_error(client.get(METRICS, params=params), 400, "invalid_request")


def test_offset_past_the_end_is_an_empty_page(client: httpx.Client) -> None:
    create(client, CUSTOM)
    body = client.get(METRICS, params={"offset": 10}).json()
    assert body["items"] == [] and body["totalCount"] == 1


def test_sort_by_name_and_creation_date(client: httpx.Client) -> None:
    for key, name in (("a", "Charlie"), ("b", "alpha"), ("c", "Bravo")):
        create(client, {**CUSTOM, "key": key, "name": name})

    def keys(sort: str) -> list[str]:
        return [m["key"] for m in client.get(METRICS, params={"sort": sort}).json()["items"]]

    assert keys("name") == ["b", "c", "a"]
    assert keys("-name") == ["a", "c", "b"]
    assert keys("createdAt") == ["a", "b", "c"]
    assert keys("-createdAt") == ["c", "b", "a"]
    links = client.get(METRICS, params={"sort": "-name"}).json()["_links"]
    assert "sort=-name" in links["self"]["href"]


def test_filters(client: httpx.Client) -> None:
    create(client, {**CUSTOM, "name": "Sign Up", "tags": ["a", "b"]})
    create(client, {**NUMERIC, "tags": ["a"]})
    create(client, {**PAGEVIEW, "tags": ["b"]})
    create(client, CLICK)
    create(client, TRACE)

    def keys(expr: str) -> list[str]:
        response = client.get(METRICS, params={"filter": expr})
        assert response.status_code == 200, response.text
        return [m["key"] for m in response.json()["items"]]

    assert keys('query equals "SIGN"') == ["signup"]  # case-insensitive, key or name
    assert keys('query equals "up"') == ["signup"]
    assert keys('tags contains ["a","b"]') == ["signup"]
    assert keys('tags contains ["a"]') == ["signup", "latency"]
    assert keys("eventKind equals custom") == ["signup", "latency"]
    assert keys("eventKind:pageview") == ["home"]
    assert keys("isNumeric equals true") == ["latency", "db-time"]
    assert keys("isNumeric:false") == ["signup", "home", "buy"]
    assert keys('eventKind equals custom,tags contains ["b","a"]') == ["signup"]
    body = client.get(METRICS, params={"filter": "eventKind equals custom", "limit": 1}).json()
    assert body["totalCount"] == 2
    assert "filter=eventKind+equals+custom" in body["_links"]["next"]["href"]


def test_listing_items_omit_rep_only_fields(client: httpx.Client) -> None:
    rep = create(client, CUSTOM)
    item = client.get(METRICS).json()["items"][0]
    assert rep["isActive"] is True
    assert "isActive" not in item
    assert {k: v for k, v in rep.items() if k != "isActive"} == item


def test_empty_project_lists_nothing(client: httpx.Client) -> None:
    body = client.get("/api/v2/metrics/empty").json()
    assert body["items"] == [] and body["totalCount"] == 0
    assert "next" not in body["_links"] and "prev" not in body["_links"]
