"""`import_events`: the library entry point behind `ldmetrics events import`.

Order of work, so that a bad file costs no request at all:
1. read and judge every row (`plan.build_plan`); with invalid rows and no `skip_invalid`,
   raise `InvalidEventsError` naming each, having sent nothing;
2. send the batches one after another (`EventsClient.send_batch`: retries with the batch's
   payload id, rate limits honoured); stop at the first batch that fails for good.
Batches go one at a time: the events host's rate limit is per account and unpublished, and a
single 9 MB stream already keeps a connection busy.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pulumi_ldmetrics.errors import APIError
from pulumi_ldmetrics.events.batching import batches, ranges
from pulumi_ldmetrics.events.client import EventsClient
from pulumi_ldmetrics.events.constants import (
    DEFAULT_BATCH_EVENTS,
    DEFAULT_MAX_AGE_DAYS,
    MAX_BODY_BYTES,
)
from pulumi_ldmetrics.events.errors import InvalidEventsError, Problem
from pulumi_ldmetrics.events.metrics import MetricIndex
from pulumi_ldmetrics.events.plan import ImportPlan, build_plan
from pulumi_ldmetrics.events.reader import Format, detect_format, read_events
from pulumi_ldmetrics.events.validate import Window

Progress = Callable[[int, int], None]
"""`(events sent, events to send)`, called before the first batch and after each one."""


@dataclass
class ImportReport:
    """What an import did; `failure` is set when a batch could not be delivered."""

    plan: ImportPlan
    batches_total: int = 0
    batches_sent: int = 0
    events_sent: int = 0
    requests: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    """Retry reasons (`429`, `503`, `ReadTimeout`…) and how often each happened."""
    retried_batches: list[int] = field(default_factory=list)
    failure: APIError | None = None
    dry_run: bool = False

    @property
    def rejected(self) -> list[Problem]:
        """The invalid rows (skipped: only reached with `skip_invalid`)."""
        return self.plan.rejected


@dataclass(frozen=True)
class BatchLimits:
    """How large one request may be."""

    max_events: int = DEFAULT_BATCH_EVENTS
    max_bytes: int = MAX_BODY_BYTES


def plan_file(
    path: Path,
    *,
    fmt: Format | None = None,
    index: MetricIndex | None = None,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
    limits: BatchLimits = BatchLimits(),
    now_ms: int | None = None,
) -> ImportPlan:
    """Read and judge `path` (step 1 of the module docstring); sends nothing."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    rows = read_events(path, detect_format(path, fmt))
    return build_plan(
        rows,
        window=Window.around(now, max_age_days),
        index=index,
        max_event_bytes=limits.max_bytes,
    )


def send_plan(
    plan: ImportPlan,
    client: EventsClient,
    project_key: str,
    environment_key: str,
    *,
    limits: BatchLimits = BatchLimits(),
    skip_invalid: bool = False,
    dry_run: bool = False,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Send a plan's events (step 2). Raises `InvalidEventsError` first if rows are invalid and
    `skip_invalid` is false; a batch that fails for good ends the import with `failure` set."""
    if plan.rejected and not skip_invalid:
        raise InvalidEventsError(plan.rejected)
    sizes = [len(e) for e in plan.encoded]
    total_batches = sum(
        1 for _ in ranges(sizes, max_events=limits.max_events, max_bytes=limits.max_bytes)
    )
    report = ImportReport(plan, batches_total=total_batches, dry_run=dry_run)
    total = len(plan.encoded)
    if on_progress is not None:
        on_progress(0, total)
    if dry_run:
        return report
    for batch in batches(
        plan.encoded,
        project_key=project_key,
        environment_key=environment_key,
        max_events=limits.max_events,
        max_bytes=limits.max_bytes,
    ):
        label = f"batch {batch.number} of {total_batches}"
        try:
            result = client.send_batch(
                project_key, environment_key, batch.body, batch.payload_id, label
            )
        except APIError as err:
            report.failure = err
            report.requests += int(getattr(err, "retries", 0)) + 1
            return report
        report.requests += result.retries + 1
        report.retries.update(result.reasons)
        if result.retries:
            report.retried_batches.append(batch.number)
        report.batches_sent += 1
        report.events_sent += batch.count
        if on_progress is not None:
            on_progress(report.events_sent, total)
    return report


def import_events(
    path: str | Path,
    project_key: str,
    environment_key: str,
    client: EventsClient,
    *,
    fmt: Format | None = None,
    index: MetricIndex | None = None,
    skip_invalid: bool = False,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
    limits: BatchLimits = BatchLimits(),
    on_progress: Progress | None = None,
) -> ImportReport:
    """Import one events file into one environment: `plan_file`, then `send_plan`.

    `index` (from `metrics.index_from_listing` or `index_from_file`) enables the metric checks:
    a missing value for a numeric metric is an invalid row; unmatched keys and values sent to
    conversion metrics are reported in the plan as warnings.
    """
    plan = plan_file(Path(path), fmt=fmt, index=index, max_age_days=max_age_days, limits=limits)
    return send_plan(
        plan,
        client,
        project_key,
        environment_key,
        limits=limits,
        skip_invalid=skip_invalid,
        on_progress=on_progress,
    )
