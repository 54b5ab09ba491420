"""Pulumi program of the repository's own stack: the quickstart example."""

import runpy
from pathlib import Path

QUICKSTART = Path(__file__).parent / "examples" / "quickstart" / "__main__.py"
runpy.run_path(str(QUICKSTART), run_name="__main__")
