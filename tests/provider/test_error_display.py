"""What the engine receives when a provider call fails, on the SDK this venv has.

The SDK's host changed how it reports exceptions (see pulumi_ldmetrics/_host_errors.py): older
releases let gRPC send ``Exception calling application: <message>``, newer ones send
``traceback.format_exc()``. Our expected errors must arrive as their one-line message on both,
so these tests run in the main .venv (newest SDK) and in scripts/min-sdk.sh's venv (the oldest
SDK pyproject.toml accepts), each asserting the exact text for its own host.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2 as pb

from pulumi_ldmetrics.emulator import EmulatorServer

from .conftest import READER_TOKEN, TOKEN
from .engine_host import URN_PREFIX, HostProcess, host_env, strip_provider, to_struct

SIGNUP = {
    "project_key": "web",
    "key": "signup",
    "name": "Signup",
    "kind": "custom",
    "event_key": "signup-done",
}
GRPC_PREFIX = "Exception calling application: "


def _host_source() -> str:
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).read_text()


SDK = importlib.metadata.version("pulumi")
# Read from the SDK itself, so the expectation follows the SDK installed in this venv.
HOST_FORMATS_TRACEBACKS = "traceback.format_exc()" in _host_source()


def _expected_details(message: str) -> str:
    return message if HOST_FORMATS_TRACEBACKS else GRPC_PREFIX + message


def _details(call: Callable[[], Any]) -> str:
    with pytest.raises(grpc.RpcError) as info:
        call()
    assert info.value.code() == grpc.StatusCode.UNKNOWN
    details = info.value.details()
    assert details is not None
    return details


def _host(server: EmulatorServer, config: dict[str, str]) -> HostProcess:
    process = HostProcess(host_env())
    process.configure(
        {"ldmetrics:apiHost": server.url, "ldmetrics:maxRetries": "0", **config},
        secret_keys=("ldmetrics:accessToken",),
    )
    return process


@pytest.mark.parametrize(
    ("token", "spec", "message"),
    [
        (
            "wrong-token",
            SIGNUP,
            "creating metric web/signup: 401 unauthorized: Invalid access token",
        ),
        (READER_TOKEN, SIGNUP, "creating metric web/signup: 403 forbidden"),
        (TOKEN, {**SIGNUP, "project_key": "nope"}, "creating metric nope/signup: 404"),
    ],
    ids=["401", "403", "404-project"],
)
def test_api_error_reaches_the_engine_as_its_one_line_message(
    server: EmulatorServer, token: str, spec: dict[str, Any], message: str
) -> None:
    process = _host(server, {"ldmetrics:accessToken": token})
    try:
        checked, failures = process.check("signup", {}, spec)
        assert failures == []
        details = _details(lambda: process.create("signup", strip_provider(checked)))
    finally:
        process.close()
    assert "\n" not in details, details
    assert details.startswith(_expected_details(message)), (details, SDK)
    assert "Traceback" not in "".join(process.stderr)


def test_existing_key_and_missing_token_are_one_line_too(server: EmulatorServer) -> None:
    process = _host(server, {"ldmetrics:accessToken": TOKEN})
    try:
        checked, _ = process.check("signup", {}, SIGNUP)
        process.create("signup", strip_provider(checked))
        exists = _details(lambda: process.create("again", strip_provider(checked)))
    finally:
        process.close()
    assert "\n" not in exists
    assert exists.startswith(
        _expected_details("creating metric web/signup: a metric with this key already exists")
    ), exists

    process = _host(server, {})
    try:
        # configure() validates the settings: the preview's first check reports it.
        missing = _details(lambda: process.check("signup", {}, SIGNUP))
    finally:
        process.close()
    assert "\n" not in missing
    assert missing.startswith(_expected_details("")) and "ldmetrics:accessToken" in missing


def test_an_unexpected_error_keeps_the_hosts_own_report(server: EmulatorServer) -> None:
    """Only our errors are shortened: a failure we did not anticipate (here the host's own
    KeyError for a Read without ``__provider``, the engine limitation behind ``import_``) keeps
    whatever the SDK reports, a traceback on newer SDKs, because that is what a bug report needs."""
    process = _host(server, {"ldmetrics:accessToken": TOKEN})
    try:
        process.check("signup", {}, SIGNUP)  # loads and configures the provider first
        details = _details(
            lambda: process.stub.Read(
                pb.ReadRequest(
                    id="web/signup",
                    urn=URN_PREFIX + "signup",
                    properties=to_struct({}),
                    inputs=to_struct({}),
                )
            )
        )
    finally:
        process.close()
    if HOST_FORMATS_TRACEBACKS:
        assert details.startswith("Traceback (most recent call last):"), details
        assert details.rstrip().endswith("KeyError: '__provider'"), details
    else:
        assert details == GRPC_PREFIX + "'__provider'"
