"""`python -m pulumi_ldmetrics.emulator` / `ldmetrics-emulator`: run the emulator until signalled.

Prints exactly one line, `LaunchDarkly emulator listening on http://127.0.0.1:PORT`, once the
socket is bound, so scripts and tests can wait for it; then serves until SIGTERM or SIGINT.
The control endpoint `/_emulator/*` takes `--control-token`, else `--token`; with neither,
a random control token is printed on stderr. With `--tls` the URL is https and the path of
the generated self-signed certificate is printed on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sqlite3
import ssl
import sys
import tempfile
import threading
from types import FrameType

from pulumi_ldmetrics.emulator import tlscert
from pulumi_ldmetrics.emulator.app import Emulator
from pulumi_ldmetrics.emulator.events_server import EventsServer
from pulumi_ldmetrics.emulator.faults import FaultConfig
from pulumi_ldmetrics.emulator.server import EmulatorServer
from pulumi_ldmetrics.emulator.store import StoreInUseError

TOKEN_ENV = "LDMETRICS_EMULATOR_TOKEN"
CONTROL_TOKEN_ENV = "LDMETRICS_EMULATOR_CONTROL_TOKEN"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ldmetrics-emulator",
        description="Local LaunchDarkly metrics API emulator (listens on 127.0.0.1 only).",
    )
    p.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    p.add_argument(
        "--token",
        default=os.environ.get(TOKEN_ENV),
        help=f"required Authorization value (raw token, no 'Bearer'); default ${TOKEN_ENV}, "
        "which keeps it out of the process list",
    )
    p.add_argument("--reader-token", help="an extra token that may only read")
    p.add_argument(
        "--control-token",
        default=os.environ.get(CONTROL_TOKEN_ENV),
        help=f"Authorization value /_emulator/* requires; default ${CONTROL_TOKEN_ENV}, else "
        "--token, else a random one printed on stderr",
    )
    p.add_argument(
        "--events-port",
        type=int,
        help="also serve the events host (metric event imports) on this port, 0 picks a free "
        "one; its URL is printed on stderr",
    )
    p.add_argument("--db", help="SQLite file to keep metrics and metric groups in across restarts")
    p.add_argument("--projects", help="comma-separated project keys; others get 404")
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--rate-limited-rate", type=float, default=0.0, help="fraction answered 429")
    p.add_argument("--drop-rate", type=float, default=0.0)
    p.add_argument("--lost-response-rate", type=float, default=0.0)
    p.add_argument("--global-limit", type=int, help="requests per window, all routes")
    p.add_argument("--route-limit", type=int, help="requests per window, per route")
    p.add_argument("--limit-window-seconds", type=float, default=10.0)
    p.add_argument("--error-status", type=int, default=503, help="status for --error-rate")
    p.add_argument(
        "--rate-limit-headers",
        choices=("both", "reset", "retry-after"),
        default="both",
        help="429 headers: X-Ratelimit-Reset and Retry-After, or only one of them",
    )
    p.add_argument("--duplicate-status", type=int, choices=(409, 400), default=409)
    p.add_argument("--seed", type=int, help="seed for random faults")
    p.add_argument(
        "--tls",
        action="store_true",
        help="serve https with a freshly generated self-signed certificate (its path is "
        "printed on stderr; needs the 'cryptography' package)",
    )
    p.add_argument(
        "--tls-dir",
        help="where --tls writes emulator-cert.pem and emulator-key.pem (default: a new "
        "temporary directory)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the emulator CLI; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        faults = FaultConfig(
            error_rate=args.error_rate,
            rate_limited_rate=args.rate_limited_rate,
            error_status=args.error_status,
            rate_limit_headers=args.rate_limit_headers,
            drop_rate=args.drop_rate,
            lost_response_rate=args.lost_response_rate,
            latency_ms=args.latency_ms,
            global_limit=args.global_limit,
            route_limit=args.route_limit,
            limit_window_seconds=args.limit_window_seconds,
            seed=args.seed,
        )
        faults.validate()
    except ValueError as err:
        print(f"ldmetrics-emulator: {err}", file=sys.stderr)
        return 2
    projects = [p for p in args.projects.split(",") if p] if args.projects else None
    try:
        emulator = Emulator(
            token=args.token,
            reader_token=args.reader_token,
            projects=projects,
            db_path=args.db,
            faults=faults,
            duplicate_status=args.duplicate_status,
            control_token=args.control_token,
        )
    except (StoreInUseError, sqlite3.Error) as err:
        print(f"ldmetrics-emulator: cannot open --db: {err}", file=sys.stderr)
        return 1
    if not args.control_token and not args.token:
        # Nobody chose it, so it must be told; stderr keeps stdout to its one line.
        print(f"ldmetrics-emulator: control token {emulator.control_token}", file=sys.stderr)
    tls: ssl.SSLContext | None = None
    if args.tls:
        try:
            cert = tlscert.generate(args.tls_dir or tempfile.mkdtemp(prefix="ldmetrics-tls-"))
        except (tlscert.TlsUnavailableError, OSError) as err:
            print(f"ldmetrics-emulator: {err}", file=sys.stderr)
            emulator.close()
            return 2
        tls = cert.server_context()
        # Clients must be told to trust it: SSL_CERT_FILE for Go tools, verify= for httpx.
        print(f"ldmetrics-emulator: TLS certificate {cert.cert}", file=sys.stderr, flush=True)
    stop = threading.Event()

    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with contextlib.ExitStack() as servers:
            server = servers.enter_context(EmulatorServer(emulator, port=args.port, tls=tls))
            if args.events_port is not None:
                # stderr: stdout keeps its one line, which scripts wait for.
                events = servers.enter_context(EventsServer(emulator, port=args.events_port))
                print(f"ldmetrics-emulator: events host {events.url}", file=sys.stderr, flush=True)
            print(f"LaunchDarkly emulator listening on {server.url}", flush=True)
            while not stop.wait(0.5):
                pass
    except OSError as err:
        print(f"ldmetrics-emulator: {err}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        emulator.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
