"""Start-up of the stand-in language host (``scripts/pulumi_language_python.py``).

The CLI starts the host twice per deployment, so it imports only grpc, google.protobuf and the
SDK's generated stubs, never the Pulumi SDK's package ``__init__`` files; these tests fail if it
does, and check that it still serves (port alone on stdout, the SDK version from GetPluginInfo)
and leaves a later ``import pulumi`` in the same process intact.
"""

from __future__ import annotations

import importlib.metadata
import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import grpc
from google.protobuf import (  # type: ignore[import-untyped,unused-ignore]  # types-protobuf is optional
    empty_pb2,
)
from pulumi.runtime.proto import language_pb2_grpc

HOST = Path(__file__).resolve().parents[1] / "scripts" / "pulumi_language_python.py"

# Loads the host as a module (what its start does up to main()) in a fresh interpreter.
_LOAD_HOST = f"""
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("pulumi_language_python", {str(HOST)!r})
host = importlib.util.module_from_spec(spec)
spec.loader.exec_module(host)
"""


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_loading_the_host_does_not_import_the_sdk() -> None:
    out = _python(
        _LOAD_HOST
        + """
print(json.dumps({
    "modules": sorted(n for n in sys.modules if n == "pulumi" or n.startswith("pulumi.")),
    "stubs": [host.language_pb2.__name__, host.language_pb2_grpc.__name__,
              host.plugin_pb2.__name__],
    "servicer": host.PythonLanguageHost.__mro__[1].__name__,
}))
"""
    )
    found = json.loads(out)
    # Neither the SDK (pulumi.runtime.settings, pulumi.output, ...) nor the stand-in packages the
    # stubs were loaded through are left behind.
    assert found["modules"] == []
    assert found["stubs"] == [
        "pulumi.runtime.proto.language_pb2",
        "pulumi.runtime.proto.language_pb2_grpc",
        "pulumi.runtime.proto.plugin_pb2",
    ]
    assert found["servicer"] == "LanguageRuntimeServicer"


def test_the_sdk_imported_after_the_host_is_the_real_one() -> None:
    out = _python(
        _LOAD_HOST
        + """
import pulumi
import pulumi.runtime.proto.language_pb2 as stubs
print(json.dumps({
    "output": hasattr(pulumi, "Output"),
    "settings": "pulumi.runtime.settings" in sys.modules,
    "attribute": pulumi.runtime.proto.language_pb2 is stubs,
    "same_messages": stubs.RunRequest is host.language_pb2.RunRequest,
}))
"""
    )
    assert json.loads(out) == {
        "output": True,
        "settings": True,
        "attribute": True,
        "same_messages": True,
    }


def test_a_process_that_already_imported_the_sdk_shares_its_stubs() -> None:
    out = _python(
        """
import pulumi.runtime.proto.language_pb2 as sdk_stubs
"""
        + _LOAD_HOST
        + """
print(json.dumps(host.language_pb2 is sdk_stubs))
"""
    )
    assert json.loads(out) is True


def test_the_host_prints_only_its_port_and_reports_the_sdk_version() -> None:
    proc = subprocess.Popen(
        [sys.executable, str(HOST), "--use-executor", "/bin/true", "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline()
        assert port.endswith("\n") and port.strip().isdigit(), port
        with grpc.insecure_channel(f"127.0.0.1:{port.strip()}") as channel:
            stub = language_pb2_grpc.LanguageRuntimeStub(channel)
            info = stub.GetPluginInfo(empty_pb2.Empty(), timeout=30)
            again = stub.GetPluginInfo(empty_pb2.Empty(), timeout=30)
        assert info.version == again.version == importlib.metadata.version("pulumi")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert out == ""
    assert err == ""
