"""Keep provider errors one line long when Pulumi's dynamic-provider host reports them.

The host (``python -m pulumi.dynamic``, module ``pulumi/dynamic/__main__.py`` of the SDK) turns an
exception raised by the provider into the gRPC status the engine prints as the resource's error:

- up to SDK 3.259 gRPC does it: ``Exception calling application: <str(exc)>``, one line;
- from 3.260 on the host wraps every handler in ``_abort_with_traceback``, which aborts the call
  with ``traceback.format_exc()``: a ~20-line traceback whose first line is
  ``Traceback (most recent call last):`` and whose last line carries the message.

Our own errors (the :mod:`pulumi_ldmetrics.errors` tree) are expected failures written to be read
as is (``creating metric web/signup: 401 unauthorized: ...``): a traceback in front of them only
pushes the message out of sight. The host looks ``traceback.format_exc`` up through its module
global ``traceback`` at the moment it formats an error, so :func:`install` puts a stand-in there
that returns ``str(exc)`` for those errors and the real traceback for everything else (a bug
keeps its traceback, which is what a bug report needs).

This is the only cooperation point the host offers: it has no option or hook for the error
format, and the servicer methods are bound at server start. :func:`install` changes nothing when
the running host is not that module, has no ``traceback`` global (the older SDKs, already one
line) or holds something other than the stdlib module there (a newer SDK changed; the tests in
``tests/provider/test_error_display.py`` then fail on that SDK instead of users reading
tracebacks).
"""

from __future__ import annotations

import sys
import threading
import traceback
from types import ModuleType
from typing import Any

from pulumi_ldmetrics import _redact
from pulumi_ldmetrics.errors import LDMetricsError

__all__ = ["EXPECTED_ERRORS", "format_host_error", "install"]

HOST_MODULE = "pulumi.dynamic.__main__"
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (LDMetricsError,)
"""Exceptions whose message is the whole story; anything else is shown with its traceback."""

_install_lock = threading.Lock()


def format_host_error(limit: int | None = None, chain: bool = True) -> str:
    """``traceback.format_exc`` for the host: the one-line message of an expected error."""
    exc = sys.exc_info()[1]
    if isinstance(exc, EXPECTED_ERRORS):
        return _redact.scrub(str(exc))
    # A bug's traceback prints locals' reprs and chained messages: the last place a secret
    # could slip through, so it passes the same scrub as every message.
    return _redact.scrub(traceback.format_exc(limit=limit, chain=chain))


class _HostTraceback(ModuleType):
    """What the host finds under its ``traceback`` global: the stdlib module but ``format_exc``."""

    def __init__(self) -> None:
        super().__init__("traceback", traceback.__doc__)

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(limit: int | None = None, chain: bool = True) -> str:
        return format_host_error(limit, chain)


def _running_host() -> ModuleType | None:
    """The SDK's provider host module when this process is that host (``-m pulumi.dynamic``)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return main if getattr(spec, "name", None) == HOST_MODULE else None


def install() -> bool:
    """Make the running provider host show expected errors as one line; True when in place.

    Idempotent and thread-safe (the host calls ``configure()`` from its worker threads).
    """
    host = _running_host()
    if host is None:
        return False
    with _install_lock:
        current = getattr(host, "traceback", None)
        if isinstance(current, _HostTraceback):
            return True
        if current is not traceback:
            return False
        setattr(host, "traceback", _HostTraceback())  # noqa: B010  (a module global)
        return True
