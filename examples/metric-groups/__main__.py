"""Metric groups: a checkout funnel over three metrics declared in the same stack.

The funnel names its steps by passing the `Metric` resources themselves, so Pulumi creates the
metrics first and deletes the funnel first, and the funnel's maintainer is the first metric's
(LaunchDarkly requires one; no member lookup, so a service token works).

Config: `ldmetrics:projectKey` (default `default`), plus the provider settings
`ldmetrics:accessToken` (secret) and `ldmetrics:apiHost`.
"""

import pulumi

from pulumi_ldmetrics import Metric, MetricGroup

project_key = pulumi.Config("ldmetrics").get("projectKey") or "default"


def conversion(key: str, name: str) -> Metric:
    """A custom conversion metric: funnels take conversion metrics (occurrence), not numeric."""
    return Metric(key, project_key=project_key, key=key, name=name, kind="custom", event_key=key)


viewed_cart = conversion("viewed-cart", "Viewed cart")
started_checkout = conversion("started-checkout", "Started checkout")
completed_purchase = conversion("completed-purchase", "Completed purchase")

checkout_funnel = MetricGroup(
    "checkout-funnel",
    project_key=project_key,
    key="checkout-funnel",
    name="Checkout funnel",
    kind="funnel",
    description="From cart to purchase; each step counts only after the previous one.",
    tags=["checkout"],
    metrics=[
        {"key": viewed_cart, "name_in_group": "Viewed cart"},
        {"key": started_checkout, "name_in_group": "Started checkout"},
        {"key": completed_purchase, "name_in_group": "Completed purchase"},
    ],
)

pulumi.export(
    "checkout-funnel",
    {
        "id": checkout_funnel.id,
        "version": checkout_funnel.version,
        "steps": checkout_funnel.metrics,
    },
)
