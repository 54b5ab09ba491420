"""What LaunchDarkly returns for a metric group (`MetricGroupRep`), read leniently.

Server fields are typed and read as None when of another type; the writable fields are kept
exactly as sent in `document` for `group_convert.spec_from_group_rep`. Both shapes of the
maintainer are understood: `{key, kind, _member, _team}` (v23 and later, what the live API sends
per the Terraform provider) and `{member, team}` (v22 and the older production spec).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field

from pulumi_ldmetrics.models.response import OrNone, _KeepsDocument


class MetricGroupRep(_KeepsDocument):
    """A metric group as the API returns it. Only `key` is needed to make sense of it."""

    key: str
    id: Annotated[str | None, OrNone] = Field(default=None, alias="_id")
    version: Annotated[int | None, OrNone] = Field(default=None, alias="_version")
    creation_date: Annotated[int | None, OrNone] = Field(default=None, alias="_creationDate")
    last_modified: Annotated[int | None, OrNone] = Field(default=None, alias="_lastModified")

    @property
    def maintainer_id(self) -> str | None:
        """The maintainer's member id, where the Terraform provider reads it (`_member._id`,
        then `key`), or the old shape's `member._id`. None for a team or nothing."""
        maintainer = self._document.get("maintainer")
        if not isinstance(maintainer, Mapping):
            return None
        for nested in ("_member", "member"):
            member = maintainer.get(nested)
            if isinstance(member, Mapping) and isinstance(member.get("_id"), str):
                return str(member["_id"])
        if maintainer.get("kind") in (None, "member") and isinstance(maintainer.get("key"), str):
            return str(maintainer["key"])
        return None
