"""What every dynamic provider of this package shares: settings, a client, nothing pickled,
and the engine-facing steps that do not depend on what is managed (a metric or a group).

`MetricProvider` and `MetricGroupProvider` derive from `ConfiguredProvider`. Their own import
paths are the stable ones (dill pickles each instance by a reference to its class); this base
is found through them and may move.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, ResourceProvider
from pulumi.output import Unknown

from pulumi_ldmetrics import _constants, _host_errors, _logging
from pulumi_ldmetrics.models.rules import Violation, adopt_existing_violations, contains_unknown
from pulumi_ldmetrics.models.spec import ADOPT_EXISTING
from pulumi_ldmetrics.settings import ClientSettings

if TYPE_CHECKING:
    # Imported on first use instead: httpx is not needed at the import time of a provider
    # module, and neither a preview's check/diff nor the program ever sends a request.
    from pulumi_ldmetrics.client import LDMetricsClient

__all__ = [
    "CONFIG_KEYS",
    "PROVIDER_KEY",
    "UNMANAGED_FIELDS",
    "ConfiguredProvider",
    "carry_inputs",
    "check_inputs",
    "client_lock",
    "has_unknown",
    "is_unknown",
    "old_values",
    "without_provider",
]

PROVIDER_KEY = "__provider"
"""The pickled provider, which the SDK adds to every dynamic resource's inputs and outputs."""
UNMANAGED_FIELDS = "unmanaged_fields"
"""Output listing the server-chosen fields this resource does not manage (left undeclared).
`read` needs it because the engine hands `read` only the old outputs, never the old inputs."""

CONFIG_KEYS = (
    _constants.CONFIG_ACCESS_TOKEN,
    _constants.CONFIG_API_HOST,
    _constants.CONFIG_TIMEOUT,
    _constants.CONFIG_MAX_RETRIES,
    _constants.CONFIG_OPERATION_TIMEOUT,
)
"""The stack config keys a provider reads (the environment is the fallback, `settings.py`)."""

client_lock = threading.Lock()
"""Module-level, so it is never pickled: guards the lazy creation of per-process state."""


class ConfiguredProvider(ResourceProvider):
    """Settings resolved in `configure()` (stack config first, then `LAUNCHDARKLY_*`), one
    client built on first use, and a pickle that is a bare class reference, so it can never
    carry the token. `configure()` validates the settings, so a missing token or a malformed
    host fails the first engine call (a preview's `check`) instead of the first write."""

    # The pickle holds nothing secret (see __getstate__), so keeping `__provider` in plain text
    # costs nothing and keeps state small and `pulumi preview --diff` readable.
    serialize_as_secret_always = False

    _config: Mapping[str, str] | None = None
    _client: LDMetricsClient | None = None

    def __init__(self) -> None:
        super().__init__()

    def __getstate__(self) -> dict[str, Any]:
        # Never pickle the config (it holds the token) or the client (an SSLContext).
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve and validate the settings now; no request is made."""
        _logging.configure_from_env()
        _host_errors.install()  # our errors reach the user as one line, not a traceback
        values = {key: req.config.get(key) for key in CONFIG_KEYS}
        self._config = {key: str(value) for key, value in values.items() if value is not None}
        self._client = None
        self._forget_process_state()
        ClientSettings.resolve(self._config, os.environ)  # raises ConfigurationError

    def _forget_process_state(self) -> None:
        """Drop what a subclass built from the previous settings (called by `configure`)."""

    def _api(self) -> LDMetricsClient:
        from pulumi_ldmetrics.client import LDMetricsClient  # noqa: PLC0415 - see TYPE_CHECKING

        with client_lock:
            if self._client is None:
                self._client = LDMetricsClient(
                    ClientSettings.resolve(self._config or {}, os.environ)
                )
            return self._client


# -- engine-call steps both providers take --------------------------------------------------

SpecT_co = TypeVar("SpecT_co", covariant=True)


class Validator(Protocol[SpecT_co]):
    """`validate_spec` or `validate_group`: the spec (None unless everything parses) and every
    violation of raw snake_case inputs."""

    def __call__(
        self, data: Mapping[str, Any], *, is_unknown: Callable[[Any], bool] = ...
    ) -> tuple[SpecT_co | None, list[Violation]]: ...


def is_unknown(value: Any) -> bool:
    """Whether `value` is a value the engine does not know yet (a preview's pending output)."""
    return isinstance(value, Unknown)


def has_unknown(value: Any) -> bool:
    """Whether `value`, or anything nested in it, is unknown to the engine."""
    return contains_unknown(value, is_unknown)


def without_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    """`props` (inputs or outputs from the engine) without the pickled provider."""
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


def check_inputs(
    news: dict[str, Any],
    inputs: dict[str, Any],
    validate: Validator[SpecT_co],
    normalized_inputs: Callable[[SpecT_co], dict[str, Any]],
) -> CheckResult:
    """`check` of inputs that are a spec plus `adopt_existing`: every violation at once, each on
    its property (spelt the engine's way, `engine_path`), answered with `news`
    unchanged; or the normalized inputs, keeping the engine's unknowns and `adopt_existing`.

    `inputs` is `news` without the provider and whatever else the caller set aside (a caller
    puts back what it set aside itself); `adopt_existing` is taken out of it here.
    """
    adopt = inputs.pop(ADOPT_EXISTING, None)
    spec, violations = validate(inputs, is_unknown=is_unknown)
    violations += adopt_existing_violations(adopt, is_unknown=is_unknown)
    if spec is None or violations:
        failures = [CheckFailure(engine_path(v.path), v.message) for v in violations]
        return CheckResult(news, failures)
    checked = normalized_inputs(spec)
    for name, value in inputs.items():
        if has_unknown(value):
            checked[name] = value  # preview: keep the engine's unknown, don't guess
    if adopt is not None:
        checked[ADOPT_EXISTING] = adopt
    return CheckResult(checked, [])


def old_values(olds: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The old values of `names`, which `diff` compares in place of unknown new values."""
    return {name: olds[name] for name in names if name in olds}


def carry_inputs(
    values: dict[str, Any], source: Mapping[str, Any], names: Iterable[str]
) -> dict[str, Any]:
    """`values` with each of `names` that `source` sets copied over from it. For inputs that
    are not LaunchDarkly fields (`adopt_existing`, a read hint): no response gives them back,
    so create, update and read pass them on unchanged into outputs and inputs."""
    for name in names:
        if source.get(name) is not None:
            values[name] = source[name]
    return values


def engine_path(path: str) -> str:
    """`urls.0.pattern` as the engine's property paths spell it, `urls[0].pattern`: with the
    dotted form the engine cannot find the value it prints next to the message (`{<nil>}`)."""
    out = ""
    for segment in path.split("."):
        out += f"[{segment}]" if segment.isdigit() and out else (f".{segment}" if out else segment)
    return out
