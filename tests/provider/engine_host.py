"""Drive the real `python -m pulumi.dynamic` provider host over gRPC, the way the engine does.

This is the engine stand-in for protocol-level tests: pickling, `configure`, unknowns, error
text, concurrency and `ReadResult(inputs=...)` all go through the real host process.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2 as pb, provider_pb2_grpc as pbg

from pulumi_ldmetrics.provider import MetricProvider

URN_PREFIX = "urn:pulumi:dev::ldmetrics-test::pulumi-python:dynamic/ldmetrics:Metric::"
PROVIDER = serialize_provider(MetricProvider())
UNKNOWN = rpc.UNKNOWN


def to_struct(values: Mapping[str, Any]) -> Any:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(values), {}))
    finally:
        loop.close()


def from_struct(struct: Any) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


@dataclass
class HostProcess:
    """A running provider host; `stderr` collects everything it printed."""

    env: dict[str, str]
    stderr: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        port = int(self.proc.stdout.readline())
        # Drain both pipes, or the host blocks once a pipe buffer fills.
        out, err = self.proc.stdout, self.proc.stderr
        self._drains = [
            threading.Thread(target=out.read, daemon=True),
            threading.Thread(target=lambda: self.stderr.extend(err), daemon=True),
        ]
        for thread in self._drains:
            thread.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = pbg.ResourceProviderStub(self.channel)

    def close(self) -> None:
        self.channel.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        for thread in self._drains:
            thread.join(timeout=5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()

    # Each call mirrors one engine RPC; props never need `__provider`, it is added here.

    def configure(self, config: Mapping[str, str], secret_keys: tuple[str, ...] = ()) -> None:
        args = {k: rpc.wrap_rpc_secret(v) if k in secret_keys else v for k, v in config.items()}
        self.stub.Configure(pb.ConfigureRequest(args=to_struct(args)))

    def check(
        self, name: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        olds_p = {**olds, "__provider": PROVIDER} if olds else {}
        r = self.stub.Check(
            pb.CheckRequest(
                urn=URN_PREFIX + name,
                olds=to_struct(olds_p),
                news=to_struct({**news, "__provider": PROVIDER}),
            )
        )
        return from_struct(r.inputs), [(f.property, f.reason) for f in r.failures]

    def diff(self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Any:
        return self.stub.Diff(
            pb.DiffRequest(
                id=id_,
                urn=URN_PREFIX + name,
                olds=to_struct({**olds, "__provider": PROVIDER}),
                news=to_struct({**news, "__provider": PROVIDER}),
            )
        )

    def create(self, name: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        r = self.stub.Create(
            pb.CreateRequest(
                urn=URN_PREFIX + name, properties=to_struct({**props, "__provider": PROVIDER})
            )
        )
        return r.id, from_struct(r.properties)

    def update(
        self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        r = self.stub.Update(
            pb.UpdateRequest(
                id=id_,
                urn=URN_PREFIX + name,
                olds=to_struct({**olds, "__provider": PROVIDER}),
                news=to_struct({**news, "__provider": PROVIDER}),
            )
        )
        return from_struct(r.properties)

    def read(
        self, name: str, id_: str, props: Mapping[str, Any], inputs: Mapping[str, Any] | None = None
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        r = self.stub.Read(
            pb.ReadRequest(
                id=id_,
                urn=URN_PREFIX + name,
                properties=to_struct({**props, "__provider": PROVIDER}),
                inputs=to_struct({**(inputs or props), "__provider": PROVIDER}),
            )
        )
        return r.id, from_struct(r.properties), from_struct(r.inputs)

    def delete(self, name: str, id_: str, props: Mapping[str, Any]) -> None:
        self.stub.Delete(
            pb.DeleteRequest(
                id=id_,
                urn=URN_PREFIX + name,
                properties=to_struct({**props, "__provider": PROVIDER}),
            )
        )


def host_env(**extra: str) -> dict[str, str]:
    """The environment the engine gives the plugin: ours, minus LaunchDarkly settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHDARKLY_")}
    env["PULUMI_PROJECT"] = "ldmetrics-test"
    env.update(extra)
    return env


def strip_provider(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != "__provider"}
