"""`ldmetrics events import`: send metric events from a file to one LaunchDarkly environment.

    ldmetrics events import --project KEY --environment KEY FILE
        [--format ndjson|json|csv] [--metrics-file PATH | --no-metrics-check]
        [--skip-invalid] [--dry-run] [--events-host URL|commercial|eu|federal]
        [--api-host URL] [--token-env NAME] [--max-retries N] [--batch-size N]
        [--max-batch-bytes N] [--max-age-days D] [--progress/--no-progress]

Output: warnings and the bad rows on stderr, the summary on stdout. Exit codes as for
`ldmetrics import`: 0 done, 1 invalid rows (nothing sent), an API, network, configuration or
file error, 2 bad usage, 130 interrupted (the message says how many events were accepted).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pulumi_ldmetrics._constants import (
    CONFIG_ACCESS_TOKEN,
    CONFIG_API_HOST,
    CONFIG_MAX_RETRIES,
    ENV_ACCESS_TOKEN,
)
from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.errors import ConfigurationError, ForbiddenError, UnauthorizedError
from pulumi_ldmetrics.events.client import EventsClient
from pulumi_ldmetrics.events.constants import (
    CONFIG_EVENTS_HOST,
    DEFAULT_BATCH_EVENTS,
    DEFAULT_MAX_AGE_DAYS,
    ENV_EVENTS_HOST,
    MAX_BODY_BYTES,
)
from pulumi_ldmetrics.events.errors import EventsInputError
from pulumi_ldmetrics.events.importer import BatchLimits, ImportReport, plan_file, send_plan
from pulumi_ldmetrics.events.metrics import MetricIndex, index_from_file, index_from_listing
from pulumi_ldmetrics.events.reader import FORMATS
from pulumi_ldmetrics.events.settings import resolve_events_settings
from pulumi_ldmetrics.importer.progress import ProgressBar, progress_wanted
from pulumi_ldmetrics.models.rules import KEY_PATTERN

if TYPE_CHECKING:
    from pulumi_ldmetrics.cli import Seams

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130
SHOWN_LOCATIONS = 5
"""Warnings name this many rows of a key, then say how many more."""
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PROG = "ldmetrics events import"

EPILOG = """\
input formats (by suffix, or --format):
  .ndjson/.jsonl  one JSON event per line      .json  a JSON array of events
  .csv  a header row, then one event per row; columns: key, creationDate, metricValue,
        kind, context.<kind> (one per context kind), data.<name>
  An event: {"key": "checkout", "creationDate": 1764504000000 or "2025-11-30T12:00:00Z",
  "metricValue": 42.5, "contextKeys": {"user": "u-1"}, "data": {...}}; kind defaults to custom.

metrics check (default: list the project's metrics with the same token and the API host):
  a key that feeds a numeric metric needs metricValue (invalid row otherwise); a key no
  metric counts, and a value sent to a conversion-only key, are warnings.
"""


def add_events_command(commands: Any) -> None:
    """Register `events import` on the top-level subcommands of `ldmetrics`."""
    events = commands.add_parser(
        "events",
        allow_abbrev=False,
        help="send metric events to LaunchDarkly (events import)",
        description="Metric events: data for experiments, sent to the events host.",
    )
    sub = events.add_subparsers(dest="events_command", metavar="COMMAND", required=True)
    imp = sub.add_parser(
        "import",
        allow_abbrev=False,
        help="validate an events file and send it in batches",
        description=(
            "Validate every event of FILE, then send them in batches to one environment.\n"
            "Nothing is sent while a row is invalid, unless --skip-invalid. The token comes\n"
            f"from the environment ({ENV_ACCESS_TOKEN}, or the variable --token-env\n"
            "names) and needs the importEventData action."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", type=Path, metavar="FILE", help="events file")
    imp.add_argument("--project", required=True, metavar="KEY", help="project key")
    imp.add_argument("--environment", required=True, metavar="KEY", help="environment key")
    imp.add_argument("--format", choices=FORMATS, help="input format (default: from the suffix)")
    source = imp.add_mutually_exclusive_group()
    source.add_argument(
        "--metrics-file",
        type=Path,
        metavar="PATH",
        help="read the metrics from a metrics_from_file YAML/JSON file or a saved API listing "
        "instead of listing them (for a token that may only import events)",
    )
    source.add_argument(
        "--no-metrics-check", action="store_true", help="do not check keys against metrics"
    )
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="send the valid events and report the invalid rows, instead of sending nothing",
    )
    imp.add_argument("--dry-run", action="store_true", help="validate and plan; send nothing")
    imp.add_argument(
        "--events-host",
        metavar="URL",
        help=f"events host URL, or commercial, eu, federal (default: ${ENV_EVENTS_HOST}, else "
        "the events host of the API host's instance)",
    )
    imp.add_argument(
        "--api-host",
        metavar="URL",
        help="API host, for listing metrics (default: "
        "LAUNCHDARKLY_API_HOST, else https://app.launchdarkly.com)",
    )
    imp.add_argument(
        "--token-env",
        metavar="NAME",
        default=ENV_ACCESS_TOKEN,
        help=f"environment variable holding the access token (default: {ENV_ACCESS_TOKEN})",
    )
    imp.add_argument("--max-retries", type=int, metavar="N", help="retries per batch (default 8)")
    imp.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_EVENTS,
        metavar="N",
        help=f"events per request at most (default {DEFAULT_BATCH_EVENTS})",
    )
    imp.add_argument(
        "--max-batch-bytes",
        type=int,
        default=MAX_BODY_BYTES,
        metavar="N",
        help=f"request body bytes at most (default {MAX_BODY_BYTES}; LaunchDarkly's limit is"
        " 10 MB)",
    )
    imp.add_argument(
        "--max-age-days",
        type=float,
        default=DEFAULT_MAX_AGE_DAYS,
        metavar="D",
        help=f"oldest creationDate accepted, in days before now (default {DEFAULT_MAX_AGE_DAYS:g})",
    )
    imp.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: only when stderr is a terminal)",
    )
    imp.set_defaults(handler=events_import_command)


def events_import_command(args: argparse.Namespace, seams: Seams) -> int:
    """Check the arguments, build the metric index, plan, report problems, send, summarise."""
    for flag, key in (("--project", args.project), ("--environment", args.environment)):
        if not KEY_PATTERN.match(key):
            raise ConfigurationError(f"{flag}: invalid key {key!r}")
    if args.batch_size < 1 or args.max_batch_bytes < 1024 or args.max_age_days <= 0:
        raise ConfigurationError(
            "--batch-size must be >= 1, --max-batch-bytes >= 1024, --max-age-days > 0"
        )
    try:
        api, events = resolve_events_settings(_config(args, seams.environ), seams.environ)
    except ConfigurationError as refused:
        # Flags travel as config keys (so they win over the environment): name the flag.
        message = str(refused)
        for flag, key in (("--events-host", CONFIG_EVENTS_HOST), ("--api-host", CONFIG_API_HOST)):
            if getattr(args, flag[2:].replace("-", "_")) and message.startswith(key):
                message = flag + message[len(key) :]
        raise ConfigurationError(message) from None
    options: dict[str, Any] = {"transport": seams.transport}
    if seams.sleep is not None:
        options["sleep"] = seams.sleep
    limits = BatchLimits(args.batch_size, args.max_batch_bytes)

    index = _metric_index(args, api, options)
    plan = plan_file(
        args.file, fmt=args.format, index=index, max_age_days=args.max_age_days, limits=limits
    )
    err = seams.stderr
    for problem in plan.rejected:
        err.write(f"{PROG}: invalid: {problem}\n")
    _warn(err, args.project, plan.unknown_keys, plan.conversion_values)
    if plan.rejected and not args.skip_invalid:
        err.write(
            f"{PROG}: error: {len(plan.rejected)} invalid row(s) of {plan.rows}; nothing was "
            "sent (fix them, or pass --skip-invalid to send the valid ones)\n"
        )
        return EXIT_ERROR
    bar = ProgressBar(
        err,
        f"Importing events into {args.project}/{args.environment}",
        enabled=progress_wanted(err, args.progress),
    )
    sent = [0, len(plan.encoded)]

    def progress(done: int, total: int) -> None:
        sent[:] = [done, total]
        bar.update(done, total)

    try:
        with EventsClient(events, **options) as client:
            report = send_plan(
                plan,
                client,
                args.project,
                args.environment,
                limits=limits,
                skip_invalid=True,
                dry_run=args.dry_run,
                on_progress=progress,
            )
    except KeyboardInterrupt:
        # Some batches may be in LaunchDarkly already: say so, and why re-running is safe.
        bar.close()
        err.write(
            f"\n{PROG}: interrupted after {sent[0]} of {sent[1]} event(s) were accepted; "
            "running the same import again re-sends every batch with the same payload id, "
            "so LaunchDarkly does not count the accepted ones twice\n"
        )
        return EXIT_INTERRUPTED
    finally:
        bar.close()
    _summary(seams.stdout, args, report, events.api_host)
    if report.failure is not None:
        err.write(f"{PROG}: error: {report.failure}\n")
        return EXIT_ERROR
    return EXIT_OK


def _config(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, str]:
    """Flags as stack-config keys, so they win over the environment; the token only from the
    environment (a command-line value would land in shell history and `ps`)."""
    if not _ENV_NAME.match(args.token_env):
        raise ConfigurationError("--token-env must name an environment variable, e.g. LD_TOKEN")
    token = environ.get(args.token_env, "")
    if not token.strip():
        raise ConfigurationError(
            f"no LaunchDarkly access token: set the {args.token_env} environment variable"
        )
    config = {CONFIG_ACCESS_TOKEN: token}
    for key, value in (
        (CONFIG_API_HOST, args.api_host),
        (CONFIG_EVENTS_HOST, args.events_host),
        (CONFIG_MAX_RETRIES, None if args.max_retries is None else str(args.max_retries)),
    ):
        if value:
            config[key] = value
    return config


def _metric_index(
    args: argparse.Namespace, api: Any, options: dict[str, Any]
) -> MetricIndex | None:
    if args.no_metrics_check:
        return None
    if args.metrics_file is not None:
        return index_from_file(args.metrics_file, args.project)
    try:
        with LDMetricsClient(api, **options) as client:
            return index_from_listing(client.list_metrics(args.project))
    except (UnauthorizedError, ForbiddenError) as err:
        # A token made only for imports (as LaunchDarkly recommends) may not read metrics.
        message = (
            f"{err}; to import with a token that cannot read metrics, pass --metrics-file or"
            " --no-metrics-check"
        )
    raise EventsInputError(message)


def _where(locations: list[str]) -> str:
    shown = ", ".join(locations[:SHOWN_LOCATIONS])
    more = len(locations) - SHOWN_LOCATIONS
    return shown + (f" and {more} more" if more > 0 else "")


def _warn(
    err: TextIO,
    project: str,
    unknown: Mapping[str, list[str]],
    conversion: Mapping[str, list[str]],
) -> None:
    for key, where in sorted(unknown.items()):
        err.write(
            f"{PROG}: warning: {len(where)} event(s) with key {key!r} match no metric's "
            f"event_key in project {project}; LaunchDarkly accepts them but counts them "
            f"nowhere ({_where(where)})\n"
        )
    for key, where in sorted(conversion.items()):
        err.write(
            f"{PROG}: warning: {len(where)} event(s) with key {key!r} carry metricValue, but "
            f"only conversion metrics use that key, which ignore it ({_where(where)})\n"
        )


def _summary(out: TextIO, args: argparse.Namespace, report: ImportReport, host: str) -> None:
    plan = report.plan
    target = f"{args.project}/{args.environment}"
    if report.dry_run:
        out.write(
            f"Dry run: {len(plan.encoded)} valid event(s) of {plan.rows} row(s) would go to "
            f"{target} at {host} in {report.batches_total} batch(es); nothing was sent.\n"
        )
    else:
        out.write(
            f"Sent {report.events_sent} of {len(plan.encoded)} event(s) to {target} at {host}: "
            f"{report.batches_sent} of {report.batches_total} batch(es) accepted, "
            f"{report.requests} request(s).\n"
        )
        if report.retries:
            reasons = ", ".join(f"{n} after {why}" for why, n in sorted(report.retries.items()))
            batches = ", ".join(map(str, report.retried_batches))
            out.write(
                f"Retried {sum(report.retries.values())} time(s) ({reasons}) in batch(es) "
                f"{batches}, each with its batch's payload id, so none is counted twice.\n"
            )
        else:
            out.write("Retried 0 times.\n")
    if plan.rejected:
        out.write(f"Rejected {len(plan.rejected)} invalid row(s) (not sent):\n")
        for problem in plan.rejected:
            out.write(f"  {problem}\n")
    if not plan.metrics_checked:
        out.write("Metric check: skipped (--no-metrics-check).\n")
    else:
        unknown = sum(map(len, plan.unknown_keys.values()))
        values = sum(map(len, plan.conversion_values.values()))
        out.write(
            f"Metric check: {unknown} event(s) with {len(plan.unknown_keys)} key(s) no metric "
            f"counts, {values} value(s) sent to conversion-only keys.\n"
        )
