"""Serving the reads of one deployment from a project's listing when that is cheaper than GETs.

The engine runs every `read` of a deployment (a refresh, or its preview) in one provider
process. A stack managing most of a project is read most cheaply from the listing, 50 metrics a
request; a stack managing a handful of metrics in a large project, one GET each. What decides
between them is how many reads will come, and each `read` is told that only by a hint: the
number of `Metric`s the stack's program declared in the project when this metric was last
written (`EXPECTED_READS`, an input and output the program sets and the display hides). Per
project, as reads arrive:

1. **Expecting a handful** (a hint under `HANDFUL`): GETs, one per metric, no listing at all;
   after `HANDFUL` GETs the hint was wrong (stale), and the reads go on as without a hint.
2. **Expecting more**: the first read fetches listing page 1 (sorted by creation, so metrics
   created meanwhile land at the end rather than shifting pages). It answers every read whose
   metric it holds, and its `totalCount` tells how many pages the rest costs: when they are no
   more than the reads still expected, they are fetched at once and answer the rest; otherwise
   reads stay GETs (a dozen metrics of a 1,000-metric project: the probe page plus one GET each).
3. **No hint** (a metric last written before hints existed, imported by hand rather than with
   `ldmetrics import`, whose import file carries one, or read by `Metric.get`): the first read
   is a GET and the second fetches page 1; from then on, and in every case once the expectation
   is used up, a read the fetched pages do not answer is a GET until the GETs spent reach the
   pages still unfetched, then the rest of the listing is fetched (ski rental: within about
   twice the cheaper of "all GETs" and "all pages", whatever the stack's share).

So a refresh of a stack managing a whole project of N costs ceil(N/50) requests a pass (two
passes with the preview: within 2 x ceil(N/50) + 2), and a handful of metrics in a large project
one GET each. A hint is as old as the metric's last create or update (an `up` that changes
nothing keeps the old outputs); a stale one costs requests, never correctness.

Freshness: the listing is fetched inside the deployment that reads it, and dropped with the
process, so no read returns data older than the deployment. A write by this process drops the
metric's entry, so a later read of it is a GET.

A metric missing from the listing is not taken as deleted: pages fetched while other writers
create or delete metrics can skip one, so it gets its own GET, and only that GET's 404 drops it.
A listing request that fails is not retried as a listing: the project's reads are GETs again.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from pulumi_ldmetrics._constants import LIST_PAGE_LIMIT
from pulumi_ldmetrics.errors import APIError, NotFoundError

if TYPE_CHECKING:  # the client (httpx) is imported on first use: see provider.py
    from pulumi_ldmetrics.client import LDMetricsClient

__all__ = ["EXPECTED_READS", "HANDFUL", "LISTING_SORT", "ReadBatcher", "expected_reads"]

LISTING_SORT: Final = "createdAt"
EXPECTED_READS: Final = "__stack_metrics_in_project"
"""Input and output of a `Metric`: how many `Metric`s its program declared in its project. The
`__` prefix keeps it out of the CLI's display, as `__provider`; `diff` ignores it."""
HANDFUL: Final = 10
"""Below this many expected reads a project is read by GETs alone: a probe page would cost one
request more than the GETs whenever the project is large."""


def expected_reads(value: Any) -> int | None:
    """The hint stored in state as a count, or None when absent or not one (the engine sends
    numbers as floats)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value < 0 or value != int(value):
        return None
    return int(value)


log = logging.getLogger(__name__)


@dataclass
class _Project:
    """What one deployment knows of one project's listing."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    reads: int = 0
    expected: int | None = None
    """The largest hint among the reads so far (None: no read carried one)."""
    gets: int = 0
    total: int | None = None
    fetched: int = 0
    """Items fetched so far: the next page's offset."""
    complete: bool = False
    listed: dict[str, dict[str, Any]] = field(default_factory=dict)

    def pages_left(self) -> int:
        assert self.total is not None
        return max(0, math.ceil((self.total - self.fetched) / LIST_PAGE_LIMIT))

    def reads_left(self) -> int:
        """Reads still expected, this one included (0 without a hint, or once it is used up)."""
        return max(0, (self.expected or 0) - self.reads + 1)

    def worth_probing(self) -> bool:
        """Fetch listing page 1 now, for this read?"""
        if self.expected is not None and self.expected >= HANDFUL:
            return True
        if self.expected is not None and self.gets < HANDFUL:
            return False  # a handful expected: GETs, until that proves wrong
        return self.gets >= 1  # no hint: the second read probes


class ReadBatcher:
    """Answers `read(project, key)` with the metric's representation, or None when deleted.

    Thread-safe: the provider host calls `read` from several workers at once; a listing page is
    fetched under the project's lock, so concurrent readers wait for it instead of racing it.
    """

    def __init__(self, api: Callable[[], LDMetricsClient]) -> None:
        self._api = api
        self._lock = threading.Lock()
        self._projects: dict[str, _Project] = {}

    def read(
        self, project_key: str, key: str, expected: int | None = None
    ) -> dict[str, Any] | None:
        """The metric as this deployment sees it; `expected` is the read's hint (see above)."""
        project = self._project(project_key)
        with project.lock:
            project.reads += 1
            if expected is not None:
                project.expected = max(project.expected or 0, expected)
            found = project.listed.get(key)
            if found is None:
                found = self._from_listing(project_key, key, project)
            if found is not None:
                return dict(found)
            project.gets += 1
        try:
            return self._api().get_metric(project_key, key)
        except NotFoundError:
            return None

    def forget(self, project_key: str, key: str) -> None:
        """Drop what the listing said of a metric this deployment has just written."""
        project = self._project(project_key)
        with project.lock:
            project.listed.pop(key, None)

    def _from_listing(self, project_key: str, key: str, project: _Project) -> dict[str, Any] | None:
        """Fetch listing pages if the policy says so (lock held); the entry for `key` if any."""
        if project.complete:
            return None
        if project.total is None:
            if not project.worth_probing():
                return None
            self._fetch_page(project_key, project)  # the probe
            if key in project.listed or project.complete:
                return project.listed.get(key)
        if project.pages_left() <= max(project.gets, project.reads_left()):
            while not project.complete:
                self._fetch_page(project_key, project)
        return project.listed.get(key)

    def _fetch_page(self, project_key: str, project: _Project) -> None:
        try:
            items, total = self._api().list_metrics_page(
                project_key, offset=project.fetched, sort=LISTING_SORT
            )
        except APIError as err:
            # The listing is an optimisation: if it fails, every read of this project is the
            # GET it would have been anyway (and reports its own error, if any).
            log.info("not reading project %s from its listing: %s", project_key, err)
            project.complete = True
            return
        for item in items:
            if isinstance(item.get("key"), str):
                project.listed.setdefault(item["key"], item)
        project.fetched += len(items)
        # Without a total, a short page is the last one.
        project.total = (
            total
            if total is not None
            else project.fetched + (LIST_PAGE_LIMIT if len(items) == LIST_PAGE_LIMIT else 0)
        )
        project.complete = not items or project.fetched >= project.total

    def _project(self, project_key: str) -> _Project:
        with self._lock:
            return self._projects.setdefault(project_key, _Project())
