"""Import metric events into LaunchDarkly: the library behind `ldmetrics events import`.

```python
from pulumi_ldmetrics.events import EventsClient, import_events, resolve_events_settings

api, events = resolve_events_settings({"ldmetrics:eventsHost": "eu"})
with EventsClient(events) as client:
    report = import_events("events.ndjson", "web", "production", client)
print(report.events_sent, report.retries)
```

Modules: `reader` (NDJSON/JSON/CSV rows), `validate` (one event's rules), `metrics` (which
keys metrics count), `plan` (a whole file judged), `batching` (bodies and payload ids),
`client` (sending with retries), `importer` (the two steps), `settings` (the events host),
`errors`, `constants`, `cli` (the subcommand).
"""

from pulumi_ldmetrics.events.client import EventsClient, SendResult
from pulumi_ldmetrics.events.errors import (
    EventsConnectionError,
    EventsInputError,
    EventsStatusError,
    InvalidEventsError,
    Problem,
)
from pulumi_ldmetrics.events.importer import (
    BatchLimits,
    ImportReport,
    import_events,
    plan_file,
    send_plan,
)
from pulumi_ldmetrics.events.metrics import MetricIndex, index_from_file, index_from_listing
from pulumi_ldmetrics.events.plan import ImportPlan
from pulumi_ldmetrics.events.settings import resolve_events_settings

__all__ = [
    "BatchLimits",
    "EventsClient",
    "EventsConnectionError",
    "EventsInputError",
    "EventsStatusError",
    "ImportPlan",
    "ImportReport",
    "InvalidEventsError",
    "MetricIndex",
    "Problem",
    "SendResult",
    "import_events",
    "index_from_file",
    "index_from_listing",
    "plan_file",
    "resolve_events_settings",
    "send_plan",
]
