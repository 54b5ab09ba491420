"""Fixtures for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_ldmetrics import _redact


@pytest.fixture(autouse=True)
def forget_secrets() -> Iterator[None]:
    """Each test starts with no registered secret, as a provider process does: tokens of other
    tests (`api-import-tests-…`) would otherwise scrub ordinary words from its messages."""
    _redact.clear()
    yield
    _redact.clear()
