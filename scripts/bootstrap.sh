#!/usr/bin/env bash
# Installs everything the demo and the tests need, idempotently:
#   .venv/            Python virtualenv with pulumi-ldmetrics (editable) and its dev tools
#   .tools/pulumi/    the Pulumi CLI (scripts/install-pulumi.sh; no-op if one is on PATH)
# Needs: Python >= 3.10, Go (only if no Pulumi CLI is installed), git.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
say() { printf '[bootstrap] %s\n' "$*" >&2; }

python=${PYTHON_BOOTSTRAP:-python3}
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $($python --version 2>&1)"
  "$python" -m venv .venv
fi
stamp=.venv/.ldmetrics-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  say "installing Python dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'
  touch "$stamp"
else
  say "Python dependencies already installed"
fi
PYTHON="$root/.venv/bin/python" scripts/install-pulumi.sh
