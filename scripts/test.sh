#!/usr/bin/env bash
# The whole test suite: lint, types, then every test (unit, emulator over sockets, the real
# provider host over gRPC, and end-to-end runs of the real Pulumi CLI) on the newest SDK, then
# the SDK-dependent tests again on the oldest supported SDK (scripts/min-sdk.sh), then the built
# packages in clean virtualenvs (scripts/check-package.sh). Arguments are passed to pytest and
# run only the main suite.
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
echo "[test] pytest (Pulumi CLI $(pulumi version 2>/dev/null || echo missing), SDK $(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("pulumi"))'))" >&2
status=0
.venv/bin/python -m pytest "$@" || status=$?
# The whole suite (no arguments) also covers the oldest SDK pyproject.toml accepts; a failure in
# either run fails the script, after both have reported.
if [ $# -eq 0 ]; then
  echo "[test] minimum supported SDK (scripts/min-sdk.sh)" >&2
  scripts/min-sdk.sh || status=$?
  echo "[test] the built wheel and sdist in clean virtualenvs (scripts/check-package.sh)" >&2
  scripts/check-package.sh || status=$?
fi
exit "$status"
