"""The one pydantic configuration every metric model shares."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel


def camel_case_config(*, extra: Literal["forbid", "ignore"]) -> ConfigDict:
    """snake_case attributes, camelCase on the wire, either spelling accepted, immutable.
    `forbid` for what users write (an unknown key is a typo), `ignore` for what the API sends
    (a new field must not break a refresh)."""
    return ConfigDict(
        extra=extra,
        frozen=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )
