"""The bad-input corpus: invalid metric specs, each with the field and message it must get.

Shared by the pytest tests beside it and by `benchmarks/bad_inputs.py` (which renders it as a
table and runs it through `pulumi preview`). Every spec only uses `Metric(...)` argument names,
so each one reaches the provider's `check` instead of failing in the program.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

KEY_MESSAGE = "must start with a letter or digit and contain only letters, digits, '.', '_' or '-'"

_BASE: dict[str, dict[str, Any]] = {
    "custom": {"name": "Custom", "kind": "custom", "event_key": "signup"},
    "pageview": {
        "name": "Pageview",
        "kind": "pageview",
        "urls": [{"kind": "substring", "substring": "/checkout"}],
    },
    "click": {
        "name": "Click",
        "kind": "click",
        "selector": ".buy",
        "urls": [{"kind": "exact", "url": "https://example.com/"}],
    },
    "trace": {
        "name": "Trace",
        "kind": "trace",
        "trace_query": 'service.name = "checkout"',
        "trace_value_location": "duration",
        "is_numeric": True,
        "unit": "ms",
    },
}


@dataclass(frozen=True)
class BadSpec:
    """One invalid spec and the (field path, message) that check must report for it."""

    id: str
    spec: dict[str, Any]
    field: str
    message: str
    """The exact message, or its start when `prefix` is set (pydantic's own wording)."""
    prefix: bool = False

    def matches(self, field: str, message: str) -> bool:
        # The provider spells list indexes the engine's way (`urls[0].kind`), the program side
        # dotted (`urls.0.kind`): the same field.
        if re.sub(r"\[(\d+)\]", r".\1", field) != self.field:
            return False
        return message.startswith(self.message) if self.prefix else message == self.message

    def changes(self) -> dict[str, Any]:
        """What differs from the valid base spec of the same kind (for the table)."""
        kind = self.spec.get("kind")
        base = _BASE.get(kind if isinstance(kind, str) else "", _BASE["custom"])
        out = {k: v for k, v in self.spec.items() if base.get(k, object()) != v}
        out.update({k: None for k in base if k not in self.spec})
        defaults = {"project_key": "web", "key": self.id}
        return {k: v for k, v in out.items() if defaults.get(k, object()) != v}


def _spec(base: str, case_id: str, **changes: Any) -> dict[str, Any]:
    data = {"project_key": "web", "key": case_id, **_BASE[base], **changes}
    return {k: v for k, v in data.items() if v is not None}


def _case(case_id: str, base: str, field: str, message: str, **changes: Any) -> BadSpec:
    return BadSpec(case_id, _spec(base, case_id, **changes), field, message)


def _typed(case_id: str, base: str, field: str, message: str, **changes: Any) -> BadSpec:
    return BadSpec(case_id, _spec(base, case_id, **changes), field, message, prefix=True)


_ALL: list[BadSpec] = [
    # required and forbidden fields per kind
    _case(
        "custom-no-event-key",
        "custom",
        "event_key",
        "custom metrics require 'event_key' to be set",
        event_key=None,
    ),
    _case(
        "custom-with-urls",
        "custom",
        "urls",
        "custom metrics do not support 'urls'",
        urls=[{"kind": "exact", "url": "https://x/"}],
    ),
    _case(
        "custom-with-selector",
        "custom",
        "selector",
        "custom metrics do not support 'selector'",
        selector=".x",
    ),
    _case(
        "custom-with-trace-query",
        "custom",
        "trace_query",
        "custom metrics do not support 'trace_query'",
        trace_query="x",
    ),
    _case(
        "pageview-no-urls",
        "pageview",
        "urls",
        "pageview metrics require 'urls' to be set",
        urls=None,
    ),
    _case(
        "pageview-empty-urls",
        "pageview",
        "urls",
        "pageview metrics require 'urls' to be set",
        urls=[],
    ),
    _case(
        "pageview-with-selector",
        "pageview",
        "selector",
        "pageview metrics do not support 'selector'",
        selector=".x",
    ),
    _case(
        "pageview-with-event-key",
        "pageview",
        "event_key",
        "pageview metrics do not support 'event_key'",
        event_key="e",
    ),
    _case(
        "pageview-with-success-criteria",
        "pageview",
        "success_criteria",
        "pageview metrics do not support 'success_criteria'",
        success_criteria="HigherThanBaseline",
    ),
    _case(
        "pageview-with-unit",
        "pageview",
        "unit",
        "pageview metrics do not support 'unit'",
        unit="ms",
    ),
    _case(
        "pageview-numeric",
        "pageview",
        "is_numeric",
        "pageview metrics cannot be numeric",
        is_numeric=True,
    ),
    _case(
        "click-no-selector",
        "click",
        "selector",
        "click metrics require 'selector' to be set",
        selector=None,
    ),
    _case("click-no-urls", "click", "urls", "click metrics require 'urls' to be set", urls=None),
    _case(
        "click-with-event-key",
        "click",
        "event_key",
        "click metrics do not support 'event_key'",
        event_key="e",
    ),
    _case(
        "click-numeric", "click", "is_numeric", "click metrics cannot be numeric", is_numeric=True
    ),
    _case(
        "trace-no-query",
        "trace",
        "trace_query",
        "trace metrics require 'trace_query' to be set",
        trace_query=None,
    ),
    _case(
        "trace-no-value-location",
        "trace",
        "trace_value_location",
        "numeric trace metrics require 'trace_value_location' to be set",
        trace_value_location=None,
    ),
    _case(
        "trace-with-event-key",
        "trace",
        "event_key",
        "trace metrics do not support 'event_key'",
        event_key="e",
    ),
    _case(
        "trace-with-selector",
        "trace",
        "selector",
        "trace metrics do not support 'selector'",
        selector=".x",
    ),
    # numeric, analysis and aggregation rules
    _case(
        "numeric-no-unit",
        "custom",
        "unit",
        "numeric metrics require 'unit' to be set",
        is_numeric=True,
    ),
    _case(
        "percentile-no-value",
        "custom",
        "percentile_value",
        "percentile_value is required when analysis_type is percentile",
        analysis_type="percentile",
    ),
    _case(
        "mean-with-percentile",
        "custom",
        "percentile_value",
        "mean type metrics can not have percentile values",
        percentile_value=50,
    ),
    _case(
        "percentile-100",
        "custom",
        "percentile_value",
        "must be between 1 and 99",
        analysis_type="percentile",
        percentile_value=100,
    ),
    _case(
        "percentile-0",
        "custom",
        "percentile_value",
        "must be between 1 and 99",
        analysis_type="percentile",
        percentile_value=0,
    ),
    _case(
        "percentile-includes-empty-units",
        "custom",
        "event_default.disabled",
        "percentile metrics cannot include units without events (disabled must be true)",
        analysis_type="percentile",
        percentile_value=50,
        event_default={"disabled": False},
    ),
    _case(
        "event-default-value-3",
        "custom",
        "event_default.value",
        "LaunchDarkly supports only 0",
        event_default={"value": 3},
    ),
    _case(
        "count-distinct-no-field",
        "custom",
        "unit_aggregation_field",
        "unit_aggregation_field is required when unit_aggregation_type is count_distinct",
        unit_aggregation_type="count_distinct",
    ),
    _case(
        "denominator-count-distinct-no-field",
        "custom",
        "denominator.unit_aggregation_field",
        "unit_aggregation_field is required when unit_aggregation_type is count_distinct",
        denominator={"event_name": "e", "unit_aggregation_type": "count_distinct"},
    ),
    # winsorization and windows
    _case(
        "winsor-lower-0",
        "custom",
        "winsor_lower_percentile",
        "must be strictly between 0 and 100",
        winsor_lower_percentile=0,
    ),
    _case(
        "winsor-upper-100",
        "custom",
        "winsor_upper_percentile",
        "must be strictly between 0 and 100",
        winsor_upper_percentile=100,
    ),
    _case(
        "winsor-inverted",
        "custom",
        "winsor_upper_percentile",
        "must be greater than winsor_lower_percentile",
        winsor_lower_percentile=60,
        winsor_upper_percentile=40,
    ),
    _case(
        "denominator-winsor-lower-0",
        "custom",
        "denominator.winsor_lower_percentile",
        "must be strictly between 0 and 100",
        denominator={"event_name": "e", "winsor_lower_percentile": 0},
    ),
    _case(
        "window-start-negative",
        "custom",
        "window_start_offset",
        "must not be negative",
        window_start_offset=-1,
    ),
    _case(
        "window-end-before-start",
        "custom",
        "window_end_offset",
        "must not be before window_start_offset",
        window_start_offset=10,
        window_end_offset=5,
    ),
    _case(
        "denominator-window-negative",
        "custom",
        "denominator.window_end_offset",
        "must not be negative",
        denominator={"event_name": "e", "window_end_offset": -5},
    ),
    # keys, names, ids, tags
    _case("key-leading-dash", "custom", "key", KEY_MESSAGE, key="-bad"),
    _case("key-with-space", "custom", "key", KEY_MESSAGE, key="has space"),
    _case("project-key-with-slash", "custom", "project_key", KEY_MESSAGE, project_key="a/b"),
    _case("name-blank", "custom", "name", "must not be empty", name=" "),
    _case(
        "maintainer-not-hex",
        "custom",
        "maintainer_id",
        "must be a member id of 24 hexadecimal characters",
        maintainer_id="not-hex",
    ),
    _case(
        "maintainer-too-short",
        "custom",
        "maintainer_id",
        "must be a member id of 24 hexadecimal characters",
        maintainer_id="abc123",
    ),
    _case("tag-empty", "custom", "tags.1", "must not be empty", tags=["ok", ""]),
    # URL matchers
    _case(
        "url-regex-no-pattern",
        "pageview",
        "urls.0.pattern",
        "regex URL matchers require 'pattern'",
        urls=[{"kind": "regex"}],
    ),
    _case(
        "url-exact-with-substring",
        "pageview",
        "urls.0.substring",
        "exact URL matchers take only 'url'",
        urls=[{"kind": "exact", "url": "https://x/", "substring": "x"}],
    ),
    _case(
        "url-bad-regex",
        "pageview",
        "urls.0.pattern",
        "is not a valid regular expression: missing ), unterminated subpattern at position 0",
        urls=[{"kind": "regex", "pattern": "("}],
    ),
    _case(
        "url-substring-no-substring",
        "click",
        "urls.0.substring",
        "substring URL matchers require 'substring'",
        urls=[{"kind": "substring"}],
    ),
    # types and enums (pydantic's wording, matched by prefix)
    _typed("kind-unknown", "custom", "kind", "Input should be", kind="funnel"),
    _typed(
        "success-criteria-unknown",
        "custom",
        "success_criteria",
        "Input should be",
        success_criteria="Better",
    ),
    _typed(
        "analysis-type-unknown",
        "custom",
        "analysis_type",
        "Input should be",
        analysis_type="median",
    ),
    _typed(
        "aggregation-unknown",
        "custom",
        "unit_aggregation_type",
        "Input should be",
        unit_aggregation_type="max",
    ),
    _typed(
        "url-kind-unknown",
        "pageview",
        "urls.0.kind",
        "Input should be",
        urls=[{"kind": "prefix", "url": "https://x/"}],
    ),
    _typed("name-not-string", "custom", "name", "Input should be a valid string", name=42),
    _typed("tags-not-list", "custom", "tags", "Input should be a valid list", tags="a,b"),
    _typed(
        "percentile-not-int",
        "custom",
        "percentile_value",
        "Input should be a valid integer",
        analysis_type="percentile",
        percentile_value="p95",
    ),
    _case(
        "filter-unknown-field",
        "custom",
        "filters.colour",
        "is not a filter field",
        filters={"type": "eventProperty", "op": "in", "values": ["x"], "colour": "red"},
    ),
    _case(
        "url-matcher-unknown-field",
        "pageview",
        "urls.0.host",
        "is not a URL matcher field",
        urls=[{"kind": "substring", "substring": "/a", "host": "x"}],
    ),
    _case("missing-name", "custom", "name", "is required", name=None),
]

ADVISORY_IDS = frozenset(
    {
        "custom-with-urls",
        "custom-with-selector",
        "custom-with-trace-query",
        "pageview-with-selector",
        "pageview-with-event-key",
        "pageview-with-success-criteria",
        "pageview-with-unit",
        "pageview-numeric",
        "click-with-event-key",
        "click-numeric",
        "trace-with-event-key",
        "trace-with-selector",
        "mean-with-percentile",
        "percentile-includes-empty-units",
        "window-start-negative",
        "window-end-before-start",
        "denominator-window-negative",
        "name-blank",
        "tag-empty",
        "url-regex-no-pattern",
        "url-exact-with-substring",
        "url-bad-regex",
        "url-substring-no-substring",
    }
)
"""Cases that break only an advisory rule (`models/ruleset.py`): `check` accepts them and the
program warns, because LaunchDarkly may already hold such a metric (issue 10)."""

CORPUS: list[BadSpec] = [case for case in _ALL if case.id not in ADVISORY_IDS]
"""Invalid specs: `check` refuses each with its field message."""
ADVISORY: list[BadSpec] = [case for case in _ALL if case.id in ADVISORY_IDS]
"""Specs that get a warning with that field message, and no refusal for it."""
