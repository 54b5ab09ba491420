"""What `Metric` and `MetricGroup` share when they register with their dynamic provider.

Both are `pulumi.dynamic.Resource`s whose output-only properties must be present for the engine
to fill them in, and whose registration leaves the SDK's patch of `pickle` behind. The checks
before registering (arguments, the declarations gate) are each resource's own.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pulumi
from pulumi.dynamic import Resource, ResourceProvider

__all__ = ["read_only_options", "register"]


def register(
    resource: Resource,
    provider: ResourceProvider,
    resource_name: str,
    props: dict[str, Any],
    opts: pulumi.ResourceOptions | None,
    *,
    properties: Iterable[str],
) -> None:
    """Register `resource` (its `Resource.__init__`) with `provider`: every name of
    `properties` (the class's inputs and outputs) set in `props`, None where not declared, and
    the SDK's patch of `pickle` undone afterwards."""
    # Output-only properties must be present (as None) for the engine to fill them in.
    for name in properties:
        props.setdefault(name, None)
    with _undo_pickler_patch():
        Resource.__init__(resource, provider, resource_name, props, opts)


def read_only_options(opts: pulumi.ResourceOptions | None, id_: str) -> pulumi.ResourceOptions:
    """`opts` with the id of an existing resource: the engine reads it (the provider's `read`,
    given the resource's empty props as both inputs and state) instead of managing it."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id_))


@contextmanager
def _undo_pickler_patch() -> Iterator[None]:
    """Undo what the SDK's `serialize_provider` leaves behind in the `pickle` module.

    Each call wraps `pickle._Pickler._batch_setitems` in one more sorting closure and never
    restores it, so after about 950 dynamic resources in one program every pickle recurses too
    deep (RecursionError). Restoring the method after each resource keeps the depth at one.
    """
    saved = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    try:
        yield
    finally:
        pickle._Pickler._batch_setitems = saved  # type: ignore[attr-defined]
