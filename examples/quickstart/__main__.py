"""Quickstart: the four everyday metric shapes.

Config: `ldmetrics:projectKey` (default `default`), plus the provider settings
`ldmetrics:accessToken` (secret) and `ldmetrics:apiHost`.
"""

import pulumi

from pulumi_ldmetrics import Metric

project_key = pulumi.Config("ldmetrics").get("projectKey") or "default"

signup = Metric(
    "signup-completed",
    project_key=project_key,
    key="signup-completed",
    name="Signup completed",
    description="A visitor finished the signup form (conversion).",
    kind="custom",
    event_key="signup-completed",
    tags=["growth", "quickstart"],
)

checkout_latency = Metric(
    "checkout-latency",
    project_key=project_key,
    key="checkout-latency",
    name="Checkout latency",
    kind="custom",
    event_key="checkout-latency-ms",
    is_numeric=True,
    unit="ms",
    success_criteria="LowerThanBaseline",
    tags=["performance", "quickstart"],
)

pricing_views = Metric(
    "pricing-page-viewed",
    project_key=project_key,
    key="pricing-page-viewed",
    name="Pricing page viewed",
    kind="pageview",
    urls=[
        {"kind": "substring", "substring": "/pricing"},
        {"kind": "regex", "pattern": r"^https://example\.com/plans/.*$"},
    ],
)

buy_clicks = Metric(
    "buy-button-clicked",
    project_key=project_key,
    key="buy-button-clicked",
    name="Buy button clicked",
    kind="click",
    selector="button.buy-now",
    urls=[{"kind": "exact", "url": "https://example.com/checkout"}],
)

for metric in (signup, checkout_latency, pricing_views, buy_clicks):
    pulumi.export(
        metric._name, {"id": metric.id, "version": metric.version, "url": metric.site_url}
    )
