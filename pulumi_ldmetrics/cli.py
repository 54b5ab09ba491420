"""`ldmetrics`: the command-line tool of pulumi-ldmetrics.

    ldmetrics import --project KEY [--filter EXPR] [--format python|yaml] [--out PATH]
                     [--route import-file|adopt] [--dry-run] [--api-host URL] [--force]

`import` lists every metric of a LaunchDarkly project and writes one declaration per metric
(a Python module of `Metric`s, or a YAML file for `metrics_from_file`) plus what adopting them
needs: an import file for `pulumi import --file` (default route), or `adopt_existing=True` on
each declaration (adopt route). It then prints the commands to run next; after them,
`pulumi preview --expect-no-changes` passes and LaunchDarkly has received no write.

Settings (`importer/sources.py`): a flag wins; then, in a Pulumi project directory, the current
stack's `ldmetrics:apiHost` / `ldmetrics:accessToken` / `ldmetrics:maxRetries` (what the provider
will use); then the environment. The token is never a command-line value, which would land in
shell history and `ps`: `--token-env NAME` names a variable instead.
Exit codes: 0 done, 1 an API, network, configuration or file error (one line on stderr),
2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from pulumi_ldmetrics._constants import (
    CONFIG_ACCESS_TOKEN,
    CONFIG_API_HOST,
    DEFAULT_API_HOST,
    ENV_ACCESS_TOKEN,
    ENV_API_HOST,
)
from pulumi_ldmetrics._version import __version__
from pulumi_ldmetrics.client import LDMetricsClient
from pulumi_ldmetrics.errors import (
    APIConnectionError,
    ForbiddenError,
    LDMetricsError,
    NotFoundError,
    UnauthorizedError,
    one_line,
    target_label,
)
from pulumi_ldmetrics.events.cli import add_events_command
from pulumi_ldmetrics.importer.atomic import write_files_atomically
from pulumi_ldmetrics.importer.codegen_python import MODULE_NAMES, python_string, render_python
from pulumi_ldmetrics.importer.codegen_yaml import render_yaml
from pulumi_ldmetrics.importer.groups import group_import_entries, plan_groups, render_groups_python
from pulumi_ldmetrics.importer.import_file import render_import_file
from pulumi_ldmetrics.importer.plan import ImportPlan, build_plan, variable_names
from pulumi_ldmetrics.importer.progress import ProgressBar, progress_wanted
from pulumi_ldmetrics.importer.sources import Resolved, resolve
from pulumi_ldmetrics.importer.stack_config import StackConfig, find_project, read_stack_config
from pulumi_ldmetrics.models.rules import KEY_PATTERN, MAINTAINER_PATTERN

ROUTE_IMPORT_FILE = "import-file"
ROUTE_ADOPT = "adopt"
EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130
IMPORT_EPILOG = """\
fields written:
  project_key, key, name and kind always; any other field only when leaving it out would
  give a different metric (API defaults are omitted). Fields the server chooses when they are
  undeclared (and which are then not managed) are written only when they differ from that
  choice: analysis_units unless ["user"], data_source unless LaunchDarkly-hosted, maintainer_id
  unless it equals --default-maintainer (default: the maintainer of most listed metrics).

routes:
  import-file  PULUMI_SKIP_CHECKPOINTS=true pulumi import --file <out>.import.json
               --generate-code=false --protect=false --skip-preview --yes (no API request
               at all), then pulumi preview --expect-no-changes.
               PULUMI_SKIP_CHECKPOINTS=true makes the engine write the state once at the end
               instead of after every metric (1,000 metrics: 4 s instead of 111 s). Safe for
               this command only: it writes nothing to LaunchDarkly, so if it is interrupted
               or fails, run it again (if killed, `pulumi cancel` first, as the CLI says).
               Windows PowerShell: set the variable first, run the command without the
               prefix, then remove the variable before any other pulumi command:
                 $env:PULUMI_SKIP_CHECKPOINTS = "true"
                 pulumi import --file <out>.import.json ... --yes
                 Remove-Item Env:PULUMI_SKIP_CHECKPOINTS
  adopt        pulumi up (one GET per metric, no write), then pulumi preview
"""
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SKIP_CHECKPOINTS = "PULUMI_SKIP_CHECKPOINTS"
"""The engine's variable for writing the state once at the end of an operation instead of after
every step; the printed `pulumi import` command sets it (and only that command)."""


class CommandError(Exception):
    """A problem the user can fix, reported as one line with exit code 1."""


@dataclass(frozen=True)
class Seams:
    """Test seams: where output goes and how HTTP is done. Production uses the defaults."""

    stdout: TextIO
    stderr: TextIO
    environ: Mapping[str, str]
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] | None = None
    cwd: Path | None = None
    """Where to look for a Pulumi project (default: the working directory)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point (`ldmetrics`); returns the exit code."""
    return run(argv, Seams(sys.stdout, sys.stderr, os.environ))


def run(argv: Sequence[str] | None, seams: Seams) -> int:
    """`main` with its inputs and outputs injectable (tests call this)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(seams.stderr)
        return 2
    try:
        return int(args.handler(args, seams))
    except KeyboardInterrupt:
        seams.stderr.write("\nldmetrics: interrupted; nothing was written\n")
        return EXIT_INTERRUPTED
    except (CommandError, LDMetricsError) as err:
        seams.stderr.write(f"ldmetrics {args.command}: error: {one_line(str(err))}\n")
        return EXIT_ERROR
    except OSError as err:
        reason = err.strerror or str(err)
        where = f" {err.filename}" if err.filename else ""
        seams.stderr.write(f"ldmetrics {args.command}: error: cannot write{where}: {reason}\n")
        return EXIT_ERROR


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for `--help` rendering in docs and tests)."""
    # No abbreviations: `--token …` must not silently mean `--token-env …` (and echo a secret).
    parser = argparse.ArgumentParser(
        prog="ldmetrics",
        description="Tools for managing LaunchDarkly metrics with Pulumi.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    imp = commands.add_parser(
        "import",
        allow_abbrev=False,
        help="write declarations for the existing metrics of a project, and how to adopt them",
        description=(
            "List every metric of a LaunchDarkly project and write one declaration per metric "
            "(only values that differ from the API defaults), plus what adopting them needs. "
            "Then print the commands to run. Host and token: flags, else the current stack's "
            f"config in a Pulumi project, else the environment ({ENV_ACCESS_TOKEN})."
        ),
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("--project", required=True, metavar="KEY", help="LaunchDarkly project key")
    imp.add_argument(
        "--filter",
        metavar="EXPR",
        help="the list API's filter, e.g. 'tags contains [\"checkout\"]' (default: all metrics)",
    )
    imp.add_argument(
        "--format",
        choices=("python", "yaml"),
        default="python",
        help="a Python module of Metric(...) declarations (default), or a YAML file for "
        "metrics_from_file",
    )
    imp.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="declarations file (default: ldmetrics_<project>.py or ldmetrics_<project>.yaml)",
    )
    imp.add_argument(
        "--route",
        choices=(ROUTE_IMPORT_FILE, ROUTE_ADOPT),
        default=ROUTE_IMPORT_FILE,
        help="import-file (default): also write <out>.import.json for `pulumi import --file`; "
        "adopt: declarations carry adopt_existing=True and `pulumi up` takes them over",
    )
    imp.add_argument(
        "--import-file",
        type=Path,
        metavar="PATH",
        help="where the import file goes (default: beside --out, named <stem>.import.json)",
    )
    imp.add_argument(
        "--default-maintainer",
        metavar="MEMBER_ID",
        help="maintainer id to leave undeclared (the token's member); default: the maintainer "
        "of most listed metrics",
    )
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="list and show what would be written, write nothing",
    )
    imp.add_argument("--force", action="store_true", help="overwrite existing output files")
    imp.add_argument(
        "--api-host",
        metavar="URL",
        help=f"API host (default: the stack's {CONFIG_API_HOST} in a Pulumi project, else "
        f"LAUNCHDARKLY_API_HOST, else {DEFAULT_API_HOST})",
    )
    imp.add_argument(
        "--token-env",
        metavar="NAME",
        default=None,
        help="environment variable holding the access token (default: the stack's "
        f"{CONFIG_ACCESS_TOKEN} in a Pulumi project, else {ENV_ACCESS_TOKEN})",
    )
    imp.add_argument(
        "--max-retries",
        type=int,
        metavar="N",
        help="retries of a failed or rate-limited request (default: LAUNCHDARKLY_MAX_RETRIES, "
        "else 8)",
    )
    imp.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: only when stderr is a terminal)",
    )
    imp.set_defaults(handler=import_command)
    add_events_command(commands)
    return parser


# --- ldmetrics import -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outputs:
    """Where the import writes: the declarations, and the import file (import-file route)."""

    declarations: Path
    import_file: Path | None


def import_command(args: argparse.Namespace, seams: Seams) -> int:
    """List, plan, render, write (unless --dry-run), and print the next steps."""
    project = str(args.project)
    if not KEY_PATTERN.match(project):
        raise CommandError(f"invalid project key {project!r}")
    if args.default_maintainer is not None and not MAINTAINER_PATTERN.match(
        args.default_maintainer
    ):
        raise CommandError("--default-maintainer must be a member id of 24 hexadecimal characters")
    outputs = _output_paths(args, project)
    if not args.dry_run and not args.force:
        existing = [p for p in (outputs.declarations, outputs.import_file) if p and p.exists()]
        if existing:
            names = ", ".join(str(p) for p in existing)
            raise CommandError(f"{names} already exist(s); pass --force to overwrite")

    resolved = _settings(args, seams)
    settings = resolved.settings
    bar = ProgressBar(
        seams.stderr,
        f"Listing metrics of {project}",
        enabled=progress_wanted(seams.stderr, args.progress),
    )
    client_options: dict[str, Any] = {"transport": seams.transport}
    if seams.sleep is not None:
        client_options["sleep"] = seams.sleep
    listed_groups: list[dict[str, Any]] = []
    try:
        with LDMetricsClient(settings, **client_options) as client:
            listed = client.list_metrics(project, filter=args.filter, on_page=bar.update)
            if args.format == "python" and args.filter is None:
                listed_groups = _list_groups(client, project, seams.stderr)
    except (UnauthorizedError, APIConnectionError) as err:
        raise CommandError(_naming_sources(err, resolved)) from err
    finally:
        bar.close()

    plan = build_plan(
        listed,
        project,
        site_base_url=settings.api_host,
        adopt=args.route == ROUTE_ADOPT,
        default_maintainer=args.default_maintainer,
    )
    groups = plan_groups(
        listed_groups,
        project,
        {m.key: m.variable_name for m in plan.metrics},
        taken_variables=MODULE_NAMES,
    )
    declarations = (
        render_groups_python(render_python(plan), groups, adopt=args.route == ROUTE_ADOPT)
        if args.format == "python"
        else render_yaml(plan)
    )
    files = {outputs.declarations: declarations}
    if outputs.import_file is not None:
        files[outputs.import_file] = render_import_file(plan, group_import_entries(groups))

    out = seams.stdout
    for skipped in plan.skipped:
        seams.stderr.write(f"ldmetrics import: warning: skipped {skipped.key}: {skipped.reason}\n")
    if args.dry_run:
        _print_dry_run(out, plan, files)
        return EXIT_OK
    write_files_atomically(files)
    _print_summary(out, plan, outputs, args.format)
    if groups:
        out.write(f"Also declared {len(groups)} metric group(s), after their metrics.\n")
    _print_next_steps(out, plan, outputs, args.format, resolved)
    return EXIT_OK


def _list_groups(client: LDMetricsClient, project: str, stderr: TextIO) -> list[dict[str, Any]]:
    """The project's metric groups, declared next to their metrics. The groups API is beta: a
    token or account without it loses the groups, not the import."""
    try:
        return client.list_metric_groups(project)
    except (ForbiddenError, NotFoundError) as err:
        stderr.write(f"ldmetrics import: warning: metric groups not imported: {err}\n")
        return []


def _output_paths(args: argparse.Namespace, project: str) -> Outputs:
    suffix = ".py" if args.format == "python" else ".yaml"
    # The module must be importable, so its default name is an identifier.
    stem = variable_names([f"ldmetrics_{project}"])[0]
    declarations = Path(args.out) if args.out is not None else Path(stem + suffix)
    if args.format == "python" and not declarations.stem.isidentifier():
        raise CommandError(
            f"{declarations.name}: a Python module name must be an identifier (e.g. {stem}.py)"
        )
    if args.route != ROUTE_IMPORT_FILE:
        return Outputs(declarations, None)
    import_file = args.import_file or declarations.with_name(f"{declarations.stem}.import.json")
    if Path(import_file).resolve() == declarations.resolve():
        raise CommandError("--import-file and --out must be different files")
    return Outputs(declarations, Path(import_file))


def _settings(args: argparse.Namespace, seams: Seams) -> Resolved:
    """Flags, then the current stack's config (in a Pulumi project), then the environment."""
    if args.token_env is not None and not _ENV_NAME.match(args.token_env):
        # Not echoed: a value that is no variable name may well be the token itself.
        raise CommandError("--token-env must name an environment variable, e.g. LD_TOKEN")
    stack: StackConfig | None = None
    project_dir = find_project(seams.cwd or Path.cwd())
    if project_dir is not None:
        stack = read_stack_config(project_dir, seams.environ)
        if stack.problem is not None:
            seams.stderr.write(
                f"ldmetrics import: warning: not using the stack's config: {stack.problem}\n"
            )
            stack = None
    resolved = resolve(
        api_host=args.api_host,
        max_retries=args.max_retries,
        token_env=args.token_env,
        stack=stack,
        environ=seams.environ,
    )
    if stack is not None:
        seams.stderr.write(
            f"ldmetrics import: API host from {resolved.host_source}, access token from "
            f"{resolved.token_source}\n"
        )
    return resolved


def _naming_sources(err: LDMetricsError, resolved: Resolved) -> str:
    """`err`'s message with the advice naming the setting this import really read (the
    client's own advice names the provider's settings)."""
    if isinstance(err, UnauthorizedError):
        message = f"{target_label(err.operation, err.project_key, err.metric_key)}: 401 {err.code}"
        message += f": {err.api_message}" if err.api_message else ""
        message += f" (request id {err.request_id})" if err.request_id else ""
        return f"{message} - check the access token, read from {resolved.token_source}"
    text = str(err)
    generic = f" - check {CONFIG_API_HOST} or {ENV_API_HOST}"
    if text.endswith(generic):
        return (
            text.removesuffix(generic) + f" - check the API host, read from {resolved.host_source}"
        )
    return text


def _print_dry_run(out: TextIO, plan: ImportPlan, files: Mapping[Path, str]) -> None:
    out.write(f"Dry run: {len(plan.metrics)} metric(s) of project {plan.project_key}; ")
    out.write("nothing was written.\n\nWould write:\n")
    for path, text in files.items():
        out.write(f"  {path}  ({len(text.encode('utf-8'))} bytes)\n")
    out.write("\nMetrics (resource name: declared fields besides project_key, key, name, kind):\n")
    for metric in plan.metrics:
        extra = [k for k in metric.declared if k not in ("project_key", "key", "name", "kind")]
        out.write(f"  {metric.resource_name}: {', '.join(extra) or '-'}\n")


def _print_summary(out: TextIO, plan: ImportPlan, outputs: Outputs, fmt: str) -> None:
    kind = "Metric declarations" if fmt == "python" else "metrics_from_file entries"
    out.write(f"Wrote {len(plan.metrics)} {kind} of project {plan.project_key} to ")
    out.write(f"{outputs.declarations}")
    if outputs.import_file is not None:
        out.write(f" and the import file {outputs.import_file}")
    out.write(".\n")
    if plan.skipped:
        out.write(f"Skipped {len(plan.skipped)} metric(s) that cannot be declared (see above).\n")


def _print_next_steps(
    out: TextIO, plan: ImportPlan, outputs: Outputs, fmt: str, resolved: Resolved
) -> None:
    """The commands to run, each on its own line indented 4 spaces (tests run them as printed;
    a command may start with `NAME=value` assignments, as a POSIX shell reads them), and the
    steps and notes around them indented 2 spaces."""
    declarations = outputs.declarations
    out.write("\nNext steps, in your Pulumi project directory:\n")
    if fmt == "python":
        out.write(
            f"  1. Declare the metrics: put {declarations.name} beside __main__.py and add "
            "this line to __main__.py:\n"
        )
        out.write(f"    import {declarations.stem}  # noqa: F401\n")
    else:
        out.write(
            f"  1. Declare the metrics: put {declarations.name} beside __main__.py and add "
            "these lines to __main__.py:\n"
        )
        out.write("    from pulumi_ldmetrics import metrics_from_file\n")
        out.write(f"    metrics_from_file({python_string(declarations.name)})\n")
    step = 2
    api_host = resolved.settings.api_host
    if api_host != DEFAULT_API_HOST and not resolved.host_from_stack:
        out.write(f"  {step}. Point the provider at the same API host:\n")
        out.write(f"    pulumi config set ldmetrics:apiHost {shlex.quote(api_host)}\n")
        step += 1
    if outputs.import_file is not None:
        out.write(
            f"  {step}. Adopt them into the stack's state (no request reaches LaunchDarkly):\n"
        )
        import_path = shlex.quote(str(outputs.import_file.resolve()))
        # `pulumi import` protects what it imports unless told otherwise; the declarations do
        # not, so protected state would show `~protect` on every metric at the next preview.
        # Its preview pass checks every resource a second time for nothing (the import writes
        # nothing to LaunchDarkly): skipping it takes 1,000 metrics from 153 s to 111 s.
        # The rest is the engine rewriting the whole state after every step (O(N²));
        # SKIP_CHECKPOINTS writes it once at the end: 111 s -> 4 s. Measured with the 3.274
        # CLI: Ctrl-C or SIGTERM, or one resource failing, leaves the state holding what was
        # imported (written once, no pending operation); SIGKILL leaves it untouched and the
        # stack locked. Either way nothing changed in LaunchDarkly, and running the same
        # command again (after `pulumi cancel` when locked) converges. The prefix is a POSIX
        # shell's: it applies to this one command, never to a later `pulumi up`.
        out.write(
            f"    {SKIP_CHECKPOINTS}=true pulumi import --file {import_path}"
            " --generate-code=false --protect=false --skip-preview --yes\n"
        )
        out.write(
            f"  ({SKIP_CHECKPOINTS} is safe here: the import writes nothing to LaunchDarkly and "
            "the state is written once at the end; if interrupted, run it again.)\n"
        )
    else:
        out.write(
            f"  {step}. Adopt them (one GET per metric, no write; the provider needs the token "
            f"in ldmetrics:accessToken or {ENV_ACCESS_TOKEN}):\n"
        )
        out.write("    pulumi up --yes\n")
    out.write(f"  {step + 1}. Check that the code matches LaunchDarkly:\n")
    out.write("    pulumi preview --expect-no-changes\n")
    if plan.adopt:
        out.write("Afterwards adopt_existing=True can stay or go; removing it changes nothing.\n")
