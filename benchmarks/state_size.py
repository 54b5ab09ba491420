"""Benchmark 4: state size, bytes per metric in `pulumi stack export` and the `__provider` length.

`python -m benchmarks.state_size [N]`
"""

from __future__ import annotations

import json
import sys

from benchmarks.common import (
    Section,
    TimedEmulator,
    bench_stack,
    main_for,
    median,
    new_token,
    running_emulator,
    table,
)


def run(n: int = 100) -> Section:
    token = new_token()
    emulator = TimedEmulator(token=token)
    with (
        running_emulator(emulator) as server,
        bench_stack("state", n=n, token=token, api_host=server.url) as bench,
    ):
        bench.cmd(bench.stack.preview)
        empty = len(bench.export_text().encode())
        bench.cmd(bench.stack.up)
        text = bench.export_text()
        bench.cmd(bench.stack.destroy)
    export = json.loads(text)
    total = len(text.encode())
    metrics = [r for r in export["deployment"]["resources"] if r["type"].endswith(":Metric")]

    def size(value: object) -> int:
        return len(json.dumps(value, separators=(",", ":")).encode())

    per_resource = [size(r) for r in metrics]
    traces = [size(r.get("stackTrace", [])) + size(r.get("sourcePosition", "")) for r in metrics]
    provider_lengths = sorted(
        {len(r[part].get("__provider", "")) for r in metrics for part in ("inputs", "outputs")}
    )
    provider_total = sum(
        len(r[part].get("__provider", "")) for r in metrics for part in ("inputs", "outputs")
    )
    rows = [
        [f"`pulumi stack export` with {n} metrics (bytes as printed)", f"{total:,}"],
        ["same, compact JSON", f"{size(export):,}"],
        ["export of the stack before the first `up`", f"{empty:,}"],
        [f"**bytes per metric**: (export - before) / {n}", f"{(total - empty) / n:,.0f}"],
        ["one Metric resource, compact JSON (median)", f"{median(per_resource):,.0f}"],
        ["... of which `stackTrace` + `sourcePosition`", f"{median(traces):,.0f}"],
        [
            "**`__provider` length** (chars, inputs and outputs)",
            ", ".join(map(str, provider_lengths)),
        ],
        ["`__provider` share of the export", f"{provider_total / total:.1%}"],
    ]
    body = table(["measure", "value"], rows)
    body += (
        "\n\nNo target is set for state size. `__provider` is the dill pickle of "
        "`MetricProvider` by reference (base64), stored in both inputs and outputs of every "
        "metric; it carries no config and no token (see 9)."
    )
    return Section("4. State size", body)


if __name__ == "__main__":
    main_for(lambda: run(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
