"""`MetricProvider`: the Pulumi dynamic provider that maps a `Metric` onto LaunchDarkly's API.

`pulumi_ldmetrics.provider.MetricProvider` is a STABLE PATH: dill pickles the provider by
reference into every stack's state (`__provider`), so moving it breaks refresh and destroy of
existing stacks. If it ever moves, leave an alias here.

How the engine drives it (one provider process per deployment, 4 worker threads sharing this
one instance, `configure()` once per process after unpickling):
- `check` and `diff` are pure: validation and comparison, zero HTTP requests.
- `create` is 1 POST (its response is the read-back); `update` 1 PATCH, or nothing when the
  patch is empty; `delete` 1 DELETE (404 counts as done); `read` 1 GET (404 drops the
  resource), or, when a deployment reads many metrics of one project, a share of its listing.
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
    client_lock,
    has_unknown,
    old_values,
    without_provider,
)
from pulumi_ldmetrics.errors import ConflictError, LDMetricsError, NotFoundError
from pulumi_ldmetrics.ids import format_metric_id, parse_metric_id
from pulumi_ldmetrics.models import (
    ADOPT_EXISTING,
    COMPUTED_WHEN_OMITTED,
    REPLACE_ON_CHANGE,
    MetricRep,
    MetricSpec,
    changed_fields,
    inputs_from_rep,
    inputs_from_spec,
    normalize,
    outputs_from_rep,
    patch_ops,
    post_body,
    spec_from_inputs,
    spec_from_rep,
    validate_spec,
)
from pulumi_ldmetrics.read_batch import EXPECTED_READS, ReadBatcher, expected_reads

log = logging.getLogger(__name__)

# ADOPT_EXISTING is defined in models (validation needs it), PROVIDER_KEY and UNMANAGED_FIELDS
# in _provider_base (both providers use them); all three are re-exported from here.
__all__ = [
    "ADOPT_EXISTING",
    "PROVIDER_KEY",
    "UNMANAGED_FIELDS",
    "MetricExistsError",
    "MetricProvider",
]

_NOT_SENT = (ADOPT_EXISTING, EXPECTED_READS)
"""Inputs of a `Metric` that are not LaunchDarkly fields, carried from inputs to outputs and
through `read` unchanged: `adopt_existing` and the program's read hint."""


class MetricExistsError(LDMetricsError):
    """Raised when creating a metric whose key is already taken in LaunchDarkly."""


class MetricProvider(ConfiguredProvider):
    """Creates, reads, updates and deletes LaunchDarkly metrics.

    Settings are resolved in `configure()`, in the provider process, first match wins:
      1. stack config `ldmetrics:accessToken` (secret), `ldmetrics:apiHost`,
         `ldmetrics:timeoutSeconds`, `ldmetrics:maxRetries`;
      2. `LAUNCHDARKLY_ACCESS_TOKEN`, `LAUNCHDARKLY_API_HOST`, `LAUNCHDARKLY_TIMEOUT_SECONDS`,
         `LAUNCHDARKLY_MAX_RETRIES`.
    Nothing is stored at construction, so the pickle is a bare class reference and can never
    carry the token. `configure()` validates them, so a missing token or a malformed host is
    reported at preview (by the first `check`), before any API call.
    """

    _batcher: ReadBatcher | None = None

    def _forget_process_state(self) -> None:
        self._batcher = None

    # -- engine calls ---------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate against every rule and return normalized inputs. No HTTP request.

        Whatever `news` holds, the answer is inputs or failures, each naming its property, all
        at once; nothing the user wrote makes it raise (tests/provider/test_check_property.py).
        """
        inputs = without_provider(news)
        hint = expected_reads(inputs.pop(EXPECTED_READS, None))
        result = check_inputs(
            news,
            inputs,
            validate_spec,
            lambda spec: inputs_from_spec(normalize(spec)),
        )
        if hint is not None and not result.failures:
            result.inputs[EXPECTED_READS] = hint
        return result

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare normalized old outputs with checked new inputs. No HTTP request.

        Old values a newer API wrote, which the spec cannot represent, are compared as they are
        (`MetricSpec.unrecognized`): they show as a change, never as a crash."""
        unknown = sorted(
            k for k, v in news.items() if k in MetricSpec.model_fields and has_unknown(v)
        )
        known_news = {k: v for k, v in news.items() if k not in unknown}
        # An unknown field takes its old value for the comparison and counts as changed.
        old_spec = spec_from_inputs(olds)
        new_spec = spec_from_inputs({**old_values(olds, unknown), **known_news})
        changed = sorted(set(changed_fields(old_spec, new_spec)) | set(unknown))
        replaces = [name for name in changed if name in REPLACE_ON_CHANGE]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            # Keys are unique per project: the old metric must go before the new one comes.
            delete_before_replace=bool(replaces),
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """1 POST; with `adopt_existing`, 1 GET and at most 1 PATCH instead (or, if it finds no
        metric, 1 POST; should another writer create it meanwhile, that one is taken over)."""
        spec = spec_from_inputs(props)
        adopt = bool(props.get(ADOPT_EXISTING))
        api = self._api()
        if adopt:
            try:
                rep = self._bring_to(
                    spec, MetricRep.model_validate(api.get_metric(spec.project_key, spec.key))
                )
            except NotFoundError:
                rep = self._create_or_adopt(spec)
        else:
            try:
                rep = MetricRep.model_validate(api.create_metric(spec.project_key, post_body(spec)))
            except ConflictError as err:
                # After an ambiguous attempt the client has compared the existing metric with
                # this one: name what differs, so the user sees both are not the same metric.
                differs = (
                    f" (created by another writer while this create was retried; it differs in"
                    f" {', '.join(err.differences)})"
                    if err.differences
                    else ""
                )
                raise MetricExistsError(
                    f"creating metric {spec.project_key}/{spec.key}: a metric with this key "
                    f"already exists in LaunchDarkly{differs}. To manage it with Pulumi, set "
                    "adopt_existing=True on this Metric (or run `ldmetrics import`); if you "
                    "renamed this resource, keep its old name with the `aliases` resource "
                    "option instead; otherwise choose another key."
                ) from err
        self._reads().forget(spec.project_key, spec.key)
        return CreateResult(
            format_metric_id(spec.project_key, spec.key), self._outputs(spec, rep, props)
        )

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """1 PATCH of only the changed paths; no request at all when nothing changed."""
        old_spec, new_spec = spec_from_inputs(olds), spec_from_inputs(news)
        ops = patch_ops(old_spec, new_spec)
        if not ops:
            return UpdateResult(carry_inputs(without_provider(olds), news, _NOT_SENT))
        rep = MetricRep.model_validate(
            self._api().patch_metric(new_spec.project_key, new_spec.key, ops)
        )
        self._reads().forget(new_spec.project_key, new_spec.key)
        return UpdateResult(self._outputs(new_spec, rep, news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """1 DELETE. A metric that is already gone counts as deleted."""
        project_key, key = parse_metric_id(id_)
        self._reads().forget(project_key, key)
        try:
            self._api().delete_metric(project_key, key)
        except NotFoundError:
            log.info("metric %s was already deleted", id_)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """For refresh and `Metric.get`: 1 GET, or a share of the project's listing when this
        deployment reads many of its metrics (`read_batch`). Returns fresh outputs AND inputs,
        so a refresh followed by a preview shows only real drift against the code.

        Tolerant: a kind, enum value or nested field this version does not know is kept as the
        server sent it, in both, so the next preview shows it against the code."""
        project_key, key = parse_metric_id(id_)
        found = self._reads().read(project_key, key, expected_reads(props.get(EXPECTED_READS)))
        if found is None:
            return ReadResult(id_="", outs={})  # a blank id drops it; outs must be a dict
        rep = MetricRep.model_validate(found)
        unmanaged = props.get(UNMANAGED_FIELDS)
        managed = COMPUTED_WHEN_OMITTED - set(
            unmanaged if unmanaged is not None else COMPUTED_WHEN_OMITTED
        )
        inputs = carry_inputs(inputs_from_rep(rep, project_key, managed=managed), props, _NOT_SENT)
        outs = outputs_from_rep(rep, project_key, site_base_url=self._site_base_url())
        outs[UNMANAGED_FIELDS] = sorted(COMPUTED_WHEN_OMITTED - managed)
        return ReadResult(id_=id_, outs=carry_inputs(outs, props, _NOT_SENT), inputs=inputs)

    # -- helpers --------------------------------------------------------------------------

    def _create_or_adopt(self, spec: MetricSpec) -> MetricRep:
        """`adopt_existing` found no metric: create it; if another writer created it meanwhile
        (409), take that one over as asked (1 more GET, at most 1 PATCH) instead of failing."""
        api = self._api()
        try:
            return MetricRep.model_validate(api.create_metric(spec.project_key, post_body(spec)))
        except ConflictError:
            live = MetricRep.model_validate(api.get_metric(spec.project_key, spec.key))
            return self._bring_to(spec, live)

    def _bring_to(self, spec: MetricSpec, live: MetricRep) -> MetricRep:
        """Adopt an existing metric: patch it to the declared state (0 or 1 request)."""
        ops = patch_ops(spec_from_rep(live, spec.project_key), spec)
        if not ops:
            return live
        return MetricRep.model_validate(self._api().patch_metric(spec.project_key, spec.key, ops))

    def _outputs(
        self, spec: MetricSpec, rep: MetricRep, props: Mapping[str, Any]
    ) -> dict[str, Any]:
        outs = outputs_from_rep(rep, spec.project_key, site_base_url=self._site_base_url())
        outs[UNMANAGED_FIELDS] = sorted(
            f for f in COMPUTED_WHEN_OMITTED if getattr(spec, f) is None
        )
        drift = changed_fields(spec_from_rep(rep, spec.project_key), spec)
        if drift:
            # The API ignores fields it does not apply instead of failing (reference §1).
            log.warning(
                "LaunchDarkly did not store %s of metric %s/%s as sent",
                drift,
                spec.project_key,
                spec.key,
            )
        return carry_inputs(outs, props, _NOT_SENT)

    def _site_base_url(self) -> str:
        # Outputs are built only after an API call, so the client (and its settings) exist.
        return self._api().settings.api_host

    def _reads(self) -> ReadBatcher:
        """This deployment's reads (see `read_batch`): created with the client, never pickled."""
        with client_lock:
            if self._batcher is None:
                self._batcher = ReadBatcher(self._api)
            return self._batcher
