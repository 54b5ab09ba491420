"""Benchmark 3: cold start of the provider host, process start to the first completed Check.

The host is the real `python -m pulumi.dynamic`, driven over gRPC the way the engine drives it
(`tests/provider/engine_host.py`): GetPluginInfo, Configure, then Check of one metric. Plus an
import-time breakdown of `import pulumi_ldmetrics.provider` (`python -X importtime`).

`python -m benchmarks.cold_start [RUNS]`
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

from benchmarks.common import Section, main_for, median, new_token, table, verdict
from tests.provider.engine_host import HostProcess, host_env

TARGET_S = 0.5
RUNS = 7
SPEC = {
    "project_key": "web",
    "key": "signup",
    "name": "Signup",
    "kind": "custom",
    "event_key": "signup",
}


def one_start(token: str) -> dict[str, float]:
    from google.protobuf import empty_pb2  # type: ignore[import-untyped]

    t0 = time.perf_counter()
    host = HostProcess(host_env())  # returns once the host printed its port
    try:
        t_port = time.perf_counter()
        host.stub.GetPluginInfo(empty_pb2.Empty())
        t_info = time.perf_counter()
        host.configure(
            {"ldmetrics:accessToken": token, "ldmetrics:apiHost": "http://127.0.0.1:9"},
            secret_keys=("ldmetrics:accessToken",),
        )
        t_conf = time.perf_counter()
        _, failures = host.check("signup", {}, SPEC)
        t_check = time.perf_counter()
        assert not failures, failures
        t_check2 = time.perf_counter()
        host.check("signup2", {}, {**SPEC, "key": "signup2"})
        warm = time.perf_counter() - t_check2
    finally:
        host.close()
    return {
        "port printed": t_port - t0,
        "GetPluginInfo": t_info - t_port,
        "Configure": t_conf - t_info,
        "first Check": t_check - t_conf,
        "total": t_check - t0,
        "warm Check": warm,
    }


# What `python -m pulumi.dynamic` imports before it prints its port (its __main__ cannot be
# imported without starting a server).
HOST_IMPORTS = "dill, grpc, pulumi.runtime, pulumi.runtime.proto.provider_pb2_grpc, pulumi.dynamic"


def _importtime(module: str) -> list[tuple[float, float, int, str]]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        timeout=60,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            self_us, cum_us, indent, name = match.groups()
            rows.append((float(self_us), float(cum_us), len(indent), name))
    return rows


def import_breakdown(
    module: str, top: int = 10, runs: int = 5
) -> tuple[float, list[list[str]], list[list[str]]]:
    """`python -X importtime -c "import <module>"` (fastest of `runs`): total µs, then the self
    time summed per top-level package and the modules with the largest self time (rows)."""
    rows = min((_importtime(module) for _ in range(runs)), key=lambda rs: sum(r[0] for r in rs))
    total = sum(r[0] for r in rows)
    per_package: dict[str, float] = {}
    for own, _cum, _indent, name in rows:
        package = name.split(".")[0]
        per_package[package] = per_package.get(package, 0.0) + own
    packages = [
        [name, f"{own / 1000:.1f}", f"{own / total:.0%}"]
        for name, own in sorted(per_package.items(), key=lambda kv: -kv[1])[:top]
    ]
    modules = [
        [name, f"{own / 1000:.1f}", f"{cum / 1000:.1f}"]
        for own, cum, _indent, name in sorted(rows, key=lambda r: -r[0])[:top]
    ]
    return total, packages, modules


def run(runs: int = RUNS) -> Section:
    token = new_token()
    one_start(token)  # warm the page cache and .pyc files; not counted
    samples = [one_start(token) for _ in range(runs)]
    phases = list(samples[0])
    rows = [
        [
            phase,
            f"{median([s[phase] for s in samples]) * 1000:.0f}",
            f"{min(s[phase] for s in samples) * 1000:.0f}",
            f"{max(s[phase] for s in samples) * 1000:.0f}",
        ]
        for phase in phases
    ]
    total = median([s["total"] for s in samples])
    ok = total <= TARGET_S
    body = table(["phase", "median ms", "min ms", "max ms"], rows)
    body += (
        f"\n\nProcess start to first completed Check: **{total * 1000:.0f} ms** median of {runs} "
        f"(target ≤ {TARGET_S * 1000:.0f} ms): {verdict(ok)}. `first Check` includes "
        "unpickling `__provider`, which imports `pulumi_ldmetrics.provider` (pydantic models, "
        "httpx) on first use.\n"
    )
    for module in ("pulumi_ldmetrics.provider", HOST_IMPORTS):
        total_us, packages, modules = import_breakdown(module)
        command = f'`python -X importtime -c "import {module}"`'
        body += f"\n{command} (fastest of 5): {total_us / 1000:.0f} ms\n\n"
        body += table(["top-level package", "self ms (summed)", "share"], packages)
        body += "\n\n" + table(["module (largest self time)", "self ms", "cumulative ms"], modules)
        body += "\n"
    missed = [] if ok else [f"cold start {total * 1000:.0f} ms > {TARGET_S * 1000:.0f} ms"]
    return Section("3. Cold start of the provider host", body, missed)


if __name__ == "__main__":
    main_for(lambda: run(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS))
