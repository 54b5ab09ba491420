"""Benchmark 5: peak RSS of the provider host (`python -m pulumi.dynamic`) during `pulumi up`
of 200 metrics (create, then a change of every metric), polled from /proc/<pid>/status VmHWM.

`python -m benchmarks.memory [N]`
"""

from __future__ import annotations

import sys

from benchmarks.common import (
    RssPoller,
    Section,
    TimedEmulator,
    bench_stack,
    main_for,
    new_token,
    running_emulator,
    table,
)


def run(n: int = 200) -> Section:
    token = new_token()
    emulator = TimedEmulator(token=token)
    rows = []
    with (
        running_emulator(emulator) as server,
        bench_stack("memory", n=n, token=token, api_host=server.url) as bench,
    ):
        for label, variant in (("create", "v1"), ("change all", "v2"), ("destroy", None)):
            bench.set_config("bench:variant", variant or "v2")
            command = bench.stack.destroy if variant is None else bench.stack.up
            with RssPoller(bench.marker) as poller:
                seconds, _ = bench.cmd(command)
            peaks = sorted(poller.peak_kib.items(), key=lambda kv: poller.seen_at[kv[0]])
            rows.append(
                [
                    f"`{'destroy' if variant is None else 'up'}` ({label})",
                    len(peaks),
                    " / ".join(f"{kib / 1024:.1f}" for _, kib in peaks) or "not seen",
                    f"{max((kib for _, kib in peaks), default=0) / 1024:.1f}",
                    f"{seconds:.1f}",
                ]
            )
    body = table(
        [
            f"command (N={n})",
            "provider hosts seen",
            "peak RSS per host, MiB (in start order)",
            "max MiB",
            "wall s",
        ],
        rows,
    )
    body += (
        "\n\nNo target is set. `pulumi up` starts two provider hosts (one for its preview, one "
        "for the update); VmHWM is read every 50 ms while each is alive, so a host that "
        "lives less than 50 ms could be missed."
    )
    return Section("5. Peak RSS of the provider host", body)


if __name__ == "__main__":
    main_for(lambda: run(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
