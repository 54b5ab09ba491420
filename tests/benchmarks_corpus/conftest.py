"""The e2e fixtures (`pulumi_cli`, `pulumi_stack`) for the corpus's one CLI test."""

from tests.e2e.conftest import pulumi_cli, pulumi_stack

__all__ = ["pulumi_cli", "pulumi_stack"]
