"""What LaunchDarkly returns for a metric (`MetricRep` / `MetricListingRep`), read leniently.

Unknown fields are ignored and enum-like fields are plain strings, so a newer API (a new kind,
a new aggregation) never breaks `pulumi refresh` or an import. Strictness belongs to the spec.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, Field

from pulumi_ldmetrics.models._wire import camel_case_config


class _Lenient(BaseModel):
    model_config = camel_case_config(extra="ignore")


class LinkRep(_Lenient):
    """A hypermedia link (`Link`)."""

    href: str | None = None
    type: str | None = None


class MaintainerRep(_Lenient):
    """The maintainer summary (`MemberSummary`); only the id matters here."""

    id: str | None = Field(default=None, alias="_id")


class MetricRep(_Lenient):
    """A metric as the API returns it. Only `key` and `kind` are needed to make sense of it."""

    id: str | None = Field(default=None, alias="_id")
    version: int | None = Field(default=None, alias="_version")
    version_id: str | None = Field(default=None, alias="_versionId")
    creation_date: int | None = Field(default=None, alias="_creationDate")
    links: dict[str, LinkRep] = Field(default_factory=dict, alias="_links")
    site: LinkRep | None = Field(default=None, alias="_site")
    maintainer: MaintainerRep | None = Field(default=None, alias="_maintainer")

    key: str
    kind: str
    name: str | None = None
    description: str | None = None
    selector: str | None = None
    urls: list[dict[str, Any]] | None = None
    is_numeric: bool | None = None
    unit: str | None = None
    event_key: str | None = None
    success_criteria: str | None = None
    tags: list[str] | None = None
    # GET mirrors both names whatever was written (TF readIntoModel); prefer the new one.
    analysis_units: list[str] | None = Field(
        default=None, validation_alias=AliasChoices("analysisUnits", "analysis_units")
    )
    randomization_units: list[str] | None = None
    maintainer_id: str | None = None
    unit_aggregation_type: str | None = None
    analysis_type: str | None = None
    percentile_value: int | None = None
    event_default: dict[str, Any] | None = None
    data_source: dict[str, Any] | None = None
    filters: dict[str, Any] | None = None
    window_start_offset: int | None = None
    window_end_offset: int | None = None
    winsor_lower_percentile: float | None = None
    winsor_upper_percentile: float | None = None
    winsor_include_imputed: bool | None = None
    trace_query: str | None = None
    trace_value_location: str | None = None
    unit_aggregation_field: str | None = None
    value_column: str | None = None
    denominator: dict[str, Any] | None = None
    archived: bool | None = None

    @property
    def effective_maintainer_id(self) -> str | None:
        """`maintainerId`, or the id in `_maintainer` (where the Terraform provider reads it)."""
        return self.maintainer_id or (self.maintainer.id if self.maintainer else None)

    @property
    def effective_analysis_units(self) -> list[str] | None:
        return self.analysis_units if self.analysis_units is not None else self.randomization_units
