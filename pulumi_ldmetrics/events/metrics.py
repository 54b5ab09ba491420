"""What the project's metrics expect of an event key: nothing (no metric), a value, or none.

Built from the metrics API's listing (`eventKey`, `isNumeric`) or from a file: the stack's
`metrics_from_file` declarations (YAML or JSON, snake_case `event_key`/`is_numeric`), or a
saved listing (`{"items": [...]}` or a list, camelCase). Only metrics with an event key take
imported events: custom metrics do; pageview, click and trace metrics never match one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_ldmetrics.events.errors import EventsInputError


@dataclass(frozen=True)
class MetricIndex:
    """Metric keys by the event key they count, split into numeric and conversion."""

    numeric: dict[str, tuple[str, ...]] = field(default_factory=dict)
    conversion: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, metrics: Iterable[tuple[str, str, bool]]) -> MetricIndex:
        """From `(metric key, event key, is numeric)` triples."""
        numeric: dict[str, list[str]] = {}
        conversion: dict[str, list[str]] = {}
        for key, event_key, is_numeric in metrics:
            (numeric if is_numeric else conversion).setdefault(event_key, []).append(key)
        return cls(
            {k: tuple(v) for k, v in numeric.items()},
            {k: tuple(v) for k, v in conversion.items()},
        )

    def __len__(self) -> int:
        return sum(map(len, self.numeric.values())) + sum(map(len, self.conversion.values()))

    def knows(self, event_key: str) -> bool:
        """Whether any metric counts events of this key."""
        return event_key in self.numeric or event_key in self.conversion


def index_from_listing(items: Iterable[Mapping[str, Any]]) -> MetricIndex:
    """From `MetricListingRep`/`MetricRep` dicts (camelCase), as the API lists them."""
    return MetricIndex.build(
        (str(item.get("key")), item["eventKey"], bool(item.get("isNumeric")))
        for item in items
        if isinstance(item.get("eventKey"), str) and item["eventKey"]
    )


def index_from_file(path: Path, project_key: str) -> MetricIndex:
    """From a metrics file: a saved API listing, or the stack's `metrics_from_file` file."""
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise EventsInputError(f"{path}: cannot read metrics file: {err}") from None
        # A saved listing is {"items": [...]}, or a list of camelCase reps; anything else is
        # the declarations format, whose JSON form has "metrics" or snake_case entries.
        listing = document.get("items") if isinstance(document, dict) else document
        if isinstance(listing, list) and (
            isinstance(document, dict)
            or any(isinstance(i, dict) and "eventKey" in i for i in listing)
        ):
            return index_from_listing(i for i in listing if isinstance(i, dict))
    # Imported here: the declarations loader pulls in the Pulumi SDK, which a plain events
    # import does not otherwise need.
    from pulumi_ldmetrics.from_file import MetricsFileError, load_metric_entries

    try:
        entries = load_metric_entries(path, project_key)
    except MetricsFileError as err:
        raise EventsInputError(str(err)) from None
    return MetricIndex.build(
        (str(e["key"]), e["event_key"], bool(e.get("is_numeric")))
        for e in entries
        if isinstance(e.get("event_key"), str) and e["event_key"]
    )
