"""Every size and shape limit on user inputs, in one place, with the reason for each value.

LaunchDarkly publishes no length limits for metrics (the OpenAPI document declares no
`maxLength`, `maximum` or `maxItems` for `MetricPost`), so these are conservative choices: far
above any real value, and low enough that nothing we accept can fail later in a way `check`
could have caught.

- `MAX_KEY_LENGTH` = 256 characters, for `key` and `project_key`. Both go into every URL
  (`/api/v2/metrics/{project_key}/{key}`); a 70,000-character key was once created and could
  then never be read or deleted, because httpx refuses URLs over 65,536 characters and proxies
  commonly refuse request lines over 8 KiB. 256 keeps the longest URL near 600 bytes.
- `MAX_STRING_LENGTH` = 4,096 characters, for every other string (names, descriptions, event
  keys, selectors, URLs and patterns, trace queries, filter values, tags...). It bounds what one
  field adds to a request body and a state file, and is longer than any browser URL or CSS
  selector worth matching.
- `MAX_FILTER_DEPTH` = 10 levels of filters (a filter alone is 1, a group of filters 2). The
  LaunchDarkly UI builds a group of conditions; ten levels is far beyond that, and far below
  the depth where recursive code (pydantic's, ours, the Pulumi SDK's serializer) runs out of
  stack: 165 levels used to raise `RecursionError` inside `check`.
- Whole-number fields (`percentile_value`, window offsets) are int64, the OpenAPI format of the
  window offsets; Pulumi hands numbers over as floats, so `50.0` is the integer 50 and `50.5`
  is refused.
"""

from __future__ import annotations

import re
from typing import Final

MAX_KEY_LENGTH: Final = 256
MAX_STRING_LENGTH: Final = 4096
MAX_FILTER_DEPTH: Final = 10
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1

KEY_PATTERN: Final = re.compile(r"\A[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")
"""Keys and project keys (Terraform provider `keyPattern`). `\\Z`, not `$`: `$` also matches
before a trailing newline, which let `"signup\\n"` through. Anchored at both ends, `match` and
`fullmatch` agree, so no caller can get it wrong."""
KEY_RULE: Final = (
    "must start with a letter or digit and contain only letters, digits, '.', '_' or '-'"
)
"""What `KEY_PATTERN` means, as users read it."""

MAINTAINER_PATTERN: Final = re.compile(r"\A[a-fA-F0-9]{24}\Z")
"""Member ids are 24 hex characters."""
