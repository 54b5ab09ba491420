"""Metric-group writes converge through MetricGroupProvider (in process, the product's client
and retry policy) against the emulator drawing faults on every request: 25 % lost responses
(applied, then the connection closed), 10 % dropped connections, 10 % 5xx. Every operation must
succeed, nothing is created twice, and the server ends as declared."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import httpx
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer
from pulumi_ldmetrics.group_provider import MetricGroupProvider
from pulumi_ldmetrics.models.group_convert import (
    group_changed_fields,
    group_spec_from_inputs,
    group_spec_from_rep,
)
from pulumi_ldmetrics.models.group_response import MetricGroupRep
from pulumi_ldmetrics.settings import ClientSettings

TOKEN = "api-group-soak-5b3d4f60"
MEMBER = "569fdeadbeef1644facecafe"
KEYS = ["cart", "checkout", "paid"]


def declaration(index: int, step: int) -> dict[str, Any]:
    """Step 0 created, 1 reordered, 2 described and tagged, 3 renamed and a step renamed."""
    order = KEYS if step == 0 else list(reversed(KEYS))
    inputs: dict[str, Any] = {
        "project_key": "web",
        "key": f"soak-{index:03d}",
        "name": f"Soak {index}" if step < 3 else f"Soak {index} renamed",
        "kind": "funnel",
        "maintainer_id": MEMBER,
        "metrics": [{"key": k, "name_in_group": f"Step {k}"} for k in order],
    }
    if step >= 2:
        inputs["description"], inputs["tags"] = "soaked", ["soak"]
    if step >= 3:
        inputs["metrics"][0]["name_in_group"] = "First"
    return inputs


def test_group_writes_converge_under_lost_responses() -> None:
    emulator = Emulator(token=TOKEN, projects=["web"])
    with EmulatorServer(emulator) as server:
        with httpx.Client(base_url=server.url, headers={"Authorization": TOKEN}) as http:
            for key in KEYS:
                body = {"key": key, "name": key, "kind": "custom", "eventKey": key}
                assert http.post("/api/v2/metrics/web", json=body).status_code == 201
        emulator.set_faults(lost_response_rate=0.25, drop_rate=0.10, error_rate=0.10, seed=11)
        provider = MetricGroupProvider()
        config = {"ldmetrics:accessToken": TOKEN, "ldmetrics:apiHost": server.url}
        provider.configure(ConfigureRequest(config=Config(config, "soak")))
        settings = ClientSettings(
            access_token=TOKEN, api_host=server.url, max_retries=16, timeout_seconds=10
        )
        client = LDMetricsClient(settings, sleep=lambda s: time.sleep(min(s, 0.01)))
        provider._client = client
        errors: list[str] = []
        kept: dict[str, dict[str, Any]] = {}
        for index in range(30):
            olds: dict[str, Any] = {}
            for step in range(4):
                checked = provider.check({}, declaration(index, step))
                assert not checked.failures
                news = dict(checked.inputs or {})
                try:
                    if step == 0:
                        olds = {**news, **(provider.create(news).outs or {})}
                    else:
                        olds = {**news, **(provider.update("", olds, news).outs or {})}
                except Exception as err:  # noqa: BLE001 - counted, then asserted empty
                    errors.append(f"{index}.{step}: {err}")
                    break
            if index % 3:
                try:
                    provider.delete(f"web/{olds['key']}", olds)
                except Exception as err:  # noqa: BLE001
                    errors.append(f"delete {index}: {err}")
            else:
                kept[olds["key"]] = declaration(index, 3)
        client.close()
        outcomes = Counter(e["outcome"] for e in emulator.request_log())
        emulator.set_faults(lost_response_rate=0.0, drop_rate=0.0, error_rate=0.0)
        live = {g["key"]: g for g in emulator.metric_groups().get("web", [])}
    emulator.close()
    assert errors == []
    assert sorted(live) == sorted(kept)  # no orphan, no duplicate, every kept group there
    for key, declared in kept.items():
        spec = group_spec_from_rep(MetricGroupRep.model_validate(live[key]), "web")
        assert group_changed_fields(spec, group_spec_from_inputs(declared)) == [], key
        assert live[key]["_version"] == 4  # three effective PATCHes, none applied twice
    assert outcomes["lost_response"] >= 10 and outcomes["dropped"] >= 5 and outcomes["fault"] >= 5
