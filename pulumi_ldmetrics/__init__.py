"""Manage LaunchDarkly experimentation metrics as code with Pulumi."""

from pulumi_ldmetrics._version import __version__

__all__ = ["__version__"]
