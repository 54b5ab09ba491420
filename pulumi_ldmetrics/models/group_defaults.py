"""What "omitted" means for a metric group, and normalization against it.

`normalize_group(spec)` returns the canonical form: two specs LaunchDarkly would store the same
way normalize to equal values, so "omitted" and "set to the default" never show as a diff.

- `description`: `""` is the same as absent (the Terraform provider omits an empty one from the
  create body and reads `""` back as null).
- `tags`: a set; none is `[]` (Terraform sends `[]` when unset; the field is required).
- `metrics[].name_in_group`: `""` is the same as absent (Terraform sends `""` for standard
  groups and reads an empty step name back as null).
- `maintainer_id`: not managed when omitted (`GROUP_COMPUTED_WHEN_OMITTED`).
- `metrics` keep their order: it is the funnel's step order, and the API echoes it.
"""

from __future__ import annotations

from pulumi_ldmetrics.models.group_spec import MetricGroupSpec, MetricInGroup


def normalize_group(spec: MetricGroupSpec) -> MetricGroupSpec:
    """The canonical form of `spec`: empty strings as absent, tags sorted and unique."""
    return spec.model_copy(
        update={
            "description": spec.description or None,
            "tags": sorted(set(spec.tags or [])),
            "metrics": [
                MetricInGroup.model_construct(key=m.key, name_in_group=m.name_in_group or None)
                for m in spec.metrics
            ],
        }
    )
