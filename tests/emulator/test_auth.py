"""401 / 403 / project restriction (reference §1, §8)."""

from __future__ import annotations

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer, member_id_for_token

from .helpers import CUSTOM, METRICS, READER_TOKEN, TOKEN, assert_error, create, new_client


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "wrong"}, {"Authorization": f"Bearer {TOKEN}"}, {"Authorization": ""}],
    ids=["missing", "wrong", "bearer", "empty"],
)
def test_bad_token_is_401_on_every_route(anon: httpx.Client, headers: dict[str, str]) -> None:
    for method, path in (("GET", METRICS), ("POST", METRICS), ("GET", f"{METRICS}/k")):
        response = anon.request(method, path, headers=headers, json=CUSTOM)
        assert_error(response, 401, "unauthorized")


def test_401_stores_nothing(anon: httpx.Client, emulator: Emulator) -> None:
    anon.post(METRICS, json=CUSTOM, headers={"Authorization": "wrong"})
    assert emulator.metrics() == {}


def test_reader_token_may_read_but_not_write(client: httpx.Client, anon: httpx.Client) -> None:
    create(client, CUSTOM)
    reader = {"Authorization": READER_TOKEN}
    assert anon.get(f"{METRICS}/signup", headers=reader).status_code == 200
    assert anon.get(METRICS, headers=reader).status_code == 200
    assert_error(anon.post(METRICS, json={**CUSTOM, "key": "x"}, headers=reader), 403, "forbidden")
    patch = [{"op": "replace", "path": "/name", "value": "n"}]
    assert_error(anon.patch(f"{METRICS}/signup", json=patch, headers=reader), 403, "forbidden")
    assert_error(anon.delete(f"{METRICS}/signup", headers=reader), 403, "forbidden")
    assert client.get(f"{METRICS}/signup").json()["name"] == "signup"


def test_without_configured_token_any_value_is_accepted() -> None:
    with EmulatorServer(Emulator()) as server, new_client(server.url) as http:
        assert http.get(METRICS).status_code == 200
        rep = create(http, CUSTOM)
        other = http.post(METRICS, json={**CUSTOM, "key": "k2"}, headers={"Authorization": "x"})
        assert other.status_code == 201
        assert other.json()["maintainerId"] == member_id_for_token("x") != rep["maintainerId"]


def test_explicit_maintainer_is_kept(client: httpx.Client) -> None:
    rep = create(client, {**CUSTOM, "maintainerId": "569fdeadbeef1644facecafe"})
    assert rep["maintainerId"] == rep["_maintainer"]["_id"] == "569fdeadbeef1644facecafe"
    assert rep["maintainerId"] != member_id_for_token(TOKEN)


def test_project_restriction_404s_unknown_projects() -> None:
    emulator = Emulator(token=TOKEN, projects=["p1"])
    with EmulatorServer(emulator) as server:
        with new_client(server.url, TOKEN) as http:
            create(http, CUSTOM, project="p1")
            for method, path in (
                ("GET", "/api/v2/metrics/p2"),
                ("POST", "/api/v2/metrics/p2"),
                ("GET", "/api/v2/metrics/p2/signup"),
                ("PATCH", "/api/v2/metrics/p2/signup"),
                ("DELETE", "/api/v2/metrics/p2/signup"),
            ):
                response = http.request(method, path, json=CUSTOM if method == "POST" else [])
                assert_error(response, 404, "not_found")
            assert http.get("/api/v2/metrics/p1").json()["totalCount"] == 1
