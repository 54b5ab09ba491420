"""Render an `ImportPlan` as a Python module of `Metric` declarations.

The text is produced already in `ruff format` style, so a project that runs `ruff format
--check` accepts it unchanged and `ruff check` finds nothing. It is laid out for ruff's default
line length, 88: a layout split at 88 is also stable at any longer limit (this repository
uses 100), because every split collection carries a magic trailing comma and every line kept
whole fits. Rules:

- every `Metric(...)` call is split one argument per line with a trailing comma (ruff keeps a
  "magic trailing comma" split as it is);
- a nested list or dict stays on one line when the whole line fits in 88 columns, otherwise it
  is split one element per line with a trailing comma, recursively, as the formatter does;
- strings use double quotes unless that needs more escapes than single quotes (ruff's rule);
- a line that still exceeds 88 columns (a long string cannot be split) gets `# noqa: E501`.

The module defines one variable per metric and `METRICS`, every resource by metric key, so a
program can `import` the module and refer to the metrics.
"""

from __future__ import annotations

import math
from typing import Any, Final

from pulumi_ldmetrics.importer.plan import ImportedMetric, ImportPlan, notes

LINE_LENGTH: Final = 88
"""ruff's default `line-length`."""
INDENT: Final = "    "
_NOQA_LONG_LINE: Final = "  # noqa: E501"


MODULE_NAMES: frozenset[str] = frozenset({"Metric", "MetricGroup", "PROJECT_KEY", "METRICS"})
"""Module-level names of the generated module besides the metric variables."""


def render_python(plan: ImportPlan) -> str:
    """The module text for `plan` (declarations in key order)."""
    count = len(plan.metrics)
    route = (
        "They carry adopt_existing=True: `pulumi up` takes each one over (GET, no write)."
        if plan.adopt
        else "Adopt them with the import file written next to this module (see `ldmetrics import`)."
    )
    lines = [
        f'"""LaunchDarkly metrics: {count} declaration{"" if count == 1 else "s"},'
        " from `ldmetrics import`.",
        "",
        "Edit freely. Only values that differ from LaunchDarkly's defaults are written.",
        route,
        '"""',
        "",
        "from pulumi_ldmetrics import Metric",
        "",
        _fit(f"PROJECT_KEY = {python_literal(plan.project_key)}"),
    ]
    for metric in plan.metrics:
        lines.append("")
        lines.extend(_declaration(metric, adopt=plan.adopt))
    lines.append("")
    if plan.metrics:
        lines.append("METRICS: dict[str, Metric] = {")
        lines.extend(
            _fit(f"{INDENT}{python_literal(m.key)}: {m.variable_name},") for m in plan.metrics
        )
        lines.append("}")
    else:
        lines.append("METRICS: dict[str, Metric] = {}")
    return "\n".join(lines) + "\n"


def _declaration(metric: ImportedMetric, *, adopt: bool) -> list[str]:
    note = [line for text in notes(metric) for line in _comment(text)]
    lines = [
        *note,
        f"{metric.variable_name} = Metric(",
        _fit(f"{INDENT}{python_literal(metric.resource_name)},"),
    ]
    for name, value in metric.declared.items():
        if name == "project_key":
            lines.append(f"{INDENT}project_key=PROJECT_KEY,")
        else:
            lines.extend(_render(value, INDENT, f"{name}=", ","))
    if adopt:
        lines.append(f"{INDENT}adopt_existing=True,")
    lines.append(")")
    return lines


def _comment(text: str) -> list[str]:
    """`text` as `# ` lines within `LINE_LENGTH`, split at spaces."""
    lines: list[str] = []
    line = "#"
    for word in text.split(" "):
        if len(line) + 1 + len(word) > LINE_LENGTH and line != "#":
            lines.append(line)
            line = "#"
        line = f"{line} {word}"
    return [*lines, line]


def _render(value: Any, indent: str, prefix: str, suffix: str) -> list[str]:
    """Lines for `indent + prefix + value + suffix`, split the way `ruff format` splits it."""
    flat = f"{indent}{prefix}{python_literal(value)}{suffix}"
    if len(flat) <= LINE_LENGTH or not isinstance(value, (dict, list)) or not value:
        return [_fit(flat)]
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    inner = indent + INDENT
    lines = [_fit(f"{indent}{prefix}{opening}")]
    if isinstance(value, dict):
        for key, item in value.items():
            lines.extend(_render(item, inner, f"{python_literal(key)}: ", ","))
    else:
        for item in value:
            lines.extend(_render(item, inner, "", ","))
    lines.append(f"{indent}{closing}{suffix}")
    return lines


def _fit(line: str) -> str:
    """Mark a line that cannot be made short enough; ruff's width ignores pragma comments."""
    return line + _NOQA_LONG_LINE if len(line) > LINE_LENGTH else line


def python_literal(value: Any) -> str:
    """A Python literal for a JSON-like value, spelled as `ruff format` would leave it."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write non-finite number {value!r}")
        return repr(value)
    if isinstance(value, str):
        return python_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{python_string(str(k))}: {python_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"cannot write a {type(value).__name__} as a Python literal")


_ESCAPES: Final = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def python_string(text: str) -> str:
    """A string literal in ruff's preferred quotes: double, unless the text holds more double
    quotes than single ones. Unprintable characters are escaped like `repr` does."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == quote:
            out.append("\\" + char)
        elif not char.isprintable():
            out.append(repr(char)[1:-1])
        else:
            out.append(char)
    return f"{quote}{''.join(out)}{quote}"
