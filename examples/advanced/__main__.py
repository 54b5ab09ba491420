"""Advanced: percentile analysis, analysis units, filters, tags, winsorization, and an EU host.

The EU instance is one setting away: `pulumi config set ldmetrics:apiHost
https://app.eu.launchdarkly.com` (the tests point the same setting at the local emulator).
"""

import pulumi

from pulumi_ldmetrics import Metric

config = pulumi.Config("ldmetrics")
project_key = config.get("projectKey") or "default"

# p95 page load, analysed per device and organization, only for EU users on the web app.
Metric(
    "page-load-p95",
    project_key=project_key,
    key="page-load-p95",
    name="Page load p95",
    kind="custom",
    event_key="page-load-ms",
    is_numeric=True,
    unit="ms",
    success_criteria="LowerThanBaseline",
    analysis_type="percentile",
    percentile_value=95,
    analysis_units=["device", "organization"],
    filters={
        "type": "group",
        "op": "and",
        "negate": False,
        "values": [
            {
                "type": "contextAttribute",
                "context_kind": "user",
                "attribute": "region",
                "op": "in",
                "values": ["eu-west", "eu-central"],
                "negate": False,
            },
            {
                "type": "eventProperty",
                "attribute": "app",
                "op": "in",
                "values": ["web"],
                "negate": False,
            },
        ],
    },
    tags=["performance", "eu"],
)

# Revenue per user, summed, with outliers trimmed at the 1st and 99th percentiles.
Metric(
    "revenue-per-user",
    project_key=project_key,
    key="revenue-per-user",
    name="Revenue per user",
    kind="custom",
    event_key="order-completed",
    is_numeric=True,
    unit="EUR",
    unit_aggregation_type="sum",
    winsor_lower_percentile=1,
    winsor_upper_percentile=99,
    winsor_include_imputed=False,
    tags=["revenue", "eu"],
)

# Distinct sessions that searched.
Metric(
    "searching-sessions",
    project_key=project_key,
    key="searching-sessions",
    name="Sessions with a search",
    kind="custom",
    event_key="search-performed",
    unit_aggregation_type="count_distinct",
    unit_aggregation_field="session_id",
    tags=["engagement"],
)
