"""A funnel next to its metrics through the real CLI: create in one up, reorder, rename a metric
the funnel uses, drift and refresh, remove the group, destroy; `preview --expect-no-changes`
after each step, and the emulator's request log as the proof of what was sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_ldmetrics.emulator import EmulatorServer

from .conftest import StackFactory
from .ldm import TOKEN, emulator_server, init_stack, log
from .pulumi_runner import PulumiStack, write_project

pytestmark = pytest.mark.e2e

PROJECT = "default"
GROUP_PATH = f"/api/v2/projects/{PROJECT}/metric-groups"
GROUP_TYPE = "pulumi-python:dynamic/ldmetrics:MetricGroup"

PROGRAM = '''
"""Metrics and at most one metric group, declared in stack.json (rewritten by the test)."""

import json

from pulumi_ldmetrics import Metric, MetricGroup

declared = json.load(open("stack.json"))
metrics = {
    m["name"]: Metric(
        m["name"], project_key="default", key=m["key"], name=m.get("title", m["key"]),
        kind="custom", event_key=m["name"],
    )
    for m in declared["metrics"]
}
group = declared["group"]
if group is not None:
    MetricGroup(
        "funnel", project_key="default", key=group["key"], name=group["name"], kind="funnel",
        metrics=[{"key": metrics[s["metric"]], "name_in_group": s["step"]} for s in group["steps"]],
    )
'''


def declare(
    workdir: Path, metric_keys: dict[str, str], steps: list[str] | None, name: str = "Checkout"
) -> None:
    group = None
    if steps is not None:
        group = {
            "key": "checkout",
            "name": name,
            "steps": [{"metric": s, "step": f"Step {s}"} for s in steps],
        }
    document = {"metrics": [{"name": n, "key": k} for n, k in metric_keys.items()], "group": group}
    (workdir / "stack.json").write_text(json.dumps(document))


def live_group(server: EmulatorServer) -> dict[str, Any] | None:
    groups = server.emulator.metric_groups().get(PROJECT, [])
    assert len(groups) <= 1
    return groups[0] if groups else None


def live_metric_keys(server: EmulatorServer) -> set[str]:
    return {m["key"] for m in server.emulator.metrics().get(PROJECT, [])}


def sent(server: EmulatorServer) -> list[str]:
    """Writes in order, as `METHOD path` with the project prefix shortened."""
    metric_path = f"/api/v2/metrics/{PROJECT}"
    return [
        f"{e['method']} {e['path'].replace(GROUP_PATH, 'group').replace(metric_path, 'metric')}"
        for e in log(server)
        if e["write"]
    ]


def no_changes(stack: PulumiStack, server: EmulatorServer, reads: tuple[str, ...] = ()) -> None:
    """`preview --expect-no-changes` passes and calls nothing but the `get`s of `reads`."""
    server.emulator.clear_log()
    stack.preview("--expect-no-changes")
    assert [f"{e['method']} {e['path']}" for e in log(server)] == [f"GET {p}" for p in reads]


def test_funnel_lifecycle_with_its_metrics(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    workdir = tmp_path / "proj"
    write_project(workdir, "ldm-groups-e2e", PROGRAM)
    keys = {"cart": "viewed-cart", "checkout": "started-checkout", "paid": "completed-purchase"}
    with emulator_server() as server:
        stack = pulumi_stack(workdir)
        init_stack(stack, server)
        emu = server.emulator

        # 1. One up creates the three metrics, then the funnel over them: 4 requests.
        declare(workdir, keys, ["cart", "checkout", "paid"])
        stack.up()
        assert sent(server)[-1] == "POST group" and sorted(sent(server)[:3]) == ["POST metric"] * 3
        assert len(log(server)) == 4  # the maintainer comes from the Metric output: no GET
        group = live_group(server)
        assert group is not None and group["kind"] == "funnel"
        assert [m["key"] for m in group["metrics"]] == list(keys.values())
        assert [m["nameInGroup"] for m in group["metrics"]] == [
            "Step cart",
            "Step checkout",
            "Step paid",
        ]
        assert group["maintainer"]["key"] == emu.metrics()[PROJECT][0]["maintainerId"]
        assert TOKEN not in json.dumps(stack.stack_export())  # the token never reaches state
        no_changes(stack, server)

        # 2. Reorder: one PATCH of /metrics, the metrics untouched.
        declare(workdir, keys, ["paid", "cart", "checkout"])
        emu.clear_log()
        stack.up()
        assert sent(server) == ["PATCH group/checkout"] and len(log(server)) == 1
        group = live_group(server)
        assert group is not None and group["_version"] == 2
        assert [m["key"] for m in group["metrics"]] == [
            "completed-purchase",
            "viewed-cart",
            "started-checkout",
        ]
        no_changes(stack, server)

        # 3. Rename the key of a metric the funnel uses: the metric is replaced (delete first),
        # and the group with it, deleted before the metric and created after the new one, so
        # LaunchDarkly never sees a metric deleted while a group holds it.
        renamed = {**keys, "cart": "viewed-basket"}
        declare(workdir, renamed, ["paid", "cart", "checkout"])
        emu.clear_log()
        stack.up()
        assert sent(server) == [
            "DELETE group/checkout",
            "DELETE metric/viewed-cart",
            "POST metric",
            "POST group",
        ]
        group = live_group(server)
        assert group is not None
        assert [m["key"] for m in group["metrics"]] == [
            "completed-purchase",
            "viewed-basket",
            "started-checkout",
        ]
        assert live_metric_keys(server) == set(renamed.values())
        no_changes(stack, server)

        # 4. Out-of-band drift: refresh records it, the next up puts the code's value back.
        with httpx.Client(
            base_url=server.url, headers={"Authorization": TOKEN, "LD-API-Version": "beta"}
        ) as api:
            r = api.patch(
                f"{GROUP_PATH}/checkout",
                json=[{"op": "replace", "path": "/name", "value": "Edited in the UI"}],
            )
            assert r.status_code == 200, r.text
        emu.clear_log()
        stack.refresh("--skip-preview")  # one pass: refresh's preview would read it again
        assert sent(server) == []
        assert [e["method"] for e in log(server) if "metric-groups" in e["path"]] == ["GET"]
        funnel_state = next(r for r in stack.resources() if r["type"] == GROUP_TYPE)
        assert funnel_state["outputs"]["name"] == "Edited in the UI"
        preview = stack.preview("--diff").stdout
        assert "Edited in the UI" in preview and "Checkout" in preview
        emu.clear_log()
        stack.up()
        assert sent(server) == ["PATCH group/checkout"]
        group = live_group(server)
        assert group is not None and group["name"] == "Checkout"
        no_changes(stack, server)

        # 5. Remove the group: one DELETE, the metrics stay.
        declare(workdir, renamed, None)
        emu.clear_log()
        stack.up()
        assert sent(server) == ["DELETE group/checkout"]
        assert live_group(server) is None and live_metric_keys(server) == set(renamed.values())
        no_changes(stack, server)

        # 6. Back, then destroy: the group goes before its metrics.
        declare(workdir, renamed, ["cart", "paid"])
        stack.up()
        no_changes(stack, server)
        emu.clear_log()
        stack.destroy()
        order = sent(server)
        assert order[0] == "DELETE group/checkout" and sorted(order[1:]) == sorted(
            f"DELETE metric/{k}" for k in renamed.values()
        )
        assert live_group(server) is None and live_metric_keys(server) == set()


KEYS_PROGRAM = PROGRAM.replace(
    '{"key": metrics[s["metric"]], "name_in_group": s["step"]}',
    '{"key": s["metric"], "name_in_group": s["step"]}',
)
"""The same stack, but the group names its metrics by bare key: no dependency on them."""


def test_a_metric_still_in_a_group_of_bare_keys_is_refused_then_converges(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    """Without `Metric` resources the engine cannot order the delete. What the user sees: the
    refusal, naming the group; the stack is not stuck, removing the metric from the group
    converges in one up (the engine runs the group's update before the metric's delete)."""
    workdir = tmp_path / "keys"
    write_project(workdir, "ldm-groups-keys", KEYS_PROGRAM)
    keys = {
        "viewed-cart": "viewed-cart",
        "completed-purchase": "completed-purchase",
        "extra": "extra",
    }
    with emulator_server() as server:
        stack = pulumi_stack(workdir)
        init_stack(stack, server)
        # Bare keys do not make the group wait for its metrics: they exist first.
        declare(workdir, keys, None)
        stack.up()
        declare(workdir, keys, ["viewed-cart", "completed-purchase"])
        stack.up()
        # Bare keys: the maintainer is read from the first metric (1 GET) before the POST.
        assert [f"{e['method']} {e['path']}" for e in log(server)][-2:] == [
            f"GET /api/v2/metrics/{PROJECT}/viewed-cart",
            f"POST {GROUP_PATH}",
        ]
        no_changes(stack, server)

        without_cart = {k: v for k, v in keys.items() if k != "viewed-cart"}
        declare(workdir, without_cart, ["viewed-cart", "completed-purchase"])
        proc = stack.up(check=False)
        assert proc.returncode != 0
        output = proc.stdout + proc.stderr
        assert "deleting metric default/viewed-cart: 400 invalid_request" in output, output
        assert "used by metric group(s) checkout" in output
        assert "viewed-cart" in live_metric_keys(server)

        declare(workdir, without_cart, ["completed-purchase", "extra"])
        server.emulator.clear_log()
        stack.up()
        assert sent(server) == ["PATCH group/checkout", "DELETE metric/viewed-cart"]
        assert "viewed-cart" not in live_metric_keys(server)
        no_changes(stack, server)


def test_example_stack_import_file_and_get(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    """examples/metric-groups as shipped; then a group made elsewhere brought in with
    `pulumi import --file` and another read with `MetricGroup.get`, each with no diff after."""
    from pulumi.dynamic.dynamic import serialize_provider

    from pulumi_ldmetrics.group_provider import MetricGroupProvider
    from pulumi_ldmetrics.models.group_convert import group_inputs_from_rep, group_outputs_from_rep
    from pulumi_ldmetrics.models.group_response import MetricGroupRep
    from pulumi_ldmetrics.provider import UNMANAGED_FIELDS

    from .ldm import copy_example, run_import

    workdir = copy_example("metric-groups", tmp_path / "example")
    with emulator_server() as server:
        stack = pulumi_stack(workdir)
        init_stack(stack, server)
        stack.up()
        assert sorted(sent(server)) == ["POST group"] + ["POST metric"] * 3
        group = live_group(server)
        assert group is not None and [m["nameInGroup"] for m in group["metrics"]] == [
            "Viewed cart",
            "Started checkout",
            "Completed purchase",
        ]
        assert stack.outputs()["checkout-funnel"]["id"] == "default/checkout-funnel"
        no_changes(stack, server)

        # A standard group made outside Pulumi, over two of the example's metrics.
        legacy = {
            "key": "legacy",
            "name": "Legacy group",
            "kind": "standard",
            "maintainerId": "569fdeadbeef1644facecafe",
            "tags": ["old"],
            "metrics": [
                {"key": "viewed-cart", "nameInGroup": ""},
                {"key": "completed-purchase", "nameInGroup": ""},
            ],
        }
        headers = {"Authorization": TOKEN, "LD-API-Version": "beta"}
        with httpx.Client(base_url=server.url, headers=headers) as api:
            created = api.post(GROUP_PATH, json=legacy)
            assert created.status_code == 201, created.text
            other = api.post(GROUP_PATH, json={**legacy, "key": "read-only", "name": "Seen"})
            assert other.status_code == 201, other.text
        rep = MetricGroupRep.model_validate(created.json())
        provider = serialize_provider(MetricGroupProvider())
        outputs = {**group_outputs_from_rep(rep, PROJECT), UNMANAGED_FIELDS: ["maintainer_id"]}
        document = {
            "resources": [
                {
                    "type": GROUP_TYPE,
                    "name": "legacy",
                    "id": f"{PROJECT}/legacy",
                    "inputs": {
                        **group_inputs_from_rep(rep, PROJECT, manage_maintainer=False),
                        "__provider": provider,
                    },
                    "outputs": {**outputs, "__provider": provider},
                }
            ]
        }
        server.emulator.clear_log()
        run_import(stack, document, tmp_path / "import.json")
        assert sent(server) == []  # outputs supplied: the engine adopts without a write
        program = (workdir / "__main__.py").read_text()
        program += (
            '\nMetricGroup("legacy", project_key=project_key, key="legacy", name="Legacy group",'
            ' kind="standard", tags=["old"], metrics=["viewed-cart", "completed-purchase"])\n'
            'seen = MetricGroup.get("seen", "default/read-only")\n'
            'pulumi.export("seen", seen.name)\n'
        )
        (workdir / "__main__.py").write_text(program)
        stack.up()  # adds only the read of `seen` and the output
        assert sent(server) == []
        assert stack.outputs()["seen"] == "Seen"
        no_changes(stack, server, reads=(f"{GROUP_PATH}/read-only",))  # a get reads each time


def test_imported_groups_adopt_with_no_diff(pulumi_stack: StackFactory, tmp_path: Path) -> None:
    """What `ldmetrics import` produces for a project with a funnel (the importer's metric plan
    plus `importer.groups`): the module and the import file adopt metrics and group with no
    write, and the next preview shows no change."""
    from pulumi_ldmetrics.importer.codegen_python import render_python
    from pulumi_ldmetrics.importer.groups import (
        group_import_entries,
        plan_groups,
        render_groups_python,
    )
    from pulumi_ldmetrics.importer.import_file import import_file_document
    from pulumi_ldmetrics.importer.plan import build_plan

    from .ldm import run_import

    workdir = tmp_path / "imported"
    headers = {"Authorization": TOKEN, "LD-API-Version": "beta"}
    with emulator_server() as server:
        with httpx.Client(base_url=server.url, headers=headers) as api:
            for key in ("viewed-cart", "started-checkout", "completed-purchase"):
                body = {"key": key, "name": key, "kind": "custom", "eventKey": key}
                assert api.post(f"/api/v2/metrics/{PROJECT}", json=body).status_code == 201
            funnel = {
                "key": "checkout",
                "name": "Checkout",
                "kind": "funnel",
                "maintainerId": "569fdeadbeef1644facecafe",
                "tags": ["shop"],
                "metrics": [
                    {"key": "completed-purchase", "nameInGroup": "Paid"},
                    {"key": "viewed-cart", "nameInGroup": "Cart"},
                ],
            }
            assert api.post(GROUP_PATH, json=funnel).status_code == 201
            listed = api.get(f"/api/v2/metrics/{PROJECT}").json()["items"]
            groups_listed = api.get(GROUP_PATH).json()["items"]
        plan = build_plan(listed, PROJECT, site_base_url=server.url)
        variables = {m.key: m.variable_name for m in plan.metrics}
        groups = plan_groups(groups_listed, PROJECT, variables, taken_variables={"METRICS"})
        write_project(
            workdir,
            "ldm-groups-import",
            "import ldm_declarations  # noqa: F401 - declaring is the point\n",
            modules={"ldm_declarations.py": render_groups_python(render_python(plan), groups)},
        )
        document = import_file_document(plan)
        document["resources"] += group_import_entries(groups)
        stack = pulumi_stack(workdir)
        init_stack(stack, server)
        server.emulator.clear_log()
        run_import(stack, document, tmp_path / "import.json")
        assert sent(server) == []
        types = sorted(
            r["type"].rsplit(":", 1)[-1] for r in stack.resources() if "ldmetrics" in r["type"]
        )
        assert types == ["Metric"] * 3 + ["MetricGroup"]
        no_changes(stack, server)


def test_invalid_groups_fail_the_preview_with_field_messages(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    """Every rule at preview with zero requests; an API refusal as one line naming the group."""
    workdir = tmp_path / "invalid"
    write_project(workdir, "ldm-groups-invalid", KEYS_PROGRAM)
    with emulator_server() as server:
        stack = pulumi_stack(workdir)
        init_stack(stack, server)
        (workdir / "stack.json").write_text(
            json.dumps(
                {
                    "metrics": [{"name": "cart", "key": "viewed-cart"}],
                    "group": {
                        "key": "bad key",
                        "name": "Checkout",
                        "steps": [{"metric": "viewed-cart", "step": ""}],
                    },
                }
            )
        )
        proc = stack.preview(check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0
        for path, message in (
            ("key", "must start with a letter or digit"),
            ("metrics", "a metric group needs at least 2 metrics"),
            ("metrics[0].name_in_group", "funnel metric groups require 'name_in_group'"),
        ):
            lines = [line for line in output.splitlines() if f"property {path} value" in line]
            assert lines and all(message in line for line in lines), output
        assert log(server) == []

        declare(workdir, {"cart": "viewed-cart"}, None)
        stack.up()  # the metric first: a bare key does not make the group wait for it

        declare(workdir, {"cart": "viewed-cart"}, ["viewed-cart", "ghost"])
        proc = stack.up(check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0
        assert "creating metric group default/checkout: 400 invalid_request:" in output, output
        assert "unknown metric 'ghost'" in output and "Traceback" not in output
        assert TOKEN not in output


def test_updating_a_member_metric_leaves_the_group_alone(
    pulumi_stack: StackFactory, tmp_path: Path
) -> None:
    """The group borrows the first Metric's maintainer output; a preview of another change to
    that metric must not show the group as changing."""
    workdir = tmp_path / "member-update"
    write_project(workdir, "ldm-groups-member", PROGRAM)
    with emulator_server() as server:
        stack = pulumi_stack(workdir)
        init_stack(stack, server)
        declare(workdir, {"cart": "viewed-cart", "paid": "paid"}, ["cart", "paid"])
        stack.up()
        document = json.loads((workdir / "stack.json").read_text())
        document["metrics"][0]["title"] = "Viewed the cart"
        (workdir / "stack.json").write_text(json.dumps(document))
        preview = stack.preview().stdout
        assert "ldmetrics:Metric cart update" in preview, preview
        assert "MetricGroup funnel" not in preview, preview
        server.emulator.clear_log()
        stack.up()
        assert sent(server) == ["PATCH metric/viewed-cart"]
        no_changes(stack, server)
