"""What each imported metric declares, and what the provider will make of that declaration.

**Which fields are written.** A declaration carries `project_key`, `key`, `name` and `kind`, plus
only the fields whose value the API would not produce by itself:

- Ordinary fields (`description`, `tags`, `is_numeric`, `success_criteria`, `event_default`, …):
  a field is left out when leaving it out normalizes (`models.normalize`) to the same spec, i.e.
  it equals the API default (`models/defaults.py`). The test is done field by field on the real
  normalizer, so defaults that depend on other fields (`success_criteria` on the kind,
  `event_default.disabled` on the analysis type) come out right. Sub-fields of an object are
  trimmed the same way (`event_default.value: 0`, `filters.negate: false`).
- Server-chosen fields (`COMPUTED_WHEN_OMITTED`; undeclared means unmanaged) are written only
  when they differ from what the server would choose for an undeclared field:
  - `data_source`: written unless it is LaunchDarkly-hosted (`launchdarkly-hosted`, no
    environment), what LaunchDarkly picks when none is given;
  - `analysis_units`: written unless it is `["user"]`, LaunchDarkly's default context kind;
  - `maintainer_id`: the server picks the calling token's member, which the list API does not
    reveal. It is taken from `--default-maintainer`, else inferred as the maintainer of most
    listed metrics (ties: the smallest id); metrics with another maintainer declare theirs.

  These defaults mirror the emulator's table (`emulator/defaults.py`); a test keeps them equal.

Whatever is written, the import file's `inputs` are computed by running the provider's own
`check` on exactly that declaration, and the declaration is verified to normalize back to the
live metric (`changed_fields(...) == []`) before it is kept. So `pulumi preview` after the
adoption compares equal values and shows no change.

**Metrics that break advice.** LaunchDarkly may hold a metric that breaks an advisory rule
(`models/ruleset.py`: a percentile metric with `eventDefault.disabled: false`, a custom metric
with a selector, ...). It is declared exactly as it is held, like any other, and listed in
`ImportedMetric.advice`; the writers put a comment on it. It round-trips with no change because
advice is never a refusal: `check` accepts the declaration (so the import file's `inputs` are
`check`'s own answer and the usual `changed_fields(...) == []` guard holds), `Metric(...)` only
logs a warning, and the provider's diff compares values, not rules. The preview shows the
warning and no change.

**Metrics that break an enforced rule.** If LaunchDarkly holds one, the table is wrong about that
rule; the metric is still declared as held (never dropped), listed in
`ImportedMetric.refused` with a comment, and `pulumi preview` refuses it as it would any such
declaration until the rule is corrected or the metric edited.

**Values from a newer API.** A metric whose kind, enum value or nested field this version does
not understand (`MetricSpec.unrecognized`) is still declared, with those values exactly as
LaunchDarkly returned them, and listed in `ImportedMetric.unrecognized`; the writers put a
comment on it. Its import-file `inputs` are what `check` would return without its refusal of
those fields. That declaration does NOT round-trip yet: `check` is strict, so `pulumi preview`
refuses the unknown kind or value until this package learns it (or the user edits it), which
is the honest outcome; dropping the metric or the value would hide it.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi.dynamic.dynamic import serialize_provider
from pydantic import ValidationError

from pulumi_ldmetrics.errors import one_line
from pulumi_ldmetrics.ids import format_metric_id
from pulumi_ldmetrics.models import (
    COMPUTED_WHEN_OMITTED,
    SPEC_FIELDS,
    MetricRep,
    MetricSpec,
    changed_fields,
    inputs_from_spec,
    normalize,
    outputs_from_rep,
    spec_from_inputs,
    spec_from_rep,
)
from pulumi_ldmetrics.models.rules import assess
from pulumi_ldmetrics.provider import ADOPT_EXISTING, PROVIDER_KEY, UNMANAGED_FIELDS, MetricProvider
from pulumi_ldmetrics.read_batch import EXPECTED_READS

IDENTITY_FIELDS: Final = ("project_key", "key", "name", "kind")
"""Always declared: `Metric` requires them."""

HOSTED_DATA_SOURCE_KEY: Final = "launchdarkly-hosted"
"""The data source LaunchDarkly assigns when none is declared (emulator `DEFAULTS`)."""
DEFAULT_ANALYSIS_UNITS: Final = ("user",)
"""The analysis units LaunchDarkly assigns when none are declared (emulator `DEFAULTS`)."""

_UNSAFE_RESOURCE_CHARS: Final = re.compile(r"[^A-Za-z0-9_.-]+")
_UNSAFE_IDENTIFIER_CHARS: Final = re.compile(r"[^a-z0-9_]+")
RESERVED_VARIABLES: Final = frozenset({"Metric", "PROJECT_KEY", "METRICS"})
"""Names the generated Python module defines itself."""


@dataclass(frozen=True)
class ImportDefaults:
    """The server-chosen values a declaration may leave out (see the module docstring)."""

    maintainer_id: str | None
    """The maintainer taken as the server's choice; None when no metric has one."""
    analysis_units: tuple[str, ...] = DEFAULT_ANALYSIS_UNITS
    data_source_key: str = HOSTED_DATA_SOURCE_KEY

    def is_default(self, name: str, value: Any) -> bool:
        """Whether `value` of server-chosen field `name` is what the server picks unasked."""
        if name == "maintainer_id":
            return bool(value == self.maintainer_id)
        if name == "analysis_units":
            return sorted(set(value)) == sorted(set(self.analysis_units))
        if name == "data_source":
            return bool(value == {"key": self.data_source_key})
        raise ValueError(f"{name} is not a server-chosen field")


@dataclass(frozen=True)
class ImportedMetric:
    """One live metric, ready to be written as a declaration and adopted."""

    key: str
    resource_name: str
    """Pulumi resource name, used by the declaration and the import file alike."""
    variable_name: str
    """Python variable of the declaration in the generated module."""
    declared: dict[str, Any]
    """`Metric` keyword arguments (snake_case, `SPEC_FIELDS` order), project_key included."""
    inputs: dict[str, Any]
    """What `MetricProvider.check` returns for `declared`, plus `__provider`."""
    outputs: dict[str, Any]
    """`outputs_from_rep` + `unmanaged_fields` + `__provider`: the state `pulumi import` stores."""
    unrecognized: tuple[str, ...] = ()
    """Fields declared with values this version does not understand (see the module doc)."""
    advice: tuple[str, ...] = ()
    """Ids of the advisory rules the metric breaks (see the module doc)."""
    refused: tuple[str, ...] = ()
    """`check` failures of a metric LaunchDarkly holds anyway (see the module doc)."""

    @property
    def id(self) -> str:
        """Pulumi resource id, `project/key`."""
        return format_metric_id(self.declared["project_key"], self.key)


@dataclass(frozen=True)
class SkippedMetric:
    """A live metric that cannot be declared (e.g. a kind this package does not know)."""

    key: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    """Everything the writers need: the metrics in key order and what was skipped."""

    project_key: str
    metrics: list[ImportedMetric]
    skipped: list[SkippedMetric] = field(default_factory=list)
    defaults: ImportDefaults = field(default_factory=lambda: ImportDefaults(None))
    adopt: bool = False
    """True for the adopt route: declarations carry `adopt_existing=True`."""


def infer_defaults(
    specs: Iterable[MetricSpec], *, default_maintainer: str | None = None
) -> ImportDefaults:
    """The server-chosen defaults for this set of metrics (module docstring, "maintainer_id")."""
    if default_maintainer is not None:
        return ImportDefaults(default_maintainer)
    counts = Counter(spec.maintainer_id for spec in specs if spec.maintainer_id)
    if not counts:
        return ImportDefaults(None)
    # Most common first; among equals the smallest id, so the output never depends on order.
    best = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return ImportDefaults(best[0])


def declared_fields(spec: MetricSpec, defaults: ImportDefaults) -> dict[str, Any]:
    """The smallest set of `Metric` arguments that normalizes back to `spec` (see module doc).

    `spec` must be normalized (as `spec_from_rep` returns it).
    """
    full = inputs_from_spec(spec)
    target = _managed_part(spec)
    declared = {k: v for k, v in full.items() if k not in COMPUTED_WHEN_OMITTED}

    def same(trial: dict[str, Any]) -> bool:
        # A trial that breaks a sub-field (a required one removed) parses with that field
        # unrecognized, so it differs from the target and is not taken.
        return _managed_part(normalize(spec_from_inputs(trial))) == target

    # Greedy, in field order: analysis_type is decided before event_default, whose default
    # depends on it, so the result does not depend on luck.
    for name in [k for k in declared if k not in IDENTITY_FIELDS]:
        without = {k: v for k, v in declared.items() if k != name}
        if same(without):
            declared = without
            continue
        value = declared[name]
        if isinstance(value, dict):
            for sub in list(value):
                trimmed = {k: v for k, v in declared[name].items() if k != sub}
                if trimmed and same({**declared, name: trimmed}):
                    declared[name] = trimmed
    for name in COMPUTED_WHEN_OMITTED:
        value = full.get(name)
        if value is not None and not defaults.is_default(name, value):
            declared[name] = value
    return {name: declared[name] for name in SPEC_FIELDS if name in declared}


def notes(metric: ImportedMetric) -> list[str]:
    """Why a declaration deserves a comment: values `check` refuses, or advice it breaks."""
    out = [unrecognized_note(metric)] if metric.unrecognized else []
    if metric.refused:
        out.append(
            "LaunchDarkly holds this metric although it breaks a rule pulumi-ldmetrics believes "
            f"LaunchDarkly enforces ({'; '.join(metric.refused)}); it is declared as held, and "
            "`pulumi preview` refuses it until the rule or the metric is corrected."
        )
    if metric.advice:
        out.append(
            f"Breaks advice ({', '.join(metric.advice)}; see docs/rules.md). LaunchDarkly holds it"
            " like this, so it is declared as held: preview warns and changes nothing."
        )
    return out


def unrecognized_note(metric: ImportedMetric) -> str:
    """Why a declaration holds values `check` refuses (see `plan`, "Values from a newer API")."""
    return (
        f"LaunchDarkly returned values this version of pulumi-ldmetrics does not understand "
        f"({', '.join(metric.unrecognized)}); they are declared as returned, and `pulumi "
        "preview` refuses them until the package knows them: upgrade it or edit them."
    )


def resource_names(keys: Sequence[str]) -> list[str]:
    """Pulumi resource names for metric keys: the key itself when safe (LaunchDarkly keys always
    are, and `metrics_from_file` uses the key too), unsafe characters replaced by `-`, made
    unique with `-2`, `-3`… suffixes."""
    bases = [_UNSAFE_RESOURCE_CHARS.sub("-", key) or "metric" for key in keys]
    return _unique(bases, "-")


def variable_names(keys: Sequence[str]) -> list[str]:
    """Python identifiers for metric keys: lower case, `_` for anything else, `m_` before a
    leading digit, `_` after keywords, builtins and the module's own names, then unique with
    `_2`, `_3`… suffixes (`signup-rate` and `signup_rate` become `signup_rate`, `signup_rate_2`)."""
    bases = []
    for key in keys:
        name = _UNSAFE_IDENTIFIER_CHARS.sub("_", key.lower()).strip("_") or "metric"
        name = re.sub(r"__+", "_", name)
        if name[0].isdigit():
            name = f"m_{name}"
        # A builtin would be shadowed for the rest of the module (`dict[str, Metric]` below).
        if (
            keyword.iskeyword(name)
            or keyword.issoftkeyword(name)
            or hasattr(builtins, name)
            or name in RESERVED_VARIABLES
        ):
            name = f"{name}_"
        bases.append(name)
    return _unique(bases, "_")


def _unique(bases: Sequence[str], separator: str) -> list[str]:
    taken: set[str] = set()
    result: list[str] = []
    for base in bases:
        name, counter = base, 2
        while name in taken:
            name, counter = f"{base}{separator}{counter}", counter + 1
        taken.add(name)
        result.append(name)
    return result


def build_plan(
    raw_metrics: Iterable[Mapping[str, Any]],
    project_key: str,
    *,
    site_base_url: str,
    adopt: bool = False,
    default_maintainer: str | None = None,
) -> ImportPlan:
    """Turn listed metrics (`MetricListingRep` JSON) into an `ImportPlan`, sorted by key.

    Every listed metric with a key is declared, as it is held (module doc): with values this
    version does not understand, breaking advice, or even breaking an enforced rule.
    """
    parsed: list[tuple[MetricRep, MetricSpec]] = []
    skipped: list[SkippedMetric] = []
    for raw in raw_metrics:
        key = str(raw.get("key", "?"))
        try:
            rep = MetricRep.model_validate(raw)  # fails only without a key
            parsed.append((rep, spec_from_rep(rep, project_key)))
        except ValidationError as err:
            skipped.append(SkippedMetric(key, _first_error(err)))
    parsed.sort(key=lambda pair: pair[0].key)
    defaults = infer_defaults((spec for _, spec in parsed), default_maintainer=default_maintainer)
    keys = [rep.key for rep, _ in parsed]
    provider = MetricProvider()
    pickled = serialize_provider(provider)
    # The read hint a program declaring them all leaves (`read_batch`): so the first refresh
    # after the import reads the project's listing instead of one GET per metric.
    hint = {EXPECTED_READS: len(parsed)}
    metrics: list[ImportedMetric] = []
    for (rep, spec), resource, variable in zip(
        parsed, resource_names(keys), variable_names(keys), strict=True
    ):
        declared = declared_fields(spec, defaults)
        props = {**declared, ADOPT_EXISTING: True} if adopt else dict(declared)
        checked = provider.check({}, props)
        failures = checked.failures or []
        unexplained = [f for f in failures if _field(f.property) not in spec.unrecognized]
        if failures:  # what check would return without its refusal
            inputs = inputs_from_spec(normalize(spec_from_inputs(declared)))
            if adopt:
                inputs[ADOPT_EXISTING] = True
        else:
            inputs = dict(checked.inputs or {})
        drift = changed_fields(spec, spec_from_inputs(inputs))
        if drift:  # a guard: the rule above should make this impossible
            skipped.append(SkippedMetric(rep.key, f"cannot be declared exactly ({drift})"))
            continue
        outputs = outputs_from_rep(rep, project_key, site_base_url=site_base_url)
        outputs[UNMANAGED_FIELDS] = sorted(COMPUTED_WHEN_OMITTED - declared.keys())
        if adopt:
            outputs[ADOPT_EXISTING] = True
        metrics.append(
            ImportedMetric(
                key=rep.key,
                resource_name=resource,
                variable_name=variable,
                declared=declared,
                inputs={**inputs, **hint, PROVIDER_KEY: pickled},
                outputs={**outputs, **hint, PROVIDER_KEY: pickled},
                unrecognized=tuple(sorted(spec.unrecognized.keys() & declared.keys())),
                advice=tuple(sorted({w.rule for w in assess(declared).warnings if w.rule})),
                refused=tuple(f"{f.property}: {f.reason}" for f in unexplained),
            )
        )
    skipped.sort(key=lambda s: s.key)
    return ImportPlan(project_key, metrics, skipped, defaults, adopt)


def _managed_part(spec: MetricSpec) -> MetricSpec:
    """`spec` without the server-chosen fields, which are decided separately."""
    kept = {k: v for k, v in spec.unrecognized.items() if k not in COMPUTED_WHEN_OMITTED}
    return spec.model_copy(update=dict.fromkeys(COMPUTED_WHEN_OMITTED)).carrying(kept)


def _field(path: str) -> str:
    """The top-level field of a failure's property path (`filters.values.0` -> `filters`)."""
    return path.split(".", 1)[0]


def _first_error(err: ValidationError) -> str:
    first = err.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "metric"
    return one_line(f"{where}: {first['msg']}")
