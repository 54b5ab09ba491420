"""A local LaunchDarkly metrics API emulator for tests, demos and offline development.

```python
from pulumi_ldmetrics.emulator import Emulator, EmulatorServer

with EmulatorServer(Emulator(token="t")) as server:
    httpx.get(f"{server.url}/api/v2/metrics/proj", headers={"Authorization": "t"})
```

Modules: `defaults` (the server-default table), `validation` (wire rules), `store`
(memory/SQLite), `faults` (rate limits and injected faults), `patching` (JSON Patch),
`listing` (list filters/pagination), `representation` (MetricRep rendering), `app`
(`Emulator`, routing, WSGI), `control` (`/_emulator/*`), `server` (threaded socket server),
`__main__` (CLI).
"""

from pulumi_ldmetrics.emulator.app import DroppedConnection, Emulator
from pulumi_ldmetrics.emulator.defaults import DEFAULTS, apply_defaults, member_id_for_token
from pulumi_ldmetrics.emulator.faults import FaultConfig, ScriptedFault
from pulumi_ldmetrics.emulator.responses import Response
from pulumi_ldmetrics.emulator.server import EmulatorServer

__all__ = [
    "DEFAULTS",
    "DroppedConnection",
    "Emulator",
    "EmulatorServer",
    "FaultConfig",
    "Response",
    "ScriptedFault",
    "apply_defaults",
    "member_id_for_token",
]
