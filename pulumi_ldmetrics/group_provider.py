"""`MetricGroupProvider`: the dynamic provider behind `MetricGroup` (LaunchDarkly's beta
metric-groups API).

`pulumi_ldmetrics.group_provider.MetricGroupProvider` is a STABLE PATH: dill pickles it by
reference into every stack's state, so moving it breaks refresh and destroy of existing stacks.
If it ever moves, leave an alias here.

Requests, as for metrics: `check` and `diff` none; `create` 1 POST (plus 1 GET of the first
metric when no maintainer is known, see below); `update` 1 PATCH of the changed paths, or
nothing; `delete` 1 DELETE (404 counts as done); `read` 1 GET (404 drops the resource).

The maintainer: LaunchDarkly requires `maintainerId` and the Terraform provider fills it from
`GET /api/v2/members/me`, which fails for service tokens (they are no member). Here an undeclared
maintainer is the maintainer of the group's first metric: `MetricGroup` passes the first
`Metric` resource's `maintainer_id` output (no request), and when the metrics are bare keys the
provider reads that metric once at create. Either works with any token that can read metrics.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from pulumi_ldmetrics._provider_base import (
    PROVIDER_KEY,
    UNMANAGED_FIELDS,
    ConfiguredProvider,
    carry_inputs,
    check_inputs,
    has_unknown,
    is_unknown,
    old_values,
    without_provider,
)
from pulumi_ldmetrics.errors import ConflictError, LDMetricsError, NotFoundError
from pulumi_ldmetrics.models.group_convert import (
    group_changed_fields,
    group_inputs_from_rep,
    group_inputs_from_spec,
    group_outputs_from_rep,
    group_patch_ops,
    group_post_body,
    group_spec_from_inputs,
    group_spec_from_rep,
)
from pulumi_ldmetrics.models.group_defaults import normalize_group
from pulumi_ldmetrics.models.group_response import MetricGroupRep
from pulumi_ldmetrics.models.group_rules import validate_group
from pulumi_ldmetrics.models.group_spec import GROUP_REPLACE_ON_CHANGE, MetricGroupSpec
from pulumi_ldmetrics.models.response import MetricRep
from pulumi_ldmetrics.models.spec import ADOPT_EXISTING

__all__ = [
    "MetricGroupExistsError",
    "MetricGroupProvider",
    "MissingMaintainerError",
    "format_group_id",
    "parse_group_id",
]

log = logging.getLogger(__name__)

_NOT_SENT = (ADOPT_EXISTING,)
"""Inputs of a `MetricGroup` that are not LaunchDarkly fields, carried from inputs to outputs and
through `read` unchanged (a `Metric` has a read hint too; a group is always one GET)."""


class MetricGroupExistsError(LDMetricsError):
    """Raised when creating a metric group whose key is already taken in LaunchDarkly."""


class MissingMaintainerError(LDMetricsError):
    """Raised at create when no maintainer is declared and none can be derived."""


def format_group_id(project_key: str, key: str) -> str:
    """`project/key`, the resource id (the Terraform provider's import id)."""
    return f"{project_key}/{key}"


def parse_group_id(group_id: str) -> tuple[str, str]:
    """Split `project/key`; exactly one `/` and both sides non-empty."""
    project_key, sep, key = group_id.partition("/")
    if not sep or not project_key or not key or "/" in key:
        raise ValueError(
            f"invalid metric group id {group_id!r}: expected '<project key>/<group key>',"
            " e.g. 'web/checkout-funnel'"
        )
    return project_key, key


class MetricGroupProvider(ConfiguredProvider):
    """Creates, reads, updates and deletes LaunchDarkly metric groups.

    Settings come from the same stack config and environment as `MetricProvider` (see there),
    resolved in `configure()`; nothing is stored at construction, so the pickle carries no
    token.
    """

    # -- engine calls ---------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Every rule at once, each failure on its property; normalized inputs. No request."""
        return check_inputs(
            news,
            without_provider(news),
            validate_group,
            lambda spec: group_inputs_from_spec(normalize_group(spec)),
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare old outputs with checked new inputs. No request.

        `metrics` wholly unknown replaces the group. The engine asks exactly that when a metric
        of the group is replaced delete-before-replace (it marks the dependent property
        unknown): replacing the group deletes it before its metric, so LaunchDarkly never sees
        a metric deleted while a group still holds it, and the new group is created after the
        new metric. A reorder or a changed metric list is an update."""
        unknown = sorted(k for k, v in news.items() if k != PROVIDER_KEY and has_unknown(v))
        known_news = {k: v for k, v in news.items() if k not in unknown}
        if "maintainer_id" in unknown and olds.get("maintainer_id") is not None:
            # Borrowed from the first Metric's output, which a preview of any change to that
            # metric leaves unknown: not a change of the group. At `up` the program resolves it
            # before this diff runs, so a real change of maintainer is still patched.
            unknown.remove("maintainer_id")
            known_news["maintainer_id"] = olds["maintainer_id"]
        old_spec = group_spec_from_inputs(olds)
        new_spec = group_spec_from_inputs({**old_values(olds, unknown), **known_news})
        changed = set(group_changed_fields(old_spec, new_spec)) | set(unknown)
        changed.discard(ADOPT_EXISTING)
        replaces = [name for name in sorted(changed) if name in GROUP_REPLACE_ON_CHANGE]
        if is_unknown(news.get("metrics")):
            replaces.append("metrics")
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            # Keys are unique per project: the old group must go before the new one comes.
            delete_before_replace=bool(replaces),
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """1 POST (1 more GET when the maintainer must be read from the first metric); with
        `adopt_existing`, 1 GET and at most 1 PATCH instead."""
        spec = group_spec_from_inputs(props)
        api = self._api()
        if bool(props.get(ADOPT_EXISTING)):
            try:
                live = MetricGroupRep.model_validate(
                    api.get_metric_group(spec.project_key, spec.key)
                )
                rep = self._bring_to(spec, live)
            except NotFoundError:
                rep = self._post(spec)
        else:
            rep = self._post(spec)
        return CreateResult(
            format_group_id(spec.project_key, spec.key), self._outputs(spec, rep, props)
        )

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """1 PATCH of only the changed paths; no request at all when nothing changed."""
        new_spec = group_spec_from_inputs(news)
        ops = group_patch_ops(group_spec_from_inputs(olds), new_spec)
        if not ops:
            return UpdateResult(carry_inputs(without_provider(olds), news, _NOT_SENT))
        rep = MetricGroupRep.model_validate(
            self._api().patch_metric_group(new_spec.project_key, new_spec.key, ops)
        )
        return UpdateResult(self._outputs(new_spec, rep, news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """1 DELETE. A group that is already gone counts as deleted."""
        project_key, key = parse_group_id(id_)
        try:
            self._api().delete_metric_group(project_key, key)
        except NotFoundError:
            log.info("metric group %s was already deleted", id_)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """1 GET, for refresh and `MetricGroup.get`: fresh outputs and inputs, so a refresh
        followed by a preview shows only real drift against the code."""
        project_key, key = parse_group_id(id_)
        try:
            rep = MetricGroupRep.model_validate(self._api().get_metric_group(project_key, key))
        except NotFoundError:
            return ReadResult(id_="", outs={})  # a blank id drops it; outs must be a dict
        unmanaged = props.get(UNMANAGED_FIELDS)
        manage_maintainer = isinstance(unmanaged, list) and "maintainer_id" not in unmanaged
        inputs = group_inputs_from_rep(rep, project_key, manage_maintainer=manage_maintainer)
        outs = group_outputs_from_rep(rep, project_key)
        outs[UNMANAGED_FIELDS] = [] if manage_maintainer else ["maintainer_id"]
        return ReadResult(
            id_=id_,
            outs=carry_inputs(outs, props, _NOT_SENT),
            inputs=carry_inputs(inputs, props, _NOT_SENT),
        )

    # -- helpers --------------------------------------------------------------------------

    def _post(self, spec: MetricGroupSpec) -> MetricGroupRep:
        maintainer = spec.maintainer_id or self._first_metric_maintainer(spec)
        body = group_post_body(spec.model_copy(update={"maintainer_id": maintainer}))
        try:
            return MetricGroupRep.model_validate(
                self._api().create_metric_group(spec.project_key, body)
            )
        except ConflictError as err:
            differs = f" (it differs in {', '.join(err.differences)})" if err.differences else ""
            raise MetricGroupExistsError(
                f"creating metric group {spec.project_key}/{spec.key}: a metric group with this"
                f" key already exists in LaunchDarkly{differs}. To manage it with Pulumi, set"
                " adopt_existing=True on this MetricGroup; otherwise choose another key."
            ) from err

    def _first_metric_maintainer(self, spec: MetricGroupSpec) -> str:
        """The maintainer of the group's first metric (see the module docstring)."""
        first = spec.metrics[0].key
        try:
            metric = MetricRep.model_validate(self._api().get_metric(spec.project_key, first))
        except NotFoundError as err:
            # Likely a metric of this very stack, named by its key, so nothing made the group
            # wait for it: say how to get the order (or the maintainer) right.
            raise MissingMaintainerError(
                f"creating metric group {spec.project_key}/{spec.key}: no maintainer_id is"
                f" declared and the first metric, {spec.project_key}/{first}, does not exist"
                " (yet) to borrow one from; declare maintainer_id, or pass the Metric resource"
                " instead of its key so the group is created after it"
            ) from err
        maintainer = metric.effective_maintainer_id
        if not isinstance(maintainer, str) or not maintainer:
            raise MissingMaintainerError(
                f"creating metric group {spec.project_key}/{spec.key}: LaunchDarkly requires a"
                f" maintainer and the first metric ({first}) has none to borrow; set"
                " maintainer_id to a member id (24 hex characters)"
            )
        return maintainer

    def _bring_to(self, spec: MetricGroupSpec, live: MetricGroupRep) -> MetricGroupRep:
        """Adopt an existing group: patch it to the declared state (0 or 1 request)."""
        ops = group_patch_ops(group_spec_from_rep(live, spec.project_key), spec)
        if not ops:
            return live
        return MetricGroupRep.model_validate(
            self._api().patch_metric_group(spec.project_key, spec.key, ops)
        )

    def _outputs(
        self, spec: MetricGroupSpec, rep: MetricGroupRep, props: Mapping[str, Any]
    ) -> dict[str, Any]:
        outs = group_outputs_from_rep(rep, spec.project_key)
        outs[UNMANAGED_FIELDS] = ["maintainer_id"] if spec.maintainer_id is None else []
        drift = group_changed_fields(group_spec_from_rep(rep, spec.project_key), spec)
        if drift:
            log.warning(
                "LaunchDarkly did not store %s of metric group %s/%s as sent",
                drift,
                spec.project_key,
                spec.key,
            )
        return carry_inputs(outs, props, _NOT_SENT)
