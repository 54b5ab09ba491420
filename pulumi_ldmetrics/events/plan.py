"""Read, check and encode a whole events file before a single request: the import's plan.

Every row is judged (`validate.check_event`) and checked against the project's metrics
(`metrics.MetricIndex`): an event whose key feeds a numeric metric must carry `metricValue`.
Two things are only warnings, because LaunchDarkly accepts them: a key that matches no
metric's event key (counted nowhere), and a value sent with a key that only conversion metrics
use (ignored). The plan keeps the valid events already encoded, so sending is just joining.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pulumi_ldmetrics.events.batching import encode_event
from pulumi_ldmetrics.events.errors import Problem
from pulumi_ldmetrics.events.metrics import MetricIndex
from pulumi_ldmetrics.events.reader import RawEvent
from pulumi_ldmetrics.events.validate import Window, check_event


@dataclass
class ImportPlan:
    """What an import would send, what it refuses, and what it warns about."""

    encoded: list[bytes] = field(default_factory=list)
    """The valid events, compact JSON, in input order."""
    rows: int = 0
    """Rows read (valid or not)."""
    rejected: list[Problem] = field(default_factory=list)
    """One entry per invalid row, all of its problems in one reason."""
    unknown_keys: dict[str, list[str]] = field(default_factory=dict)
    """Event key -> where its events are, for keys no metric counts (index given only)."""
    conversion_values: dict[str, list[str]] = field(default_factory=dict)
    """Event key -> where a `metricValue` was sent that only conversion metrics would see."""
    metrics_checked: bool = False
    """Whether a metric index was given (else the two warnings above cannot be made)."""


def build_plan(
    rows: Iterable[RawEvent], *, window: Window, index: MetricIndex | None, max_event_bytes: int
) -> ImportPlan:
    """Judge every row; see the module docstring."""
    plan = ImportPlan(metrics_checked=index is not None)
    for row in rows:
        plan.rows += 1
        if row.fields is None:
            plan.rejected.append(Problem(row.where, row.problem or "unreadable"))
            continue
        event, problems = check_event(row.fields, window)
        warning: dict[str, list[str]] | None = None
        if event is not None and index is not None:
            key = event["key"]
            numeric = index.numeric.get(key)
            if numeric and "metricValue" not in event:
                problems.append(
                    f"metricValue: required, key {key!r} feeds numeric metric(s)"
                    f" {', '.join(numeric)}"
                )
            elif not index.knows(key):
                warning = plan.unknown_keys
            elif not numeric and "metricValue" in event:
                warning = plan.conversion_values
        if event is not None and not problems:
            encoded = encode_event(event)
            # Room for the brackets of a one-event body.
            if len(encoded) + 2 <= max_event_bytes:
                plan.encoded.append(encoded)
                if warning is not None:  # only rows that will be sent are warned about
                    warning.setdefault(event["key"], []).append(row.where)
                continue
            problems.append(
                f"the event is {len(encoded)} bytes encoded; a request body holds at most"
                f" {max_event_bytes}"
            )
        plan.rejected.append(Problem(row.where, "; ".join(problems)))
    return plan
