"""Timing hooks for `preview_split`, installed as `sitecustomize.py` in the CLI's children.

Self-contained on purpose: `preview_split` copies this file's text into a temp directory on
`PYTHONPATH`, so it must import nothing from the repository. With `LDMETRICS_SPLIT_DIR` set,
the provider host writes `provider-<pid>.json` there: wall and CPU seconds spent in each gRPC
handler (Check, Diff, ...) and, inside them, in `MetricProvider`'s own methods, so the SDK's
share (deserializing, unpickling `__provider`, serializing) is the difference; also when the
interpreter reached `sitecustomize`, and its CPU at the last write. With
`LDMETRICS_SPLIT_PROFILE` also set, the provider host (per handler thread) and the program (its
main thread) write cProfile stats, `<role>-<pid>.prof`.

The file is rewritten by a daemon thread within 0.1 s of a call and at exit, because the engine
may stop the provider host by signal (the totals then miss at most the last 0.1 s).
"""

from __future__ import annotations

import atexit
import cProfile
import functools
import importlib.abc
import importlib.machinery
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_DIR = os.environ.get("LDMETRICS_SPLIT_DIR")
_REACHED = time.monotonic()
_stats: dict[str, list[float]] = {}
"""name -> [calls, wall seconds, thread CPU seconds]"""
_lock = threading.Lock()
_PROFILE = os.environ.get("LDMETRICS_SPLIT_PROFILE")
"""With this set (to anything), also write cProfile stats: `<role>-<pid>.prof`."""
_profiles: dict[int, cProfile.Profile] = {}
"""Per thread of the provider host: a profile is enabled around each gRPC handler."""


def _record(name: str, wall: float, cpu: float) -> None:
    with _lock:
        entry = _stats.setdefault(name, [0.0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += wall
        entry[2] += cpu


def _timed(name: str, fn: Callable[..., Any], profile: bool = False) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        prof = None
        if profile and _PROFILE:
            prof = _profiles.setdefault(threading.get_ident(), cProfile.Profile())
            prof.enable()
        w0, c0 = time.monotonic(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _record(name, time.monotonic() - w0, time.thread_time() - c0)
            if prof is not None:
                prof.disable()

    return wrapper


def _wrap_servicer(module: ModuleType) -> None:
    # The dynamic host runs as `-m pulumi.dynamic` (runpy, no import hook reaches it), but it
    # registers its servicer through this function: wrap the handlers as they are added.
    original = getattr(module, "add_ResourceProviderServicer_to_server")  # noqa: B009

    def add(servicer: Any, server: Any) -> Any:
        for rpc in ("Check", "Diff", "Create", "Update", "Delete", "Read", "Configure"):
            setattr(servicer, rpc, _timed(f"rpc {rpc}", getattr(servicer, rpc), profile=True))
        return original(servicer, server)

    setattr(module, "add_ResourceProviderServicer_to_server", add)  # noqa: B010 - a module, not typed


def _wrap_provider(module: ModuleType) -> None:
    cls = module.MetricProvider
    for method in ("check", "diff", "read", "configure"):
        setattr(cls, method, _timed(f"provider {method}", getattr(cls, method)))


_HOOKS: dict[str, Callable[[ModuleType], None]] = {
    "pulumi.runtime.proto.provider_pb2_grpc": _wrap_servicer,
    "pulumi_ldmetrics.provider": _wrap_provider,
}


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader, hook: Callable[[ModuleType], None]) -> None:
        self.inner, self.hook = inner, hook

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        self.hook(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Runs a hook right after one of `_HOOKS`'s modules is executed."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        hook = _HOOKS.get(name)
        if hook is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, hook)
        return spec


def _role() -> str:
    if "pulumi.dynamic" in sys.orig_argv:
        return "provider"
    argv = " ".join(sys.orig_argv)
    if "pulumi-language-python-exec" in argv:
        return "program"
    if "pulumi_language_python" in argv:
        return "langhost"
    return "python"


def _flush() -> None:
    if not _DIR:
        return
    with _lock:
        stats = {k: list(v) for k, v in _stats.items()}
    times = os.times()
    data = {
        "pid": os.getpid(),
        "role": _role(),
        "argv": sys.orig_argv,
        "sitecustomize_at": _REACHED,
        "flushed_at": time.monotonic(),
        "cpu_s": times.user + times.system,
        "stats": stats,
    }
    path = os.path.join(_DIR, f"{data['role']}-{os.getpid()}.json")
    with open(path + ".tmp", "w") as fh:
        json.dump(data, fh)
    os.replace(path + ".tmp", path)


def _dump_profiles() -> None:
    if not (_DIR and _PROFILE):
        return
    import pstats  # noqa: PLC0415 - only when profiling

    profiles = list(_profiles.values())
    if profiles:
        stats = pstats.Stats(profiles[0])
        for prof in profiles[1:]:
            stats.add(prof)
        stats.dump_stats(os.path.join(_DIR, f"{_role()}-{os.getpid()}.prof"))


def _flusher() -> None:
    # Only when something changed: an idle host must not burn CPU (a long `pulumi import`
    # keeps it idle for minutes, and rewriting the file every tick cost it 2 % of a core).
    written = -1.0
    while True:
        time.sleep(0.1)
        with _lock:
            calls = sum(entry[0] for entry in _stats.values())
        if calls != written:
            _flush()
            written = calls


if _DIR and _role() == "provider":
    sys.meta_path.insert(0, _Finder())
    atexit.register(_flush)
    atexit.register(_dump_profiles)
    threading.Thread(target=_flusher, daemon=True, name="split-flush").start()
elif _DIR and _PROFILE and _role() == "program":
    # The program's own thread: construction, validation, and the SDK's serialization on the
    # event loop; its gRPC calls wait in executor threads (not profiled).
    _profiles[threading.get_ident()] = cProfile.Profile()
    _profiles[threading.get_ident()].enable()
    atexit.register(_dump_profiles)
