"""The desired state of one metric group (funnel or standard), as a user declares it.

Strict like `MetricSpec`: snake_case in Python, camelCase on the wire (`MetricGroupPost`, beta
API), no coercion. Cross-field rules are in `group_rules.py`, defaults in `group_defaults.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, StringConstraints

from pulumi_ldmetrics.models._wire import camel_case_config
from pulumi_ldmetrics.models.spec import Key, Text

GroupKind = Literal["funnel", "standard"]

MIN_METRICS: Final = 2
"""A group holds at least two metrics (Terraform `listvalidator.SizeAtLeast(2)`; the UI will not
let a funnel drop below two steps)."""

TAG_PATTERN: Final = re.compile(r"\A[a-zA-Z0-9_.-]{1,64}\Z")
"""Metric group tags: 1 to 64 characters of letters, digits, `.`, `_`, `-` (Terraform
`tagValidator`, which it applies to groups though not to v3 metrics)."""
TAG_RULE: Final = "must be 1 to 64 characters of letters, digits, '.', '_' or '-'"


def _tag_shape(value: str) -> str:
    if not TAG_PATTERN.match(value):
        raise ValueError(TAG_RULE)
    return value


Tag = Annotated[str, StringConstraints(max_length=64), AfterValidator(_tag_shape)]


class _WireModel(BaseModel):
    model_config = camel_case_config(strict=True)


class MetricInGroup(_WireModel):
    """One metric of a group, in order (`MetricInMetricGroupInput`)."""

    key: Key
    """Key of a metric of the same project."""
    name_in_group: Text | None = None
    """Step name: required on every metric of a funnel, not accepted in a standard group."""


class MetricGroupSpec(_WireModel):
    """Every writable field of a LaunchDarkly metric group, plus the project it lives in."""

    project_key: Key
    """Project the group belongs to. Changing it replaces the group."""
    key: Key
    """Unique key of the group in its project. Changing it replaces the group."""
    name: Text
    """Human-readable name."""
    kind: GroupKind
    """`funnel` (ordered steps) or `standard`. Changing it replaces the group."""
    description: Text | None = None
    """Free-text description."""
    maintainer_id: Text | None = None
    """Member id (24 hex) of the maintainer. LaunchDarkly requires one; when omitted, the
    maintainer of the group's first metric is used, and the field is not managed."""
    tags: list[Tag] | None = None
    """Tags, compared as a set."""
    metrics: list[MetricInGroup]
    """The metrics, in order (the order is the funnel's step order)."""


GROUP_FIELDS: tuple[str, ...] = tuple(MetricGroupSpec.model_fields)
"""Every input field name, in declaration order."""

GROUP_REPLACE_ON_CHANGE: tuple[str, ...] = ("project_key", "key", "kind")
"""The key is the group's id in the URL, the project its parent; the kind is immutable
(Terraform RequiresReplace; whether PATCH could change it is unknown)."""

GROUP_COMPUTED_WHEN_OMITTED: frozenset[str] = frozenset({"maintainer_id"})
"""Chosen by the provider when not declared (see `maintainer_id`): then not managed."""

PATCHABLE: tuple[str, ...] = ("name", "description", "maintainer_id", "tags", "metrics")
"""The fields a PATCH may change, as the Terraform provider patches them (`/maintainerId`,
not `/maintainer`)."""
