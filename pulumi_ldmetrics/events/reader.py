"""Read event rows from NDJSON, JSON or CSV, each with where it came from, without judging them.

| format | file | one event is |
|---|---|---|
| `ndjson` | `.ndjson`, `.jsonl` | one JSON object per line (blank lines skipped) |
| `json` | `.json` | one element of a top-level JSON array |
| `csv` | `.csv` | one row after the header row |

JSON and NDJSON objects use the wire names: `kind`, `key`, `creationDate`, `metricValue`,
`contextKeys`, `data`. CSV columns (header names exact, order free):

| column | meaning |
|---|---|
| `key` | event key (required) |
| `creationDate` | Unix ms, or ISO 8601 with an offset (`2026-11-30T12:00:00Z`) (required) |
| `metricValue` | a decimal number; empty means none |
| `kind` | optional; must be `custom` when given |
| `context.<kind>` | the context key of that context kind (`context.user`); empty cell: none |
| `data.<name>` | a string attribute under `data`; empty cell: none |

Judging the values is `validate.py`'s job; this module only reports rows it cannot parse at
all (`RawEvent.problem`), so every bad row can be named in one pass.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pulumi_ldmetrics.events.errors import EventsInputError

Format = Literal["ndjson", "json", "csv"]
FORMATS: Final[tuple[Format, ...]] = ("ndjson", "json", "csv")
_SUFFIXES: Final[dict[str, Format]] = {
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".json": "json",
    ".csv": "csv",
}
CSV_PLAIN_COLUMNS: Final = ("kind", "key", "creationDate", "metricValue")
CONTEXT_PREFIX: Final = "context."
DATA_PREFIX: Final = "data."


@dataclass(frozen=True)
class RawEvent:
    """One input row: its fields as read, or why it could not be read."""

    where: str
    """`events.ndjson:line 12`, `events.json:item 3`, `events.csv:line 4`."""
    fields: dict[str, Any] | None
    problem: str | None = None


def detect_format(path: Path, requested: str | None = None) -> Format:
    """The format to read `path` as: `requested`, else from the file name's suffix."""
    if requested is not None:
        if requested not in FORMATS:
            raise EventsInputError(f"unknown format {requested!r}; use one of {FORMATS}")
        return requested
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise EventsInputError(
            f"{path}: cannot tell the format from the name; name it .ndjson, .jsonl, .json or"
            " .csv, or pass --format"
        )
    return fmt


def read_events(path: Path, fmt: Format) -> Iterator[RawEvent]:
    """Every row of `path`, in file order. Raises `EventsInputError` when the file as a whole
    is unreadable (missing, not UTF-8, a JSON document that is not an array, a bad CSV header)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a BOM from spreadsheet exports
    except OSError as err:
        raise EventsInputError(f"{path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise EventsInputError(f"{path}: not UTF-8 text") from None
    if fmt == "ndjson":
        return _ndjson(path.name, text)
    if fmt == "json":
        return _json_array(path, text)
    return _csv(path, text)


def _ndjson(name: str, text: str) -> Iterator[RawEvent]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:line {number}"
        try:
            value = json.loads(line)
        except ValueError as err:
            yield RawEvent(where, None, f"not valid JSON ({_short(err)})")
            continue
        yield _object(where, value)


def _json_array(path: Path, text: str) -> Iterator[RawEvent]:
    try:
        document = json.loads(text)
    except ValueError as err:
        raise EventsInputError(f"{path}: not valid JSON ({_short(err)})") from None
    if not isinstance(document, list):
        raise EventsInputError(f"{path}: a .json events file must be a JSON array of events")
    for number, value in enumerate(document, start=1):
        yield _object(f"{path.name}:item {number}", value)


def _object(where: str, value: Any) -> RawEvent:
    if not isinstance(value, dict):
        return RawEvent(where, None, f"an event must be a JSON object, not {type(value).__name__}")
    return RawEvent(where, value)


def _csv(path: Path, text: str) -> Iterator[RawEvent]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise EventsInputError(f"{path}: empty CSV file (a header row is required)")
    columns = [c.strip() for c in header]
    bad = [
        c
        for c in columns
        if c not in CSV_PLAIN_COLUMNS
        and not (c.startswith(CONTEXT_PREFIX) and len(c) > len(CONTEXT_PREFIX))
        and not (c.startswith(DATA_PREFIX) and len(c) > len(DATA_PREFIX))
    ]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if bad or duplicated or "key" not in columns or "creationDate" not in columns:
        parts = [f"unknown column(s) {', '.join(map(repr, bad))}"] if bad else []
        parts += [f"duplicated column(s) {', '.join(duplicated)}"] if duplicated else []
        missing = [c for c in ("key", "creationDate") if c not in columns]
        parts += [f"missing column(s) {', '.join(missing)}"] if missing else []
        raise EventsInputError(
            f"{path}: CSV header: {'; '.join(parts)} (columns: kind, key, creationDate,"
            " metricValue, context.<kind>, data.<name>)"
        )
    return _csv_rows(path.name, reader, columns)


def _csv_rows(name: str, reader: Any, columns: list[str]) -> Iterator[RawEvent]:
    for row in reader:
        # line_num counts physical lines, so a quoted cell with a newline still names its start.
        where = f"{name}:line {reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield RawEvent(where, None, f"{len(row)} cells for {len(columns)} columns")
            continue
        yield RawEvent(where, _csv_fields(dict(zip(columns, row, strict=True))))


def _csv_fields(cells: dict[str, str]) -> dict[str, Any]:
    """A CSV row in the wire shape (`context.user` -> `contextKeys.user`)."""
    fields: dict[str, Any] = {}
    contexts: dict[str, str] = {}
    data: dict[str, str] = {}
    for column, cell in cells.items():
        if cell == "":
            continue
        if column.startswith(CONTEXT_PREFIX):
            contexts[column[len(CONTEXT_PREFIX) :]] = cell
        elif column.startswith(DATA_PREFIX):
            data[column[len(DATA_PREFIX) :]] = cell
        else:
            fields[column] = _csv_scalar(column, cell)
    fields["contextKeys"] = contexts
    if data:
        fields["data"] = data
    return fields


def _csv_scalar(column: str, cell: str) -> Any:
    """CSV cells are text: turn the numeric columns into numbers when they read as one (what
    does not stays text, and validate.py names it)."""
    text = cell.strip()
    if column == "creationDate" and text.isdigit():
        return int(text)
    if column == "metricValue":
        try:
            return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            return cell
    return cell


def _short(err: ValueError) -> str:
    text = str(err)
    return text if len(text) <= 100 else text[:97] + "..."
