"""Every tunable default of the client and provider, on one screen."""

from typing import Final

DEFAULT_API_HOST: Final = "https://app.launchdarkly.com"
"""Commercial instance. EU: https://app.eu.launchdarkly.com; federal: https://app.launchdarkly.us."""

API_VERSION: Final = "20240415"
"""Sent as `LD-API-Version`; tokens that predate versioning would otherwise get 20160426."""

USER_AGENT_PRODUCT: Final = "Metrics-Pulumi-int"
"""Partner form `{launchdarkly product}-{source product}-int/{version}`."""

DEFAULT_TIMEOUT_SECONDS: Final = 30.0
"""One HTTP attempt in total: connect, TLS, sending the body and reading the whole response."""
DEFAULT_MAX_RETRIES: Final = 8
INITIAL_RETRY_DELAY_SECONDS: Final = 0.25
MAX_RETRY_DELAY_SECONDS: Final = 30.0
LIST_PAGE_LIMIT: Final = 50
"""The API's maximum page size; larger values get a 400."""

# Where settings come from: stack config first, then the environment (Terraform provider's names).
CONFIG_ACCESS_TOKEN: Final = "ldmetrics:accessToken"
CONFIG_API_HOST: Final = "ldmetrics:apiHost"
CONFIG_TIMEOUT: Final = "ldmetrics:timeoutSeconds"
CONFIG_MAX_RETRIES: Final = "ldmetrics:maxRetries"
ENV_ACCESS_TOKEN: Final = "LAUNCHDARKLY_ACCESS_TOKEN"
ENV_API_HOST: Final = "LAUNCHDARKLY_API_HOST"
ENV_TIMEOUT: Final = "LAUNCHDARKLY_TIMEOUT_SECONDS"
ENV_MAX_RETRIES: Final = "LAUNCHDARKLY_MAX_RETRIES"
MIN_RETRY_DELAY_SECONDS: Final = 0.1
"""Floor for header-derived waits: a reset that is now, or already past, still waits a moment."""
RATE_LIMIT_JITTER: Final = 0.1
"""Up to this fraction is added to a header-derived wait, so shared-limit callers don't stampede."""
CONFIG_OPERATION_TIMEOUT: Final = "ldmetrics:operationTimeoutSeconds"
ENV_OPERATION_TIMEOUT: Final = "LAUNCHDARKLY_OPERATION_TIMEOUT_SECONDS"
DEFAULT_OPERATION_TIMEOUT_SECONDS: Final = 300.0
"""One operation, retries and rate-limit waits included: long enough for 8 retries at the 30 s
backoff cap to mostly happen, short enough that a stuck `pulumi up` step ends in minutes."""
MAX_RESPONSE_BYTES: Final = 8 * 1024 * 1024
"""A metric is a few KB and a listing page of 50 a few hundred: anything near 8 MiB is not
LaunchDarkly answering, and is refused rather than read into memory."""
CONNECT_RETRIES: Final = 2
"""Retries after a refused connection or a failed name lookup (about a second in all): the
cause is nearly always the host setting, which waiting does not fix."""
