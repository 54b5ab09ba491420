"""The bad-input corpus: invalid metric specs, each with the field and message it must get.

Shared by the pytest tests beside it and by `benchmarks/bad_inputs.py` (which renders it as a
table and runs it through `pulumi preview`). Every spec only uses `Metric(...)` argument names,
so each one is judged by the checks (the program's, `declarations.py`, and the provider's
`check`) rather than failing as a Python `TypeError` (a misspelt argument, which is why no case
here misspells one).

Specs reach the program as JSON written and read by Python's `json`, which carries NaN and
Infinity (as the non-standard literals `NaN`, `Infinity`): the program refuses them before
anything reaches the engine.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
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
    shown: str | None = None
    """How the table shows what differs from the base spec, when its JSON is too long to read
    (a 4,097-character name, 20 levels of filters)."""

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

    def describe(self) -> str:
        """`changes()` as compact JSON, or `shown` (for the table)."""
        return self.shown or json.dumps(self.changes(), separators=(",", ":"))


# -- feeding the corpus to `pulumi preview`, and reading what it prints ----------------------

PROGRAM = textwrap.dedent(
    """
    import json
    import pathlib

    from pulumi_ldmetrics import Metric

    for case in json.loads(pathlib.Path("cases.json").read_text()):
        Metric(case["id"], **case["spec"])
    """
)
"""The Pulumi program: one `Metric` per entry of `cases.json` (`cases_json`)."""


def cases_json(cases: list[BadSpec]) -> str:
    """`cases.json` for `PROGRAM`. Python's `json` writes NaN and Infinity as the literals
    `NaN` and `Infinity` and reads them back, so those cases reach the program intact."""
    return json.dumps([{"id": case.id, "spec": case.spec} for case in cases])


_PROBLEM = re.compile(r"resource '([^']+)': property (\S+) value .*? has a problem: (.*)$", re.M)
_DIAGNOSTIC = re.compile(r"^  \S+ \((.+)\):\n((?:    .*\n?)+)", re.M)
_PLANNED = re.compile(r"^ \+ +pulumi-python:dynamic/ldmetrics:Metric (\S+) create\b", re.M)
_WARNING = re.compile(r"(\S+): (.*) \(advice: [^;]+; .*\)")
"""A program warning (`declarations._advice`): `field: message (advice: rule-id; ...)`."""


def cli_problems(stdout: str) -> dict[str, set[tuple[str, str]]]:
    """Resource name -> the (field, message) pairs the CLI printed as check problems (the
    program's errors and the provider's check failures share this wording)."""
    out: dict[str, set[tuple[str, str]]] = {}
    for name, field, message in _PROBLEM.findall(stdout):
        out.setdefault(name, set()).add((field, message.strip()))
    return out


def warning_parts(text: str) -> tuple[str, str] | None:
    """(field, message) of one advisory warning as the program logs it, or None."""
    found = _WARNING.fullmatch(text.strip())
    return (found[1], found[2]) if found else None


def cli_warnings(stdout: str) -> dict[str, set[tuple[str, str]]]:
    """Resource name -> the (field, message) of each advisory warning in the CLI's
    `Diagnostics:` block, where each resource's warnings sit under its own heading."""
    out: dict[str, set[tuple[str, str]]] = {}
    for name, lines in _DIAGNOSTIC.findall(stdout.partition("\nDiagnostics:\n")[2]):
        for line in lines.splitlines():
            text = line.strip()
            parts = warning_parts(text.removeprefix("warning: "))
            if text.startswith("warning: ") and parts is not None:
                out.setdefault(name, set()).add(parts)
    return out


def cli_planned_creates(stdout: str) -> set[str]:
    """Names of the metrics the preview plans to create (` +  ...:Metric name create`)."""
    return set(_PLANNED.findall(stdout))


def _spec(base: str, case_id: str, **changes: Any) -> dict[str, Any]:
    data = {"project_key": "web", "key": case_id, **_BASE[base], **changes}
    return {k: v for k, v in data.items() if v is not None}


def _case(
    case_id: str, base: str, field: str, message: str, *, shown: str | None = None, **changes: Any
) -> BadSpec:
    return BadSpec(case_id, _spec(base, case_id, **changes), field, message, shown=shown)


def _typed(
    case_id: str, base: str, field: str, message: str, *, shown: str | None = None, **changes: Any
) -> BadSpec:
    """A case whose message is pydantic's wording, matched by its start."""
    spec = _spec(base, case_id, **changes)
    return BadSpec(case_id, spec, field, message, prefix=True, shown=shown)


def _event_filter(*values: Any, **extra: Any) -> dict[str, Any]:
    return {
        "type": "eventProperty",
        "op": "in",
        "attribute": "plan",
        "values": list(values),
        **extra,
    }


def _nested_filters(levels: int) -> dict[str, Any]:
    """An event filter inside `levels - 1` groups: `levels` levels of filters."""
    nested = _event_filter("x")
    for _ in range(levels - 1):
        nested = {"type": "group", "op": "and", "values": [nested]}
    return nested


TOO_LONG_KEY = "String should have at most 256 characters"
TOO_LONG_TEXT = "String should have at most 4096 characters"
NOT_BOOLEAN = "Input should be a valid boolean"
NOT_INTEGER = "Input should be a valid integer"
NOT_NUMBER = "Input should be a valid number"
NOT_A_VALUE = "must be a string, a number or a boolean (only a group's values are filters)"


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
        unit="ms",  # without it, the enforced numeric-unit rule refuses the spec
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
        "click-numeric",
        "click",
        "is_numeric",
        "click metrics cannot be numeric",
        is_numeric=True,
        unit="ms",  # without it, the enforced numeric-unit rule refuses the spec
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
        "group-member-unknown-field",
        "custom",
        "filters.values.0.colour",
        "is not a filter field",
        filters={
            "type": "group",
            "op": "and",
            "values": [{"type": "eventProperty", "op": "in", "values": ["x"], "colour": 1}],
        },
    ),
    _case(
        "url-matcher-unknown-field",
        "pageview",
        "urls.0.host",
        "is not a URL matcher field",
        urls=[{"kind": "substring", "substring": "/a", "host": "x"}],
    ),
    _case("missing-name", "custom", "name", "is required", name=None),
    # keys that used to slip through or break URLs (limits.py)
    _case("key-trailing-newline", "custom", "key", KEY_MESSAGE, key="signup\n"),
    _case(
        "project-key-trailing-newline", "custom", "project_key", KEY_MESSAGE, project_key="web\n"
    ),
    _case("key-empty", "custom", "key", KEY_MESSAGE, key=""),
    _typed("key-too-long", "custom", "key", TOO_LONG_KEY, key="k" * 257, shown='{"key":"k" × 257}'),
    _typed(
        "project-key-too-long",
        "custom",
        "project_key",
        TOO_LONG_KEY,
        project_key="p" * 257,
        shown='{"project_key":"p" × 257}',
    ),
    _case(
        "maintainer-trailing-newline",
        "custom",
        "maintainer_id",
        "must be a member id of 24 hexadecimal characters",
        maintainer_id="5f0c2d9e8b7a6f5e4d3c2b1a\n",
    ),
    # strings over MAX_STRING_LENGTH (4,096)
    _typed(
        "name-too-long",
        "custom",
        "name",
        TOO_LONG_TEXT,
        name="n" * 4097,
        shown='{"name":"n" × 4097}',
    ),
    _typed(
        "url-too-long",
        "pageview",
        "urls.0.url",
        TOO_LONG_TEXT,
        urls=[{"kind": "exact", "url": "https://x/" + "a" * 4087}],
        shown='{"urls":[{"kind":"exact","url":"https://x/" + "a" × 4087}]}',
    ),
    _typed(
        "tag-too-long",
        "custom",
        "tags.0",
        TOO_LONG_TEXT,
        tags=["t" * 4097],
        shown='{"tags":["t" × 4097]}',
    ),
    _case(
        "filter-value-too-long",
        "custom",
        "filters.values.0",
        "must be at most 4096 characters",
        filters=_event_filter("v" * 4097),
        shown='{"filters":{"type":"eventProperty","op":"in","attribute":"plan",'
        '"values":["v" × 4097]}}',
    ),
    # filters: depth, values
    _case(
        "filters-20-levels",
        "custom",
        "filters",
        "filters nest at most 10 levels deep",
        filters=_nested_filters(20),
        shown='{"filters": an event filter in 19 nested groups (20 levels)}',
    ),
    _case(
        "filters-11-levels",
        "custom",
        "filters",
        "filters nest at most 10 levels deep",
        filters=_nested_filters(11),
        shown='{"filters": an event filter in 10 nested groups (11 levels)}',
    ),
    _case(
        "filter-value-nan",
        "custom",
        "filters.values.0",
        "must be a finite number (not NaN or Infinity)",
        filters=_event_filter(math.nan),
    ),
    _case(
        "filter-value-infinity",
        "custom",
        "filters.values.1",
        "must be a finite number (not NaN or Infinity)",
        filters=_event_filter(1, math.inf),
    ),
    _case(
        "filter-value-object",
        "custom",
        "filters.values.0",
        NOT_A_VALUE,
        filters=_event_filter({"plan": "pro"}),
    ),
    _case(
        "filter-value-null", "custom", "filters.values.0", NOT_A_VALUE, filters=_event_filter(None)
    ),
    _case(
        "nested-filter-value-object",
        "custom",
        "filters.values.0.values.0",
        NOT_A_VALUE,
        filters={"type": "group", "op": "and", "values": [_event_filter({"plan": "pro"})]},
    ),
    _case(
        "group-value-not-filter",
        "custom",
        "filters.values.0",
        "a group's values must be filters",
        filters={"type": "group", "op": "and", "values": ["plan"]},
    ),
    _typed(
        "filter-values-not-list",
        "custom",
        "filters.values",
        "Input should be a valid list",
        filters={"type": "eventProperty", "op": "in", "attribute": "plan", "values": "pro"},
    ),
    _typed(
        "filter-negate-string",
        "custom",
        "filters.negate",
        NOT_BOOLEAN,
        filters=_event_filter("pro", negate="true"),
    ),
    # strict types: no string, boolean or fraction taken for another type
    _case(
        "adopt-existing-string",
        "custom",
        "adopt_existing",
        "must be a boolean (true or false)",
        adopt_existing="false",
    ),
    _typed("is-numeric-string", "custom", "is_numeric", NOT_BOOLEAN, is_numeric="yes"),
    _typed(
        "percentile-fractional",
        "custom",
        "percentile_value",
        NOT_INTEGER,
        analysis_type="percentile",
        percentile_value=50.5,
    ),
    _typed(
        "percentile-numeric-string",
        "custom",
        "percentile_value",
        NOT_INTEGER,
        analysis_type="percentile",
        percentile_value="95",
    ),
    _typed(
        "percentile-boolean",
        "custom",
        "percentile_value",
        NOT_INTEGER,
        analysis_type="percentile",
        percentile_value=True,
    ),
    _case(
        "winsor-upper-above-100",
        "custom",
        "winsor_upper_percentile",
        "must be strictly between 0 and 100",
        winsor_upper_percentile=100.5,
    ),
    _typed(
        "winsor-lower-boolean",
        "custom",
        "winsor_lower_percentile",
        NOT_NUMBER,
        winsor_lower_percentile=True,
    ),
    _typed(
        "winsor-upper-nan",
        "custom",
        "winsor_upper_percentile",
        "Input should be a finite number",
        winsor_upper_percentile=math.nan,
    ),
    _typed(
        "window-start-boolean",
        "custom",
        "window_start_offset",
        NOT_INTEGER,
        window_start_offset=True,
    ),
    _typed(
        "window-start-fractional",
        "custom",
        "window_start_offset",
        NOT_INTEGER,
        window_start_offset=1.5,
    ),
    _typed(
        "window-end-over-int64",
        "custom",
        "window_end_offset",
        "Input should be less than or equal to 9223372036854775807",
        window_end_offset=2**63,
    ),
    _typed(
        "event-default-value-boolean",
        "custom",
        "event_default.value",
        NOT_NUMBER,
        event_default={"value": True},
    ),
    _typed(
        "analysis-units-not-list",
        "custom",
        "analysis_units",
        "Input should be a valid list",
        analysis_units="user",
    ),
    # nested objects: shape and unknown fields
    _case(
        "event-default-unknown-field",
        "custom",
        "event_default.enabled",
        "is not an event_default field (did you mean 'disabled'?)",
        event_default={"disabled": True, "enabled": False},
    ),
    _typed(
        "urls-item-not-object",
        "pageview",
        "urls.0",
        "Input should be a valid dictionary",
        urls=["https://example.com/checkout"],
    ),
    _case(
        "url-matcher-no-kind",
        "pageview",
        "urls.0.kind",
        "is required",
        urls=[{"url": "https://x/"}],
    ),
    _typed(
        "tags-item-not-string", "custom", "tags.1", "Input should be a valid string", tags=["a", 7]
    ),
    _typed(
        "denominator-string",
        "custom",
        "denominator",
        "Input should be a valid dictionary",
        denominator="e",
    ),
    _case(
        "denominator-no-event-name",
        "custom",
        "denominator.event_name",
        "is required",
        denominator={"is_numeric": True},
    ),
    _case(
        "denominator-unknown-field",
        "custom",
        "denominator.colour",
        "is not a denominator field",
        denominator={"event_name": "e", "colour": "red"},
    ),
    _case(
        "denominator-winsor-inverted",
        "custom",
        "denominator.winsor_upper_percentile",
        "must be greater than winsor_lower_percentile",
        denominator={
            "event_name": "e",
            "winsor_lower_percentile": 60,
            "winsor_upper_percentile": 40,
        },
    ),
    _case(
        "data-source-no-key",
        "custom",
        "data_source.key",
        "is required",
        data_source={"environment_key": "production"},
    ),
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
