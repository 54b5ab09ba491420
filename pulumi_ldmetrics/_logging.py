"""Opt-in diagnostics for the provider process: `LDMETRICS_LOG=debug|info`.

The provider host's stderr reaches the user as engine diagnostics, so that is where logs go.
`pulumi.log` cannot be used inside provider methods (no engine connection in that process, and
dill chokes on its protobufs, pulumi/pulumi#20409). Log lines never carry the token: the client
logs method, URL and status only, and the handler scrubs every record (`_redact`) anyway.
"""

from __future__ import annotations

import logging
import os

from pulumi_ldmetrics._redact import RedactingFilter

ENV_LOG_LEVEL = "LDMETRICS_LOG"


def configure_from_env() -> None:
    """Attach a stderr handler to the package logger if `LDMETRICS_LOG` asks for one."""
    level_name = os.environ.get(ENV_LOG_LEVEL, "").strip().upper()
    if not level_name:
        return
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        return
    package_logger = logging.getLogger("pulumi_ldmetrics")
    if not package_logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("ldmetrics %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())  # every record of every module, whatever it says
        package_logger.addHandler(handler)
    package_logger.setLevel(level)
