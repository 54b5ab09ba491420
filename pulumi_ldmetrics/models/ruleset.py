"""Every cross-field rule of a metric, declared once, with the source that says it holds.

Each `Rule` is either

- **enforced**: LaunchDarkly refuses a metric that breaks it. The source is the API's own text
  (the OpenAPI document of `MetricPost`, which the official `launchdarkly-api` client carries
  as its model docs) or LaunchDarkly's own clients. The client refuses such a metric at
  `pulumi preview` and the emulator answers it with a 400, both from this table;
- **advisory**: an opinion, mostly the Terraform provider's plan-time checks (`ModifyPlan`),
  which nothing shows the API applies (its acceptance tests run against the live API, and
  what it *sends* the API accepts, not what it refuses). The client reports it as a warning
  and never refuses it; the emulator accepts it, so a metric LaunchDarkly may already hold
  can always be declared and imported.

Rules read the camelCase wire document (what is sent or stored). Empty strings and empty
lists count as "not set": the Terraform provider sends `""` and `[]` for fields a kind does
not use, and LaunchDarkly accepts them. A field of the wrong type never reaches a rule (the
callers check types first and leave such fields out, as they do fields not known yet), and a
rule whose `reads` include a field left out that way is skipped rather than guessed.

The table is rendered in docs/rules.md; a test keeps the two equal.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

from pulumi_ldmetrics.models.limits import KEY_PATTERN, KEY_RULE, MAINTAINER_PATTERN

__all__ = [
    "RULES",
    "Enforcement",
    "Finding",
    "Namer",
    "Rule",
    "evaluate",
    "is_set",
]

Namer = Callable[[str], str]
"""How a message spells a wire field name: as it is (emulator) or snake_case (client)."""
Path = tuple[str | int, ...]


class Enforcement(enum.Enum):
    """Whether LaunchDarkly refuses a metric breaking the rule (see the module docstring)."""

    ENFORCED = "enforced"
    ADVISORY = "advisory"


@dataclass(frozen=True)
class Finding:
    """One place where a rule is broken: the wire path (`("urls", 0, "pattern")`) and why."""

    path: Path
    message: str


@dataclass(frozen=True)
class Rule:
    """One rule, with where it comes from."""

    id: str
    enforcement: Enforcement
    summary: str
    """What the rule says, as the table shows it."""
    source: str
    """Where it comes from (docs/rules.md explains the abbreviations)."""
    reads: tuple[str, ...]
    """Top-level wire fields whose value decides the outcome: when one of them is unknown or
    unusable, the rule is skipped."""
    check: Callable[[Mapping[str, Any], Namer], Iterator[Finding]]


def is_set(value: Any) -> bool:
    """Set for the rules: present, and not `""` or `[]` (module docstring)."""
    return value is not None and value != "" and value != []


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _objects(value: Any) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """The top level and, when it is an object, the denominator: the two places that share the
    aggregation and winsorization fields."""
    yield (), value
    denominator = value.get("denominator")
    if isinstance(denominator, Mapping):
        yield ("denominator",), denominator


# -- enforced ------------------------------------------------------------------------------


def _key_format(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    key = doc.get("key")
    if isinstance(key, str) and not KEY_PATTERN.match(key):
        yield Finding(("key",), KEY_RULE)


def _requires(
    kinds: tuple[str, ...], field: str, *, numeric_only: bool = False
) -> Callable[[Mapping[str, Any], Namer], Iterator[Finding]]:
    def check(doc: Mapping[str, Any], name: Namer) -> Iterator[Finding]:
        kind = doc.get("kind")
        if kind not in kinds or (numeric_only and doc.get("isNumeric") is not True):
            return
        if not is_set(doc.get(field)):
            which = "numeric trace" if numeric_only else str(kind)
            yield Finding((field,), f"{which} metrics require '{name(field)}' to be set")

    return check


def _numeric_unit(doc: Mapping[str, Any], name: Namer) -> Iterator[Finding]:
    if doc.get("isNumeric") is True and not is_set(doc.get("unit")):
        yield Finding(("unit",), f"numeric metrics require '{name('unit')}' to be set")


def _percentile_value(doc: Mapping[str, Any], name: Namer) -> Iterator[Finding]:
    if doc.get("analysisType") == "percentile" and doc.get("percentileValue") is None:
        yield Finding(
            ("percentileValue",),
            f"{name('percentileValue')} is required when {name('analysisType')} is percentile",
        )


def _percentile_range(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    value = doc.get("percentileValue")
    if _is_number(value) and not 1 <= value <= 99:
        yield Finding(("percentileValue",), "must be between 1 and 99")


def _event_default_value(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    event_default = doc.get("eventDefault")
    if isinstance(event_default, Mapping) and event_default.get("value") not in (None, 0):
        yield Finding(("eventDefault", "value"), "LaunchDarkly supports only 0")


def _count_distinct_field(doc: Mapping[str, Any], name: Namer) -> Iterator[Finding]:
    for prefix, obj in _objects(doc):
        if obj.get("unitAggregationType") == "count_distinct" and not is_set(
            obj.get("unitAggregationField")
        ):
            yield Finding(
                (*prefix, "unitAggregationField"),
                f"{name('unitAggregationField')} is required when "
                f"{name('unitAggregationType')} is count_distinct",
            )


def _winsor_bounds(doc: Mapping[str, Any], name: Namer) -> Iterator[Finding]:
    for prefix, obj in _objects(doc):
        lower, upper = obj.get("winsorLowerPercentile"), obj.get("winsorUpperPercentile")
        for field, value in (("winsorLowerPercentile", lower), ("winsorUpperPercentile", upper)):
            if _is_number(value) and not 0 < value < 100:
                yield Finding((*prefix, field), "must be strictly between 0 and 100")
        if _is_number(lower) and _is_number(upper) and not lower < upper:
            yield Finding(
                (*prefix, "winsorUpperPercentile"),
                f"must be greater than {name('winsorLowerPercentile')}",
            )


def _maintainer_format(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    maintainer = doc.get("maintainerId")
    if isinstance(maintainer, str) and not MAINTAINER_PATTERN.match(maintainer):
        yield Finding(("maintainerId",), "must be a member id of 24 hexadecimal characters")


# -- advisory ------------------------------------------------------------------------------

URL_VALUE_FIELD: Final[Mapping[str, str]] = {
    "exact": "url",
    "canonical": "url",
    "substring": "substring",
    "regex": "pattern",
}
"""The one value field each URL matcher kind uses."""

UNUSED_BY_KIND: Final[Mapping[str, tuple[str, ...]]] = {
    "click": ("successCriteria", "unit", "eventKey", "traceQuery", "traceValueLocation"),
    "pageview": (
        "successCriteria",
        "unit",
        "eventKey",
        "selector",
        "traceQuery",
        "traceValueLocation",
    ),
    "custom": ("urls", "selector", "traceQuery", "traceValueLocation"),
    "trace": ("urls", "selector", "eventKey"),
}
"""Fields a kind has no use for (TF `ModifyPlan` for click/pageview/custom; trace and the trace
fields by the same reading of the spec text)."""


def _matchers(doc: Mapping[str, Any]) -> Iterator[tuple[int, str, Mapping[str, Any]]]:
    urls = doc.get("urls")
    for i, matcher in enumerate(urls if isinstance(urls, list) else []):
        if isinstance(matcher, Mapping) and matcher.get("kind") in URL_VALUE_FIELD:
            yield i, str(matcher["kind"]), matcher


def _url_value(doc: Mapping[str, Any], name: Namer) -> Iterator[Finding]:
    for i, kind, matcher in _matchers(doc):
        wanted = URL_VALUE_FIELD[kind]
        if not is_set(matcher.get(wanted)):
            yield Finding(("urls", i, wanted), f"{kind} URL matchers require '{name(wanted)}'")


def _url_single_field(doc: Mapping[str, Any], name: Namer) -> Iterator[Finding]:
    for i, kind, matcher in _matchers(doc):
        wanted = URL_VALUE_FIELD[kind]
        for other in ("url", "substring", "pattern"):
            if other != wanted and is_set(matcher.get(other)):
                yield Finding(("urls", i, other), f"{kind} URL matchers take only '{name(wanted)}'")


def _url_regex(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    for i, kind, matcher in _matchers(doc):
        pattern = matcher.get("pattern")
        if kind != "regex" or not isinstance(pattern, str) or not pattern:
            continue
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as err:
            # A pattern nested too deep for the regex parser is as unusable as a bad one.
            yield Finding(("urls", i, "pattern"), f"is not a valid regular expression: {err}")


def _unused_fields(doc: Mapping[str, Any], name: Namer) -> Iterator[Finding]:
    kind = doc.get("kind")
    for field in UNUSED_BY_KIND.get(kind, ()) if isinstance(kind, str) else ():
        if is_set(doc.get(field)):
            yield Finding((field,), f"{kind} metrics do not support '{name(field)}'")


def _page_kinds_not_numeric(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    kind = doc.get("kind")
    if kind in ("click", "pageview") and doc.get("isNumeric") is True:
        yield Finding(("isNumeric",), f"{kind} metrics cannot be numeric")


def _mean_without_percentile(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    # An omitted analysisType is the API's default, mean.
    if doc.get("analysisType", "mean") == "mean" and doc.get("percentileValue") is not None:
        yield Finding(("percentileValue",), "mean type metrics can not have percentile values")


def _percentile_excludes_empty_units(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    event_default = doc.get("eventDefault")
    if (
        doc.get("analysisType") == "percentile"
        and isinstance(event_default, Mapping)
        and event_default.get("disabled") is False
    ):
        yield Finding(
            ("eventDefault", "disabled"),
            "percentile metrics cannot include units without events (disabled must be true)",
        )


def _name_not_blank(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    name = doc.get("name")
    if isinstance(name, str) and not name.strip():
        yield Finding(("name",), "must not be empty")


def _tags_not_empty(doc: Mapping[str, Any], _name: Namer) -> Iterator[Finding]:
    tags = doc.get("tags")
    for i, tag in enumerate(tags if isinstance(tags, list) else []):
        if tag == "":
            yield Finding(("tags", i), "must not be empty")


def _window(doc: Mapping[str, Any], name: Namer) -> Iterator[Finding]:
    for prefix, obj in _objects(doc):
        start, end = obj.get("windowStartOffset"), obj.get("windowEndOffset")
        for field, value in (("windowStartOffset", start), ("windowEndOffset", end)):
            if _is_number(value) and value < 0:
                yield Finding((*prefix, field), "must not be negative")
        if _is_number(start) and _is_number(end) and end < start:
            yield Finding(
                (*prefix, "windowEndOffset"), f"must not be before {name('windowStartOffset')}"
            )


_E, _A = Enforcement.ENFORCED, Enforcement.ADVISORY

RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "key-format",
        _E,
        "`key` starts with a letter or digit and holds only letters, digits, `.`, `_`, `-`",
        "TF `keyPattern`; the key is the URL path segment of the metric",
        ("key",),
        _key_format,
    ),
    Rule(
        "maintainer-format",
        _E,
        "`maintainerId` is a member id: 24 hexadecimal characters",
        "TF `maintainer_id` validator; member ids in every spec example",
        ("maintainerId",),
        _maintainer_format,
    ),
    Rule(
        "click-selector",
        _E,
        "click metrics set `selector`",
        'spec `MetricPost.selector`: "Required for click metrics only"',
        ("kind", "selector"),
        _requires(("click",), "selector"),
    ),
    Rule(
        "page-urls",
        _E,
        "click and pageview metrics set `urls` (non-empty)",
        'spec `MetricPost.urls`: "Required for click and pageview metrics only"',
        ("kind", "urls"),
        _requires(("click", "pageview"), "urls"),
    ),
    Rule(
        "custom-event-key",
        _E,
        "custom metrics set `eventKey`",
        'spec `MetricPost.eventKey`: "Required for custom conversion/binary and custom numeric'
        ' metrics"',
        ("kind", "eventKey"),
        _requires(("custom",), "eventKey"),
    ),
    Rule(
        "trace-query",
        _E,
        "trace metrics set `traceQuery`",
        'spec `MetricPost.traceQuery`: "Required for trace metrics"',
        ("kind", "traceQuery"),
        _requires(("trace",), "traceQuery"),
    ),
    Rule(
        "numeric-trace-value-location",
        _E,
        "numeric trace metrics set `traceValueLocation` (conversion trace metrics need not)",
        'spec and official client `MetricPost.traceValueLocation`: "Required for numeric trace'
        ' metrics"',
        ("kind", "isNumeric", "traceValueLocation"),
        _requires(("trace",), "traceValueLocation", numeric_only=True),
    ),
    Rule(
        "numeric-unit",
        _E,
        "numeric metrics set `unit`",
        "ref §4: LaunchDarkly's agent-skills `custom-metrics` (a missing unit is a 400); spec "
        "`MetricPost.unit`",
        ("isNumeric", "unit"),
        _numeric_unit,
    ),
    Rule(
        "percentile-value",
        _E,
        "`analysisType: percentile` sets `percentileValue`",
        'spec `MetricPost.percentileValue`: "Required when analysisType is percentile"',
        ("analysisType", "percentileValue"),
        _percentile_value,
    ),
    Rule(
        "percentile-range",
        _E,
        "`percentileValue` is an integer from 1 to 99",
        'spec `MetricPost.percentileValue`: "between 0 and 100"; TF2 allowed 1-99',
        ("percentileValue",),
        _percentile_range,
    ),
    Rule(
        "event-default-value",
        _E,
        "`eventDefault.value` is 0",
        'spec `MetricEventDefaultRep.value`: "No other values are currently supported"',
        ("eventDefault",),
        _event_default_value,
    ),
    Rule(
        "count-distinct-field",
        _E,
        "`unitAggregationType: count_distinct` sets `unitAggregationField` (also in `denominator`)",
        'spec `MetricPost` and `DenominatorPost.unitAggregationField`: "Required when the '
        'unitAggregationType is count_distinct"',
        ("unitAggregationType", "unitAggregationField", "denominator"),
        _count_distinct_field,
    ),
    Rule(
        "winsor-bounds",
        _E,
        "winsorization percentiles lie in (0, 100), upper above lower (also in `denominator`)",
        'spec `winsorLowerPercentile`/`winsorUpperPercentile`: "open interval (0, 100)", '
        '"must be greater than winsorLowerPercentile"',
        ("winsorLowerPercentile", "winsorUpperPercentile", "denominator"),
        _winsor_bounds,
    ),
    Rule(
        "url-matcher-value",
        _A,
        "a URL matcher sets the field of its kind (`url`, `substring` or `pattern`)",
        "TF `urls` validation; the spec's `UrlPost` requires no field",
        ("urls",),
        _url_value,
    ),
    Rule(
        "url-matcher-single-field",
        _A,
        "a URL matcher sets no other value field",
        'TF `urls` validation; TF itself sends the unused two as `""`, which the API accepts',
        ("urls",),
        _url_single_field,
    ),
    Rule(
        "url-regex",
        _A,
        "a regex matcher's `pattern` compiles",
        "ours (Python `re`; LaunchDarkly's regex dialect is not documented)",
        ("urls",),
        _url_regex,
    ),
    Rule(
        "kind-unused-fields",
        _A,
        "a kind sets none of the fields it does not use (e.g. `unit` on click, `urls` on custom)",
        'TF `ModifyPlan` (click, pageview, custom); ours for trace; TF sends them as `""`',
        ("kind",),
        _unused_fields,
    ),
    Rule(
        "page-kinds-not-numeric",
        _A,
        "click and pageview metrics are not numeric",
        'ours, from the spec text ("isNumeric: Required for custom and trace metrics only")',
        ("kind", "isNumeric"),
        _page_kinds_not_numeric,
    ),
    Rule(
        "mean-without-percentile",
        _A,
        "a mean metric sets no `percentileValue`",
        "TF `ModifyPlan`; TF itself sends `replace /percentileValue null` on mean metrics",
        ("analysisType", "percentileValue"),
        _mean_without_percentile,
    ),
    Rule(
        "percentile-excludes-empty-units",
        _A,
        "a percentile metric sets `eventDefault.disabled: true`",
        "TF `ModifyPlan` (`include_units_without_events`); issue 10",
        ("analysisType", "eventDefault"),
        _percentile_excludes_empty_units,
    ),
    Rule(
        "name-not-blank",
        _A,
        "`name` is not blank",
        "ours (the API names an unnamed metric after its key)",
        ("name",),
        _name_not_blank,
    ),
    Rule(
        "tags-not-empty",
        _A,
        'no tag is `""`',
        "ours (TF `tagValidator` applies to metric groups, not metrics)",
        ("tags",),
        _tags_not_empty,
    ),
    Rule(
        "window-order",
        _A,
        "window offsets are not negative, end not before start (also in `denominator`)",
        'ours; the spec says only "Not yet implemented"',
        ("windowStartOffset", "windowEndOffset", "denominator"),
        _window,
    ),
)
"""Every rule; docs/rules.md is this table rendered (`render_table`)."""


def evaluate(
    doc: Mapping[str, Any],
    *,
    name: Namer = str,
    unusable: frozenset[str] = frozenset(),
    enforcement: Enforcement | None = None,
) -> list[tuple[Rule, Finding]]:
    """Every finding of every rule (of one `enforcement`, when given) on wire document `doc`.

    `unusable` names top-level fields whose value is unknown or of the wrong type: rules that
    read one of them are skipped (module docstring).
    """
    return [
        (rule, finding)
        for rule in RULES
        if (enforcement is None or rule.enforcement is enforcement)
        and not unusable.intersection(rule.reads)
        for finding in rule.check(doc, name)
    ]


def render_table() -> str:
    """The rule table as Markdown (docs/rules.md holds it; a test compares)."""
    lines = ["| rule | kind | what it says | source |", "|---|---|---|---|"]
    for rule in sorted(RULES, key=lambda r: (r.enforcement is Enforcement.ADVISORY, r.id)):
        lines.append(f"| `{rule.id}` | {rule.enforcement.value} | {rule.summary} | {rule.source} |")
    return "\n".join(lines) + "\n"
