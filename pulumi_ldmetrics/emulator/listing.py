"""`GET /api/v2/metrics/{projectKey}`: filter, sort and paginate a project's metrics.

Parameters follow reference §2: `limit` (default 20, at most 50), `offset`, `sort`
(`name` or `createdAt`, `-` prefix for descending; default creation order) and `filter`,
a comma-separated list of clauses such as `tags contains ["a","b"]`, `query equals "x"`,
`eventKind equals custom`, `isNumeric equals true`, or the shorthand `field:value`.
Commas inside `[...]` or quotes do not split clauses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from pulumi_ldmetrics.emulator.jsonbody import BodyError, parse_json_text
from pulumi_ldmetrics.emulator.representation import JSON_TYPE

JSONDict = dict[str, Any]

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 50
SORT_FIELDS: Final = ("name", "createdAt")


class ListingError(ValueError):
    """A list parameter is invalid; the message is the API's 400 message."""


@dataclass(frozen=True)
class ListQuery:
    """Parsed list parameters."""

    limit: int
    offset: int
    sort: str | None
    filter: str | None
    predicates: tuple[Callable[[JSONDict], bool], ...]


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    """Parse and validate the list parameters; raise ListingError on a bad one."""
    limit = parse_int_param(params, "limit", DEFAULT_LIMIT, minimum=1)
    if limit > MAX_LIMIT:
        raise ListingError(f"limit: must be at most {MAX_LIMIT}")
    offset = parse_int_param(params, "offset", 0, minimum=0)
    sort = params.get("sort") or None
    if sort is not None and sort.lstrip("-") not in SORT_FIELDS:
        raise ListingError(f"sort: must be one of {', '.join(SORT_FIELDS)} (optionally with '-')")
    raw_filter = params.get("filter") or None
    predicates = tuple(_parse_clause(c) for c in split_clauses(raw_filter)) if raw_filter else ()
    return ListQuery(limit, offset, sort, raw_filter, predicates)


def parse_int_param(params: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    """The integer query parameter `name` (`limit`, `offset`), `default` when absent or empty;
    `ListingError` with the API's 400 message when it is no integer or below `minimum`. The
    metric-group listing (`groups.py`) reads its paging parameters with it too."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ListingError(f"{name}: must be an integer") from None
    if value < minimum:
        raise ListingError(f"{name}: must be at least {minimum}")
    return value


def split_clauses(text: str) -> list[str]:
    """Split a filter on top-level commas (not inside brackets or double quotes)."""
    clauses: list[str] = []
    depth, quoted, start = 0, False, 0
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            clauses.append(text[start:i])
            start = i + 1
    clauses.append(text[start:])
    return [c.strip() for c in clauses if c.strip()]


def _parse_value(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        try:
            return parse_json_text(raw, what="filter")
        except BodyError:
            return [item.strip().strip('"') for item in raw[1:-1].split(",") if item.strip()]
    if len(raw) >= 2 and raw.startswith('"') and raw.endswith('"'):
        return raw[1:-1]
    return raw


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _query(value: Any) -> Callable[[JSONDict], bool]:
    needle = str(value).lower()
    return lambda m: (
        needle in str(m.get("key", "")).lower() or needle in str(m.get("name", "")).lower()
    )


def _tags(value: Any) -> Callable[[JSONDict], bool]:
    wanted = set(_as_list(value))
    return lambda m: wanted <= set(m.get("tags", []))


def _field_equals(field: str) -> Callable[[Any], Callable[[JSONDict], bool]]:
    return lambda value: lambda m: m.get(field) == value


def _is_numeric(value: Any) -> Callable[[JSONDict], bool]:
    if str(value).lower() not in ("true", "false"):
        raise ListingError("filter: isNumeric must be true or false")
    wanted = str(value).lower() == "true"
    return lambda m: bool(m.get("isNumeric", False)) is wanted


def _any_of(field: str) -> Callable[[Any], Callable[[JSONDict], bool]]:
    return lambda value: lambda m: m.get(field) in set(_as_list(value))


# field -> (accepted operators, predicate factory); ":" is the shorthand for the operator.
_FILTERS: Final[dict[str, tuple[tuple[str, ...], Callable[[Any], Callable[[JSONDict], bool]]]]] = {
    "query": (("equals", ":"), _query),
    "tags": (("contains", ":"), _tags),
    "eventKind": (("equals", ":"), _field_equals("kind")),
    "isNumeric": (("equals", ":"), _is_numeric),
    "unitAggregationType": (("equals", ":"), _field_equals("unitAggregationType")),
    "maintainerIds": (("anyOf", ":"), _any_of("maintainerId")),
    "eventKeys": (("anyOf", ":"), _any_of("eventKey")),
}


def _parse_clause(clause: str) -> Callable[[JSONDict], bool]:
    parts = clause.split(None, 2)
    if len(parts) == 3 and parts[1] in ("equals", "contains", "anyOf"):
        field, op, raw = parts
    elif ":" in clause:
        field, raw = clause.split(":", 1)
        field, op = field.strip(), ":"
    else:
        raise ListingError(f"filter: cannot parse clause {clause!r}")
    if field not in _FILTERS:
        raise ListingError(f"filter: unsupported field {field!r}")
    operators, factory = _FILTERS[field]
    if op not in operators:
        raise ListingError(f"filter: {field} does not support {op!r}")
    return factory(_parse_value(raw))


def select(metrics: list[JSONDict], query: ListQuery) -> list[JSONDict]:
    """Filter and sort `metrics` (given in creation order) as `query` asks."""
    selected = [m for m in metrics if all(p(m) for p in query.predicates)]
    if query.sort is None:
        return selected
    field = query.sort.lstrip("-")
    descending = query.sort.startswith("-")
    # The creation index breaks ties, so equal names keep a stable, reproducible order.
    indexed = list(enumerate(selected))
    if field == "name":
        indexed.sort(key=lambda im: (str(im[1].get("name", "")).lower(), im[0]), reverse=descending)
    else:
        indexed.sort(key=lambda im: (im[1].get("_creationDate", 0), im[0]), reverse=descending)
    return [m for _, m in indexed]


def collection_links(project: str, query: ListQuery, total: int) -> JSONDict:
    """`_links` of a page: self and first always, prev/next only when they exist, last."""

    def href(offset: int) -> JSONDict:
        params: dict[str, str | int] = {"limit": query.limit, "offset": offset}
        if query.filter:
            params["filter"] = query.filter
        if query.sort:
            params["sort"] = query.sort
        return {"href": f"/api/v2/metrics/{project}?{urlencode(params)}", "type": JSON_TYPE}

    last = ((total - 1) // query.limit) * query.limit if total > 0 else 0
    links = {"self": href(query.offset), "first": href(0)}
    if query.offset > 0:
        links["prev"] = href(max(query.offset - query.limit, 0))
    if query.offset + query.limit < total:
        links["next"] = href(query.offset + query.limit)
    links["last"] = href(last)
    return links
