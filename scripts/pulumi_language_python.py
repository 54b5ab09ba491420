"""Minimal stand-in for Pulumi's Go language host ``pulumi-language-python``.

Why this exists: this project builds the Pulumi CLI from Go modules (``scripts/install-pulumi.sh``),
but the module proxy available here refuses
``github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3`` at every version, so the real
language host cannot be built. This file implements just enough of the ``LanguageRuntime`` gRPC
service, using the stubs shipped in the ``pulumi`` Python SDK, for ``pulumi preview/up/refresh/
destroy/import/stack export`` to run Python programs. It is project tooling (tests and local
demos), not part of the ``pulumi_ldmetrics`` package. Where a real ``pulumi-language-python`` is
installed, the install script does not use this file at all.

Launch contract (what the engine does): ``pulumi-language-python [flags] <engine-address>``; the
host prints its gRPC port on the first stdout line. Programs are run the way the Go host runs them:
``<python> -u pulumi-language-python-exec --monitor ... <program>`` with ``PULUMI_CONFIG`` (JSON)
and ``PULUMI_CONFIG_SECRET_KEYS`` (JSON list) in the environment. The interpreter is chosen like the
Go host does: ``runtime.options.virtualenv`` (relative to the project root), ``toolchain: uv``
(``.venv``), else ``$PULUMI_PYTHON_CMD``, else ``python3``. The program's stdout/stderr are
inherited, so the engine shows them as diagnostics.

Required packages are computed as the Go host does (``GetRequiredPackages``): every installed
distribution whose name starts with ``pulumi-`` or that ships a ``pulumi-plugin.json`` is a resource
plugin to fetch, unless that file says ``"resource": false``; so a package missing the marker makes
the engine try to download a plugin here too. Like the Go host, a program is interrupted (SIGINT,
then killed after 5 s) when the engine cancels or abandons its ``Run`` call.

Not implemented (UNIMPLEMENTED, as the engine tolerates): ``GetRequiredPlugins`` (the Go host
dropped it for ``GetRequiredPackages``), code generation, packing, linking, ``RunPlugin`` (Python
plugins other than the dynamic provider, which the engine starts itself via
``pulumi-resource-pulumi-python``), parameterized packages, and dependency installation (a no-op).
"""

# gRPC servicer methods have fixed (request, context) signatures, used or not.
# ruff: noqa: ARG002
from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import types
from collections.abc import Iterator, Mapping
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import (  # type: ignore[import-untyped,unused-ignore]  # types-protobuf is optional
    empty_pb2,
    struct_pb2,
)

# Packages whose __init__ the host skips; the generated stubs live in the last one.
_SDK_PACKAGES = ("pulumi", "pulumi.runtime", "pulumi.runtime.proto")


@contextlib.contextmanager
def _sdk_init_skipped() -> Iterator[None]:
    """Import the Pulumi SDK's generated gRPC stubs without running the SDK itself.

    What: while the block runs, ``pulumi``, ``pulumi.runtime`` and ``pulumi.runtime.proto`` are
    empty package modules in ``sys.modules`` whose ``__path__`` is the installed directories
    (located with ``find_spec``, which does not import the package), so importing
    ``pulumi.runtime.proto.language_pb2`` loads that file (and what it imports) from the installed
    SDK without executing the three ``__init__.py`` files. Afterwards every ``pulumi*`` entry the
    block added is removed again: the host keeps the stub modules it bound, and a later
    ``import pulumi`` in the same process (the file imported as a module) gets the real SDK.

    Why: ``pulumi/__init__.py`` imports the whole SDK (asyncio, the automation API, dill,
    opentelemetry, ...) and ``pulumi/runtime/proto/__init__.py`` every stub; that was about half
    of the host's start-up, paid twice per deployment. Why it is safe: the host uses only the
    generated stubs, which import google.protobuf, grpc and sibling stubs by relative imports
    (``from . import plugin_pb2``, ``from .codegen import hcl_pb2``); those resolve through the
    stand-ins' ``__path__`` to the same files, and nothing in them reads attributes of the parent
    packages. If the SDK is already imported or cannot be found, this does nothing, so the import
    behaves (and fails) exactly as a plain ``from pulumi.runtime.proto import ...``.
    """
    spec = importlib.util.find_spec("pulumi") if "pulumi" not in sys.modules else None
    if spec is None or not spec.submodule_search_locations:
        yield
        return
    roots = list(spec.submodule_search_locations)
    before = set(sys.modules)
    for name in _SDK_PACKAGES:
        package = types.ModuleType(name)
        package.__path__ = [os.path.join(root, *name.split(".")[1:]) for root in roots]
        sys.modules[name] = package
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            if name == "pulumi" or name.startswith("pulumi."):
                del sys.modules[name]


with _sdk_init_skipped():
    from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

# pulumi-language-python-exec exits with 32 after it has already reported the error to the user.
_EXIT_AFTER_USER_MESSAGE = 32
_MAX_MESSAGE = 400 * 1024 * 1024
# How long an interrupted program gets before it is killed (the Go host's cmd.WaitDelay).
_INTERRUPT_GRACE_S = 5.0
# Packages the Go host knows ship no plugin although their names start with pulumi-.
_PACKAGES_WITHOUT_PLUGINS = frozenset({"pulumi-policy", "pulumi-esc-sdk"})
# Run by the program's interpreter: [name, version, path of pulumi-plugin.json or ""] for every
# installed distribution. The marker is looked up where the Go host looks: in the directories of
# the module named after the distribution (dashes to underscores).
_PACKAGES_PROBE = """
import importlib.metadata, importlib.util, json, os
found = []
for dist in importlib.metadata.distributions():
    meta = dist.metadata  # parsed on every access: once for both fields
    name = meta["Name"]
    if not name:
        continue
    marker = ""
    try:
        spec = importlib.util.find_spec(name.replace("-", "_"))
        for loc in (spec.submodule_search_locations or []) if spec else []:
            if os.path.isfile(os.path.join(str(loc), "pulumi-plugin.json")):
                marker = os.path.join(str(loc), "pulumi-plugin.json")
                break
    except Exception:
        pass
    found.append([name, meta["Version"], marker])
print(json.dumps(found))
"""
_PEP440 = re.compile(
    r"(?P<release>\d+(?:\.\d+)*)(?:(?P<pre>a|b|rc)(?P<pre_n>\d*))?"
    r"(?:\.post(?P<post>\d*))?(?:\.dev(?P<dev>\d*))?"
)


def plugin_version(package_version: str) -> str | None:
    """The plugin version the Go host derives from a package version, or None where it gives up:
    at least 3 segments; a/b/rc become -alpha./-beta./-rc.; .postN and .devN become +postN, +devN
    (+postNdevM together). Epochs and local versions are not translated."""
    match = _PEP440.fullmatch(package_version)
    if match is None:
        return None
    segments = match["release"].split(".")
    segments += ["0"] * (3 - len(segments))
    version = ".".join(segments)
    if match["pre"]:
        version += {"a": "-alpha.", "b": "-beta.", "rc": "-rc."}[match["pre"]] + match["pre_n"]
    if match["post"] is not None:
        version += "+post" + match["post"]
    if match["dev"] is not None:
        version += ("" if match["post"] is not None else "+") + "dev" + match["dev"]
    return version


def _options(info: language_pb2.ProgramInfo | None) -> dict[str, Any]:
    if info is None or not info.HasField("options"):
        return {}
    opts: struct_pb2.Struct = info.options
    return {key: opts[key] for key in opts.keys()}


@functools.cache
def _sdk_version() -> str:
    # Read from the distribution's metadata (no SDK import), once per process: GetPluginInfo and
    # GetProgramDependencies both report it, and importlib.metadata is imported only when asked.
    from importlib.metadata import version

    return version("pulumi")


class PythonLanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    """The subset of ``pulumirpc.LanguageRuntime`` that the engine needs for deployments."""

    def __init__(self, executor: str, engine_address: str, tracing: str) -> None:
        self.executor = executor
        self.engine_address = engine_address
        self.tracing = tracing
        self.root_directory = ""
        self._children: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    # ----- interpreter selection -------------------------------------------------------------

    def _python(
        self, info: language_pb2.ProgramInfo | None, pwd: str
    ) -> tuple[list[str], dict[str, str]]:
        """Return the interpreter command and environment overrides for running user code."""
        opts = _options(info)
        root = (info.root_directory if info is not None else "") or self.root_directory or pwd
        venv = opts.get("virtualenv")
        if not venv and opts.get("toolchain") == "uv":
            venv = ".venv"
        if opts.get("toolchain") == "poetry" and not venv:
            raise RuntimeError(
                "toolchain 'poetry' is not supported by the stand-in language host "
                "(scripts/pulumi_language_python.py); set runtime.options.virtualenv instead"
            )
        if venv:
            venv_dir = Path(str(venv))
            if not venv_dir.is_absolute():
                venv_dir = Path(root) / venv_dir
            python = venv_dir / "bin" / "python"
            if not python.exists():
                raise RuntimeError(
                    f"The 'virtualenv' option in Pulumi.yaml is set to {str(venv)!r}, but "
                    f"{python} does not exist. Create it with: python3 -m venv {venv_dir}"
                )
            path = f"{venv_dir / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
            return [str(python)], {"VIRTUAL_ENV": str(venv_dir), "PATH": path}
        cmd = os.environ.get("PULUMI_PYTHON_CMD") or "python3"
        import shutil  # only here and in _find_executor, both off the usual path: lazy

        if shutil.which(cmd) is None:
            raise RuntimeError(f"Python interpreter {cmd!r} not found (set PULUMI_PYTHON_CMD)")
        return [cmd], {}

    # ----- RPCs ------------------------------------------------------------------------------

    def GetPluginInfo(self, request: empty_pb2.Empty, context: Any) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=_sdk_version())

    def Handshake(
        self, request: language_pb2.LanguageHandshakeRequest, context: Any
    ) -> language_pb2.LanguageHandshakeResponse:
        if request.engine_address:
            self.engine_address = request.engine_address
        if request.HasField("root_directory"):
            self.root_directory = request.root_directory
        return language_pb2.LanguageHandshakeResponse()

    def GetRequiredPackages(
        self, request: language_pb2.GetRequiredPackagesRequest, context: Any
    ) -> language_pb2.GetRequiredPackagesResponse:
        info = request.info if request.HasField("info") else None
        try:
            python, extra_env = self._python(info, os.getcwd())
            probe = subprocess.run(
                [*python, "-c", _PACKAGES_PROBE],
                capture_output=True,
                text=True,
                env={**os.environ, **extra_env},
                check=True,
                timeout=120,
            )
            installed: list[list[str]] = json.loads(probe.stdout)
        except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as exc:
            context.abort(grpc.StatusCode.UNKNOWN, f"listing Python packages: {exc}")
            raise AssertionError("unreachable") from exc  # abort raises
        packages = []
        for name, version, marker in installed:
            if name in _PACKAGES_WITHOUT_PLUGINS:
                continue
            plugin: dict[str, Any] | None = None
            if marker:
                try:
                    plugin = json.loads(Path(marker).read_text())
                except (OSError, ValueError) as exc:
                    context.abort(grpc.StatusCode.UNKNOWN, f"parsing {marker}: {exc}")
            if plugin is None and not name.startswith("pulumi-"):
                continue
            if plugin is not None and not plugin.get("resource"):
                continue  # the package says it has no plugin (what pulumi_ldmetrics ships)
            plugin = plugin or {}
            plugin_ver = plugin.get("version") or plugin_version(version)
            if not plugin_ver:
                continue
            packages.append(
                plugin_pb2.PackageDependency(
                    name=plugin.get("name") or name.removeprefix("pulumi-"),
                    version=plugin_ver if plugin_ver.startswith("v") else "v" + plugin_ver,
                    kind="resource",
                    server=plugin.get("server") or "",
                )
            )
        return language_pb2.GetRequiredPackagesResponse(packages=packages)

    def InstallDependencies(
        self, request: language_pb2.InstallDependenciesRequest, context: Any
    ) -> Iterator[language_pb2.InstallDependenciesResponse]:
        msg = "stand-in language host: dependencies are not installed; use the project's venv\n"
        yield language_pb2.InstallDependenciesResponse(stderr=msg.encode())

    def RuntimeOptionsPrompts(
        self, request: language_pb2.RuntimeOptionsRequest, context: Any
    ) -> language_pb2.RuntimeOptionsResponse:
        return language_pb2.RuntimeOptionsResponse()

    def Template(
        self, request: language_pb2.TemplateRequest, context: Any
    ) -> language_pb2.TemplateResponse:
        return language_pb2.TemplateResponse()

    def About(self, request: language_pb2.AboutRequest, context: Any) -> language_pb2.AboutResponse:
        # Called at the start of every update (for its metadata): must not fail.
        meta = {"host": "scripts/pulumi_language_python.py (stand-in)"}
        try:
            cmd, extra = self._python(request.info, os.getcwd())
            probe = "import sys, platform; print(sys.executable); print(platform.python_version())"
            out = subprocess.run(
                [*cmd, "-c", probe],
                capture_output=True,
                text=True,
                env={**os.environ, **extra},
                check=True,
                timeout=30,
            ).stdout.splitlines()
            return language_pb2.AboutResponse(executable=out[0], version=out[1], metadata=meta)
        except (RuntimeError, OSError, IndexError, subprocess.SubprocessError) as exc:
            meta["error"] = str(exc)
            return language_pb2.AboutResponse(metadata=meta)

    def GetProgramDependencies(
        self, request: language_pb2.GetProgramDependenciesRequest, context: Any
    ) -> language_pb2.GetProgramDependenciesResponse:
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[language_pb2.DependencyInfo(name="pulumi", version=_sdk_version())]
        )

    def Run(self, request: language_pb2.RunRequest, context: Any) -> language_pb2.RunResponse:
        info = request.info if request.HasField("info") else None
        try:
            python, extra_env = self._python(info, request.pwd)
        except RuntimeError as exc:
            return language_pb2.RunResponse(error=str(exc))

        args = [*python, "-u", self.executor]

        def flag(name: str, value: str) -> None:
            if value:
                args.extend([f"--{name}", value])

        flag("monitor", request.monitor_address)
        flag("engine", self.engine_address)
        flag("project", request.project)
        flag("stack", request.stack)
        flag("pwd", request.pwd)
        flag("dry_run", "true" if request.dryRun else "false")
        flag("parallel", str(request.parallel))
        flag("tracing", self.tracing)
        flag("organization", request.organization)
        flag("root_directory", info.root_directory if info is not None else "")
        program = request.program or "."
        if info is not None and info.program_directory:
            program = os.path.join(info.program_directory, info.entry_point or ".")
        args.append(program)
        args.extend(request.args)

        env = {**os.environ, **extra_env}
        if extra_env:  # a virtualenv is activated: like `activate`, drop PYTHONHOME
            env.pop("PYTHONHOME", None)
        env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
        try:
            # stdout/stderr are inherited: the engine reads ours and shows them as diagnostics.
            proc = subprocess.Popen(args, cwd=request.pwd or None, env=env)
        except OSError as exc:
            return language_pb2.RunResponse(
                error=f"Problem executing program (could not run language executor): {exc}"
            )
        with self._lock:
            self._children.add(proc)
        # The Go host runs the program under the Run call's context: an engine that cancels or
        # drops the call interrupts the program (a normal return finds it already exited).
        context.add_callback(lambda: _interrupt(proc))
        try:
            code = proc.wait()
        finally:
            with self._lock:
                self._children.discard(proc)
        if code == 0:
            return language_pb2.RunResponse()
        if code == _EXIT_AFTER_USER_MESSAGE:
            return language_pb2.RunResponse(bail=True)
        if code < 0:
            return language_pb2.RunResponse(error=f"Program exited unexpectedly: signal {-code}")
        return language_pb2.RunResponse(error=f"Program exited with non-zero exit code: {code}")

    def Cancel(self, request: empty_pb2.Empty, context: Any) -> empty_pb2.Empty:
        with self._lock:
            children = list(self._children)
        for proc in children:
            _interrupt(proc)
        return empty_pb2.Empty()


def _interrupt(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT now, SIGKILL if the program is still running after the grace period."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)

    def kill_if_running() -> None:
        if proc.poll() is None:
            proc.kill()

    timer = threading.Timer(_INTERRUPT_GRACE_S, kill_if_running)
    timer.daemon = True
    timer.start()


def _find_executor(given: str | None) -> str:
    if given:
        return given
    import shutil

    found = shutil.which("pulumi-language-python-exec")
    if found is None:
        sys.exit("pulumi-language-python: could not find `pulumi-language-python-exec` on the PATH")
    return found


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> None:
    parser = argparse.ArgumentParser(prog="pulumi-language-python", allow_abbrev=False)
    parser.add_argument("--tracing", default="")
    parser.add_argument("--use-executor", "-use-executor", dest="executor", default=None)
    parser.add_argument("--logtostderr", "-logtostderr", action="store_true")
    parser.add_argument("--logflow", "-logflow", action="store_true")
    parser.add_argument("-v", dest="verbose", default="0")
    parser.add_argument("engine_address", nargs="?", default="")
    # Flags the Go host accepts that do not matter here (e.g. -root, -virtualenv) are ignored.
    ns, _unknown = parser.parse_known_args(argv)

    host = PythonLanguageHost(_find_executor(ns.executor), ns.engine_address, ns.tracing)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[
            ("grpc.max_receive_message_length", _MAX_MESSAGE),
            ("grpc.max_send_message_length", _MAX_MESSAGE),
        ],
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    if environ.get("PULUMI_LANGUAGE_PYTHON_DEBUG"):
        sys.stderr.write(f"stand-in pulumi-language-python serving on {port}\n")

    def stop(_signum: int, _frame: object) -> None:
        server.stop(grace=1)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
