"""Throwaway variant for comparing diff modes: `diff` answers DIFF_UNKNOWN (``changes=None``).

Imported by a test program before it declares metrics. It swaps the provider class the
``Metric`` resource instantiates, so the pickled ``__provider`` names this module (importable
in the plugin, which runs in the program directory) and the engine computes the detailed diff
itself from old and new inputs. Replacement decisions still come from ``MetricProvider.diff``.
"""

from typing import Any

from pulumi.dynamic import DiffResult

import pulumi_ldmetrics.resource
from pulumi_ldmetrics.provider import MetricProvider


class UnknownDiffProvider(MetricProvider):
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        decided = super().diff(_id, olds, news)
        return DiffResult(
            changes=None,
            replaces=decided.replaces,
            delete_before_replace=decided.delete_before_replace,
        )


pulumi_ldmetrics.resource.MetricProvider = UnknownDiffProvider  # type: ignore[attr-defined]
