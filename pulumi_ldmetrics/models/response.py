"""What LaunchDarkly returns for a metric (`MetricRep` / `MetricListingRep`), read leniently.

Only the server-computed (`_`-prefixed) fields are typed here, and a value of the wrong type in
one of them becomes None instead of failing. The writable fields are kept exactly as sent in
`document`: `convert.spec_from_rep` reads them against `MetricSpec` (the one list of fields),
and whatever the spec cannot represent (a new kind, a new aggregation, a new nested field) is
carried through rather than raised. So a newer API never breaks `pulumi refresh` or an import.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from pulumi_ldmetrics.models._wire import camel_case_config


def _none_if_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


OrNone = WrapValidator(_none_if_invalid)
"""A field that reads as None when the server sends something of another type."""


class _Lenient(BaseModel):
    model_config = camel_case_config(strict=False)


class _KeepsDocument(_Lenient):
    """A lenient representation that also keeps the JSON object it was read from, untouched,
    as `document`: the writable fields are read from there, not from typed attributes."""

    _document: Mapping[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_document(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        rep = handler(data)
        if isinstance(data, Mapping) and isinstance(rep, _KeepsDocument):
            rep._document = dict(data)
        return rep

    @property
    def document(self) -> Mapping[str, Any]:
        """The JSON object exactly as the API sent it (camelCase keys)."""
        return MappingProxyType(dict(self._document))


class LinkRep(_Lenient):
    """A hypermedia link (`Link`)."""

    href: Annotated[str | None, OrNone] = None
    type: Annotated[str | None, OrNone] = None


class MaintainerRep(_Lenient):
    """The maintainer summary (`MemberSummary`); only the id matters here."""

    id: Annotated[str | None, OrNone] = Field(default=None, alias="_id")


class MetricRep(_KeepsDocument):
    """A metric as the API returns it. Only `key` is needed to make sense of it."""

    key: str
    kind: Annotated[str | None, OrNone] = None
    """As sent, when it is a string; `convert.spec_from_rep` reads the kind from `document`."""
    id: Annotated[str | None, OrNone] = Field(default=None, alias="_id")
    version: Annotated[int | None, OrNone] = Field(default=None, alias="_version")
    version_id: Annotated[str | None, OrNone] = Field(default=None, alias="_versionId")
    creation_date: Annotated[int | None, OrNone] = Field(default=None, alias="_creationDate")
    site: Annotated[LinkRep | None, OrNone] = Field(default=None, alias="_site")
    maintainer: Annotated[MaintainerRep | None, OrNone] = Field(default=None, alias="_maintainer")

    @property
    def effective_maintainer_id(self) -> Any:
        """`maintainerId`, or the id in `_maintainer` (where the Terraform provider reads it)."""
        return self._document.get("maintainerId") or (
            self.maintainer.id if self.maintainer else None
        )

    @property
    def effective_analysis_units(self) -> Any:
        """`analysisUnits`, or the deprecated `randomizationUnits`: GET mirrors both names
        whatever was written (Terraform's readIntoModel), so the new one wins."""
        units = self._document.get("analysisUnits")
        return units if units is not None else self._document.get("randomizationUnits")
