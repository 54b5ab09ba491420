"""The one pydantic configuration every metric model shares."""

from __future__ import annotations

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel


def camel_case_config(*, strict: bool) -> ConfigDict:
    """snake_case attributes, camelCase on the wire, either spelling accepted, immutable.

    `strict` for what users write: an unknown key is a typo, `"yes"` is not a boolean nor
    `"100"` a number, and NaN or Infinity is no number LaunchDarkly can store. Not strict for
    what the API sends: unknown keys are ignored, so a new field never breaks a refresh."""
    return ConfigDict(
        extra="forbid" if strict else "ignore",
        strict=strict,
        allow_inf_nan=not strict,
        frozen=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )
