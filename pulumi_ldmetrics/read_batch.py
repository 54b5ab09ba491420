"""Serving the reads of one deployment from a project's listing when that is cheaper than GETs.

The engine runs every `read` of a deployment (a refresh, or its preview) in one provider
process. A stack managing most of a project is read most cheaply from the listing, 50 metrics a
request; a stack managing a handful of metrics in a large project, one GET each. The provider
cannot see how many reads will come, so it decides as they arrive, per project:

1. The first read is a GET, like every read of a one-metric stack.
2. The second read fetches the first listing page instead (sorted by creation, so metrics
   created meanwhile land at the end rather than shifting pages). It answers every read whose
   metric it holds, and its `totalCount` tells how many pages the whole listing costs.
3. From then on a read the fetched pages do not answer is a GET, until the GETs spent reach the
   number of pages still unfetched: then the rest of the listing is fetched at once and answers
   every later read. This is the ski-rental rule: whatever the stack's share of the project,
   the requests stay within about twice those of the better of "all GETs" and "all pages"
   (plus the probe page): 2 x ceil(N/50) + 2 for a stack managing a whole project of N, and one
   GET per metric, plus one page, for a handful of metrics in a large project. Listing earlier
   would help large stacks and hurt every stack managing a dozen metrics of a big project.

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

__all__ = ["LISTING_SORT", "ReadBatcher"]

LISTING_SORT: Final = "createdAt"

log = logging.getLogger(__name__)


@dataclass
class _Project:
    """What one deployment knows of one project's listing."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    gets: int = 0
    total: int | None = None
    fetched: int = 0
    """Items fetched so far: the next page's offset."""
    complete: bool = False
    listed: dict[str, dict[str, Any]] = field(default_factory=dict)

    def pages_left(self) -> int:
        assert self.total is not None
        return max(0, math.ceil((self.total - self.fetched) / LIST_PAGE_LIMIT))


class ReadBatcher:
    """Answers `read(project, key)` with the metric's representation, or None when deleted.

    Thread-safe: the provider host calls `read` from several workers at once; a listing page is
    fetched under the project's lock, so concurrent readers wait for it instead of racing it.
    """

    def __init__(self, api: Callable[[], LDMetricsClient]) -> None:
        self._api = api
        self._lock = threading.Lock()
        self._projects: dict[str, _Project] = {}

    def read(self, project_key: str, key: str) -> dict[str, Any] | None:
        project = self._project(project_key)
        with project.lock:
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
            if project.gets < 1:
                return None  # the first read of a project is a GET
            self._fetch_page(project_key, project)  # the probe
            if key in project.listed or project.complete:
                return project.listed.get(key)
        if project.pages_left() <= project.gets:
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
