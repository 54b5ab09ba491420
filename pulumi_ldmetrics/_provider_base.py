"""What every dynamic provider of this package shares: settings, a client, nothing pickled.

`MetricProvider` and `MetricGroupProvider` derive from `ConfiguredProvider`. Their own import
paths are the stable ones (dill pickles each instance by a reference to its class); this base
is found through them and may move.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from pulumi_ldmetrics import _constants, _host_errors, _logging
from pulumi_ldmetrics.settings import ClientSettings

if TYPE_CHECKING:
    # Imported on first use instead: httpx is not needed at the import time of a provider
    # module, and neither a preview's check/diff nor the program ever sends a request.
    from pulumi_ldmetrics.client import LDMetricsClient

__all__ = ["CONFIG_KEYS", "ConfiguredProvider", "client_lock"]

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
