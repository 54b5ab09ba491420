"""What a Pulumi program checks about each `Metric` as it is declared, before registration.

Why in the program and not only in the provider's `check`: the engine stops a deployment at the
first resource whose `check` fails, so a program with three invalid metrics showed one error per
preview; and `check` sees one resource at a time, so it cannot notice two resources declaring
the same metric, nor return a warning. The program sees every declaration:

- **Errors** (type errors and enforced rules, `models.rules.assess`, and a `project_key`/`key`
  declared twice) are logged at once, one line each under the resource's URN; the invalid
  metric is not registered, and the run fails when the program body is done (`pulumi.RunError`,
  one line), so every invalid declaration of the program is reported by one preview. The valid
  metrics wait for that verdict (`gate`) before they register, so nothing is sent to
  LaunchDarkly, not even by `pulumi up`.
- **Warnings** (advisory rules) are logged on the registered resource and change nothing.

Values that are `Output`s are not known here; the provider's `check` validates them at preview
(enforced rules only, and one resource at a time).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import settings
from pulumi.runtime.proto import engine_pb2

from pulumi_ldmetrics.models.rules import Violation, adopt_existing_violations, assess
from pulumi_ldmetrics.models.spec import ADOPT_EXISTING

METRIC_TYPE = "pulumi-python:dynamic/ldmetrics:Metric"
"""The type token of `Metric` (`Resource` subclass options module/name)."""

__all__ = [
    "Checked",
    "check_declaration",
    "declared_in_project",
    "gate",
    "report_invalid",
    "report_warnings",
]


def _is_unknown(value: Any) -> bool:
    # An Output, or any awaitable a Pulumi Input may be: its value is not known yet.
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


@dataclass
class _Program:
    """What this run of the program declared so far (reset when the engine connection changes:
    one process may run several programs under test mocks)."""

    monitor: object | None = None
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    hints: dict[str, asyncio.Future[int]] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)
    gate: pulumi.Output[list[pulumi.Resource]] | None = None
    decided: bool = False
    """The gate has resolved: a declaration made later (in an apply) cannot hold back the
    registrations already let through."""


_program = _Program()


def _current() -> _Program:
    global _program
    monitor = settings.get_monitor()
    if _program.monitor is not monitor:
        _program = _Program(monitor)
    return _program


@dataclass(frozen=True)
class Checked:
    """The program-side verdict on one declaration."""

    errors: list[Violation]
    """One per problem (`event_key`: `custom metrics require …`)."""
    warnings: list[str]


def check_declaration(resource_name: str, props: Mapping[str, Any]) -> Checked:
    """Check one `Metric`'s arguments (snake_case, `adopt_existing` included) and claim its
    `project_key`/`key` for `resource_name` when valid."""
    spec_fields = {k: v for k, v in props.items() if k != ADOPT_EXISTING and v is not None}
    found = assess(spec_fields, is_unknown=_is_unknown)
    violations = found.errors + adopt_existing_violations(
        props.get(ADOPT_EXISTING), is_unknown=_is_unknown
    )
    errors = list(violations)
    identity = (props.get("project_key"), props.get("key"))
    if all(isinstance(part, str) for part in identity) and not errors:
        owners = _current().owners
        project_key, key = str(identity[0]), str(identity[1])
        owner = owners.setdefault((project_key, key), resource_name)
        if owner != resource_name:
            errors.append(
                Violation(
                    "key",
                    f"{project_key}/{key} is also declared by Metric '{owner}', and one "
                    "LaunchDarkly metric can be managed by one resource only (remove one, or "
                    "change its key)",
                )
            )
    return Checked(errors, [_advice(w) for w in found.warnings])


def _advice(warning: Violation) -> str:
    return f"{warning} (advice: {warning.rule}; LaunchDarkly may accept it, see docs/rules.md)"


def report_invalid(
    resource_name: str,
    props: Mapping[str, Any],
    errors: list[Violation],
    *,
    parented: bool = False,
) -> pulumi.Output[list[pulumi.Resource]]:
    """Log `errors` now, one line each, on the resource, and make the run fail once the
    program body is done (`gate`). Returns the Output that fails: the invalid resource's
    properties point at it, so a program that uses them fails with the same one-line error
    rather than an AttributeError."""
    program = _current()
    program.invalid.append(resource_name)
    # The URN the resource would have: the CLI files the messages under it, as it files the
    # provider's check failures. A parent's URN is only known asynchronously, and a message
    # sent later may never leave before the run fails: such a resource's messages go to the
    # stack, naming it.
    urn = "" if parented else _urn(resource_name)
    for error in errors:
        # The engine's own wording for a failed check, so tools that read one read both; the
        # value is the one declared (the engine cannot look nested paths up: `{<nil>}`).
        shown = _shown(_value_at(props, error.path))
        _log_error(
            f"{METRIC_TYPE} resource '{resource_name}': property {error.path} value {shown} has a"
            f" problem: {error.message}",
            urn,
        )
    if program.decided:  # declared after the gate opened (inside an apply): fail on its own
        return pulumi.Output(set(), _fail(program), _true())
    return gate()


def declared_in_project(project_key: str) -> asyncio.Future[int]:
    """How many valid `Metric`s the program declares in `project_key`: the read hint each metric
    carries into state, so a refresh, which runs no program, knows whether to read the project
    from its listing (`read_batch`). One future per project, shared by its metrics and set by
    `_decide` once the body is done; a registration serializes its inputs only after the gate,
    so it always finds the final count. A plain future, not an Output: an Output input costs the
    SDK about 2 ms a resource to resolve (0.4 s of a 200-metric preview), a future next to
    nothing."""
    program = _current()
    hint = program.hints.get(project_key)
    if hint is None:
        hint = asyncio.get_event_loop().create_future()
        program.hints[project_key] = hint
        if program.decided:  # declared inside an apply: the body's count is final already
            hint.set_result(_declared_in(program)[project_key])
    return hint


def gate() -> pulumi.Output[list[pulumi.Resource]]:
    """What every valid `Metric` of the program `depends_on`: it resolves (to no resource) on
    the event loop once the program body is done, and fails instead when any declaration was
    invalid. So with one invalid metric no valid one is registered, and nothing is written:
    `pulumi up` of a program with a mistake changes nothing in LaunchDarkly."""
    program = _current()
    if program.gate is None:
        program.gate = pulumi.Output(set(), _decide(program), _true())
    return program.gate


def _declared_in(program: _Program) -> Counter[str]:
    """Valid declarations so far, by project key (each claimed `project_key`/`key` once)."""
    return Counter(project_key for project_key, _ in program.owners)


async def _decide(program: _Program) -> list[pulumi.Resource]:
    # Runs once the synchronous program body has declared everything: the count is final.
    program.decided = True
    declared = _declared_in(program)
    for project_key, hint in program.hints.items():
        if not hint.done():
            hint.set_result(declared[project_key])
    if program.invalid:
        await _fail(program)
    return []


async def _fail(program: _Program) -> list[pulumi.Resource]:
    names = ", ".join(f"'{name}'" for name in program.invalid)
    count = len(program.invalid)
    raise pulumi.RunError(
        f"{count} invalid Metric declaration{'s' if count > 1 else ''} ({names}), see the errors "
        "above; nothing was sent to LaunchDarkly"
    )


_MISSING = object()
_MAX_SHOWN = 60


def _value_at(props: Mapping[str, Any], path: str) -> Any:
    """The declared value at a violation's dotted path (`urls.0.substr`), or `_MISSING`."""
    node: Any = props
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return _MISSING if node is None else node


def _shown(value: Any) -> str:
    if value is _MISSING:
        return "(not set)"
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _urn(resource_name: str) -> str:
    return (
        f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{METRIC_TYPE}::{resource_name}"
    )


def _log_error(message: str, urn: str) -> None:
    # Synchronous, like `pulumi.log.error` without a resource (which cannot take a URN), so it
    # reaches the engine before any registration: every message is shown even when something
    # else fails first.
    engine = settings.get_engine()
    if engine is None or not urn:
        pulumi.log.error(message)
        return
    engine.Log(engine_pb2.LogRequest(severity=engine_pb2.ERROR, message=message, urn=urn))


async def _true() -> bool:
    return True


def report_warnings(resource: pulumi.Resource, warnings: list[str]) -> None:
    """Log advice on the registered resource; the deployment goes on."""
    for warning in warnings:
        pulumi.log.warn(warning, resource=resource)
