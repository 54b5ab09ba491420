"""`ldmetrics import` as a command: errors, dry run, progress, rate limits, atomic output."""

from __future__ import annotations

import io
import json
import re
import shlex
import socket
from pathlib import Path

import httpx
import pytest

from pulumi_ldmetrics.cli import Seams, main, run
from pulumi_ldmetrics.emulator import EmulatorServer
from pulumi_ldmetrics.importer import atomic

from .conftest import PROJECT, READER_TOKEN, TOKEN, CliResult, client_for, run_cli
from .seed import seed_project, seed_specs


def _import(server: EmulatorServer, tmp_path: Path, *args: str, **kw: object) -> CliResult:
    argv = [
        "import",
        "--project",
        PROJECT,
        "--api-host",
        server.url,
        "--out",
        str(tmp_path / "m.py"),
    ]
    return run_cli([*argv, *args], **kw)  # type: ignore[arg-type]


def _assert_one_line_error(result: CliResult, *fragments: str) -> None:
    assert result.code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ldmetrics import: error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_unauthorized(seeded: EmulatorServer, tmp_path: Path) -> None:
    result = _import(seeded, tmp_path, token="wrong-token")
    # It names the setting this import read, not the provider's config keys.
    _assert_one_line_error(
        result, "401", "check the access token, read from the environment variable"
    )
    assert "wrong-token" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_forbidden(seeded: EmulatorServer, tmp_path: Path) -> None:
    seeded.emulator.fail_next(403)
    _assert_one_line_error(_import(seeded, tmp_path, token=READER_TOKEN), "403", "permission")


def test_unknown_project(seeded: EmulatorServer, tmp_path: Path) -> None:
    argv = [
        "import",
        "--project",
        "nope",
        "--api-host",
        seeded.url,
        "--out",
        str(tmp_path / "m.py"),
    ]
    _assert_one_line_error(run_cli(argv), "404", "project nope", "check the project key")


def test_network_failure(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = ["import", "--project", PROJECT, "--api-host", f"http://127.0.0.1:{port}"]
    result = run_cli([*argv, "--out", str(tmp_path / "m.py"), "--max-retries", "1"])
    _assert_one_line_error(result, "cannot connect", f"127.0.0.1:{port}", "retried 1 times")
    assert len(result.sleeps) == 1


def test_missing_token(tmp_path: Path) -> None:
    result = run_cli(["import", "--project", PROJECT, "--out", str(tmp_path / "m.py")], token=None)
    _assert_one_line_error(result, "LAUNCHDARKLY_ACCESS_TOKEN")
    named = run_cli(["import", "--project", PROJECT, "--token-env", "MY_LD_TOKEN"], token=None)
    _assert_one_line_error(named, "MY_LD_TOKEN")


def test_token_is_never_a_flag_value() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["import", "--project", PROJECT, "--token", TOKEN])
    assert exc.value.code == 2
    result = run_cli(["import", "--project", PROJECT, "--token-env", "api-secret value"])
    _assert_one_line_error(result, "--token-env must name an environment variable")
    assert "api-secret" not in result.stderr


def test_bad_arguments_are_one_line(tmp_path: Path) -> None:
    result = run_cli(["import", "--project", "bad key"])
    _assert_one_line_error(result, "invalid project key")
    result = run_cli(["import", "--project", PROJECT, "--out", str(tmp_path / "not-a-module.py")])
    _assert_one_line_error(result, "identifier")


def test_dry_run_writes_nothing(seeded: EmulatorServer, tmp_path: Path) -> None:
    result = _import(seeded, tmp_path, "--dry-run")
    assert result.code == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
    assert "nothing was written" in result.stdout
    assert (
        str(tmp_path / "m.py") in result.stdout and str(tmp_path / "m.import.json") in result.stdout
    )
    assert "m-0002: is_numeric, unit, event_key, analysis_units" in result.stdout
    assert {e["method"] for e in seeded.emulator.request_log()} == {"GET"}


def test_refuses_to_overwrite_without_force(seeded: EmulatorServer, tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("# mine\n")
    _assert_one_line_error(_import(seeded, tmp_path), "already exist", "--force")
    assert (tmp_path / "m.py").read_text() == "# mine\n"
    assert seeded.emulator.request_log() == [], "checked before any request"
    assert _import(seeded, tmp_path, "--force").code == 0
    assert "m_0000 = Metric(" in (tmp_path / "m.py").read_text()


def test_failure_on_page_3_leaves_nothing_half_written(
    server: EmulatorServer, tmp_path: Path
) -> None:
    """Retries exhausted on the third page: no new file, the old one intact, no temp files."""
    with client_for(server) as client:
        seed_project(client, seed_specs(130, PROJECT))  # pages at offsets 0, 50, 100
    (tmp_path / "m.py").write_text("# previous import\n")
    emulator = server.emulator
    emulator.clear_log()

    class FaultOnThirdPage(httpx.HTTPTransport):
        """Arms an emulator fault when page 3 is requested: the first two pages succeed."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.params.get("offset") == "100":
                emulator.fail_next(503, times=1)
            return super().handle_request(request)

    stdout, stderr = io.StringIO(), io.StringIO()
    argv = [
        "import",
        "--project",
        PROJECT,
        "--api-host",
        server.url,
        "--out",
        str(tmp_path / "m.py"),
    ]
    code = run(
        [*argv, "--force", "--max-retries", "2", "--progress"],
        Seams(
            stdout,
            stderr,
            {"LAUNCHDARKLY_ACCESS_TOKEN": TOKEN},
            FaultOnThirdPage(),
            lambda _s: None,
            cwd=tmp_path,
        ),
    )
    assert code == 1
    assert "503" in stderr.getvalue() and "retried 2 times" in stderr.getvalue()
    assert "100/130" in stderr.getvalue()  # the bar got to page 2, then the error line
    queries = [e["query"] for e in emulator.request_log()]
    assert len(queries) == 5 and all("offset=100" in q for q in queries[2:])  # 1 try + 2 retries
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.py"]
    assert (tmp_path / "m.py").read_text() == "# previous import\n"
    assert stdout.getvalue() == ""


def test_failure_while_writing_leaves_no_file(
    seeded: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second file fails while being written: the first is never renamed into place."""
    real_stage = atomic._stage
    calls: list[Path] = []

    def failing_stage(path: Path, text: str) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        return real_stage(path, text)

    monkeypatch.setattr(atomic, "_stage", failing_stage)
    result = _import(seeded, tmp_path)
    _assert_one_line_error(result, "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_on_request(seeded: EmulatorServer, tmp_path: Path) -> None:
    quiet = _import(seeded, tmp_path, "--dry-run")
    assert quiet.stderr == ""  # not a terminal: no bar by default
    shown = _import(seeded, tmp_path, "--dry-run", "--progress")
    assert f"Listing metrics of {PROJECT} [" in shown.stderr
    assert shown.stderr.rstrip().endswith("24/24")


def test_rate_limit_is_honoured(seeded: EmulatorServer, tmp_path: Path) -> None:
    seeded.emulator.fail_next(429, reset_in_ms=2000, retry_after=2)
    result = _import(seeded, tmp_path)
    assert result.code == 0, result.stderr
    assert len(result.sleeps) == 1 and result.sleeps[0] >= 1.0


def test_filter_is_passed_through(seeded: EmulatorServer, tmp_path: Path) -> None:
    result = _import(seeded, tmp_path, "--filter", "eventKind equals pageview")
    assert result.code == 0, result.stderr
    text = (tmp_path / "m.py").read_text()
    assert text.count(" = Metric(") == 2 and 'kind="pageview"' in text


def test_next_steps_are_printed(seeded: EmulatorServer, tmp_path: Path) -> None:
    result = _import(seeded, tmp_path)
    assert result.code == 0, result.stderr
    commands = [line.strip() for line in result.stdout.splitlines() if line.startswith("    ")]
    assert commands == [
        "import m  # noqa: F401",
        f"pulumi config set ldmetrics:apiHost {seeded.url}",
        f"PULUMI_SKIP_CHECKPOINTS=true pulumi import --file {tmp_path / 'm.import.json'}"
        " --generate-code=false --protect=false --skip-preview --yes",
        "pulumi preview --expect-no-changes",
    ]
    # Why the prefix is safe, on one line of its own that is not a command (2 spaces).
    lines = result.stdout.splitlines()
    note = lines[lines.index(f"    {commands[2]}") + 1]
    assert note == (
        "  (PULUMI_SKIP_CHECKPOINTS is safe here: the import writes nothing to LaunchDarkly and"
        " the state is written once at the end; if interrupted, run it again.)"
    )


def test_import_command_is_one_posix_shell_command(seeded: EmulatorServer, tmp_path: Path) -> None:
    """A path a shell would split or expand is quoted, and the variable stays a prefix of that
    one command (a shell reads it as an assignment for `pulumi` alone)."""
    odd = tmp_path / "my dir $HOME"
    odd.mkdir()
    result = run_cli(
        ["import", "--project", PROJECT, "--api-host", seeded.url, "--out", str(odd / "m.py")]
    )
    assert result.code == 0, result.stderr
    line = next(x[4:] for x in result.stdout.splitlines() if "pulumi import" in x)
    words = shlex.split(line)
    assert words[0] == "PULUMI_SKIP_CHECKPOINTS=true" and words[1:3] == ["pulumi", "import"]
    assert words[3:5] == ["--file", str(odd / "m.import.json")]
    assert words[5:] == ["--generate-code=false", "--protect=false", "--skip-preview", "--yes"]


def test_help_says_how_to_set_the_variable_in_powershell(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])  # argparse prints the help to sys.stdout
    text = capsys.readouterr().out
    assert "PULUMI_SKIP_CHECKPOINTS=true pulumi import --file" in text
    assert '$env:PULUMI_SKIP_CHECKPOINTS = "true"' in text
    assert "Remove-Item Env:PULUMI_SKIP_CHECKPOINTS" in text


def test_metric_groups_are_declared_after_their_metrics(
    seeded: EmulatorServer, tmp_path: Path
) -> None:
    keys = [m["key"] for m in seeded.emulator.metrics()[PROJECT][:2]]
    group = {
        "key": "funnel",
        "name": "Funnel",
        "kind": "funnel",
        "maintainerId": "569fdeadbeef1644facecafe",
        "tags": [],
        "metrics": [
            {"key": keys[1], "nameInGroup": "Second"},
            {"key": keys[0], "nameInGroup": "First"},
        ],
    }
    with httpx.Client(
        base_url=seeded.url, headers={"Authorization": TOKEN, "LD-API-Version": "beta"}
    ) as api:
        created = api.post(f"/api/v2/projects/{PROJECT}/metric-groups", json=group)
        assert created.status_code == 201, created.text
    result = _import(seeded, tmp_path)
    assert result.code == 0, result.stderr
    module = (tmp_path / "m.py").read_text()
    assert "from pulumi_ldmetrics import Metric, MetricGroup" in module
    declaration = module[module.index("= MetricGroup(") :]
    # The group names the generated Metric variables, in the group's order.
    variables = re.findall(r'\{"key": (\w+), "name_in_group": "(\w+)"\}', declaration)
    assert [name for _v, name in variables] == ["Second", "First"], declaration
    for variable, _name in variables:  # bare names of Metric variables, not key strings
        assert f"{variable} = Metric(" in module
    imported = json.loads((tmp_path / "m.import.json").read_text())
    types = [r["type"].rsplit(":", 1)[-1] for r in imported["resources"]]
    assert types.count("MetricGroup") == 1 and types[-1] == "MetricGroup"
    assert "Also declared 1 metric group(s)" in result.stdout


def test_a_token_without_the_groups_api_still_imports_the_metrics(
    seeded: EmulatorServer, tmp_path: Path
) -> None:
    seeded.emulator.fail_next(403, path_contains="metric-groups")
    result = _import(seeded, tmp_path)
    assert result.code == 0, result.stderr
    assert "warning: metric groups not imported" in result.stderr
    assert "MetricGroup" not in (tmp_path / "m.py").read_text()
