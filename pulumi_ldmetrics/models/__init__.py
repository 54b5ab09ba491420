"""Metric models: the declared spec, its rules and defaults, the API's representation, and
the pure converters between them."""

from pulumi_ldmetrics.models.convert import (
    OUTPUT_ONLY_FIELDS,
    changed_fields,
    inputs_from_rep,
    inputs_from_spec,
    json_diff,
    outputs_from_rep,
    patch_ops,
    post_body,
    spec_from_inputs,
    spec_from_rep,
    wire_document,
)
from pulumi_ldmetrics.models.defaults import normalize
from pulumi_ldmetrics.models.response import MetricRep
from pulumi_ldmetrics.models.rules import (
    Violation,
    adopt_existing_violations,
    cross_field_violations,
    validate_spec,
)
from pulumi_ldmetrics.models.spec import (
    ADOPT_EXISTING,
    COMPUTED_WHEN_OMITTED,
    REPLACE_ON_CHANGE,
    SPEC_FIELDS,
    DataSource,
    Denominator,
    EventDefault,
    EventFilter,
    MetricSpec,
    UrlMatcher,
)

__all__ = [
    "ADOPT_EXISTING",
    "COMPUTED_WHEN_OMITTED",
    "OUTPUT_ONLY_FIELDS",
    "REPLACE_ON_CHANGE",
    "SPEC_FIELDS",
    "DataSource",
    "Denominator",
    "EventDefault",
    "EventFilter",
    "MetricRep",
    "MetricSpec",
    "UrlMatcher",
    "Violation",
    "adopt_existing_violations",
    "changed_fields",
    "cross_field_violations",
    "inputs_from_rep",
    "inputs_from_spec",
    "json_diff",
    "normalize",
    "outputs_from_rep",
    "patch_ops",
    "post_body",
    "spec_from_inputs",
    "spec_from_rep",
    "validate_spec",
    "wire_document",
]
