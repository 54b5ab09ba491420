"""Pulumi resource IDs of metrics: ``<project key>/<metric key>``, as the Terraform provider's."""

from __future__ import annotations

__all__ = ["format_metric_id", "parse_metric_id"]


def format_metric_id(project_key: str, key: str) -> str:
    """``project/key``; both parts must be non-empty and free of ``/``."""
    for part, name in ((project_key, "project key"), (key, "metric key")):
        if not part or "/" in part:
            raise ValueError(f"{name} must be non-empty and contain no '/', got {part!r}")
    return f"{project_key}/{key}"


def parse_metric_id(metric_id: str) -> tuple[str, str]:
    """Split ``project/key`` into ``(project, key)``, as ``pulumi import`` IDs are written.

    Exactly one ``/`` and both sides non-empty, like the Terraform provider's
    ``metricIdToKeys``; anything else is a ``ValueError`` that shows the expected form.
    """
    project_key, sep, key = metric_id.partition("/")
    if not sep or not project_key or not key or "/" in key:
        raise ValueError(
            f"invalid metric id {metric_id!r}: expected '<project key>/<metric key>',"
            " e.g. 'default/signup-rate'"
        )
    return project_key, key
