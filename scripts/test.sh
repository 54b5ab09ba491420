#!/usr/bin/env bash
# The whole test suite: lint, types, then every test (unit, emulator over sockets, the real
# provider host over gRPC, and end-to-end runs of the real Pulumi CLI).
# With CI set, tests that need the Pulumi CLI fail instead of skipping when it is missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/bootstrap.sh
export PATH="$root/.tools/pulumi/bin:$PATH"
echo "[test] ruff" >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "[test] mypy --strict" >&2
.venv/bin/mypy pulumi_ldmetrics tests scripts/pulumi_language_python.py $( [ -d benchmarks ] && echo benchmarks )
for example in __main__.py examples/*/__main__.py; do .venv/bin/mypy "$example"; done  # each is module __main__
echo "[test] pytest" >&2
exec .venv/bin/python -m pytest "$@"
