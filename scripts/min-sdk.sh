#!/usr/bin/env bash
# Runs the tests that depend on the Pulumi Python SDK against the OLDEST SDK pyproject.toml
# accepts, because the SDK's dynamic-provider host changed how it reports provider exceptions
# between releases (docs/pulumi-cli.md, "Supported SDKs"): what users see must be checked on
# both ends of the supported range, not only on the newest SDK the main .venv has.
#
#   scripts/min-sdk.sh              # create/refresh .venv-min-sdk, then run the tests below
#   scripts/min-sdk.sh --venv-only  # only create/refresh .venv-min-sdk
#   scripts/min-sdk.sh -- -k 401    # extra pytest arguments after --
#
# Tests run (about 3 minutes): tests/provider (the real `python -m pulumi.dynamic` host over
# gRPC: pickling, configure, unknowns, error text, every CRUD call) and, with the real CLI, the
# error-display tests, the toolchain smoke test and the quickstart example's whole lifecycle
# (the program and the provider plugin run on this venv's interpreter, because the e2e harness
# names sys.executable's venv in Pulumi.yaml). scripts/test.sh runs this after the main suite.
# The minimum is read from the `pulumi>=X` requirement in pyproject.toml (PULUMI_MIN_SDK
# overrides it). The Pulumi CLI comes from scripts/install-pulumi.sh, as for the main suite.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
say() { printf '[min-sdk] %s\n' "$*" >&2; }

venv_only=""
pytest_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --venv-only) venv_only=1 ;;
    --) shift; pytest_args=("$@"); break ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) say "error: unknown argument: $1 (try --help)"; exit 2 ;;
  esac
  shift
done

python=${PYTHON_BOOTSTRAP:-python3}
min=${PULUMI_MIN_SDK:-$("$python" - <<'PY'
import re, pathlib
text = pathlib.Path("pyproject.toml").read_text()
match = re.search(r'"pulumi>=([0-9][0-9.]*)', text)
if not match:
    raise SystemExit("pyproject.toml has no 'pulumi>=X' requirement")
version = match.group(1)
print(version + ".0" * (2 - version.count(".")))  # 3.216 -> 3.216.0
PY
)}
venv=.venv-min-sdk
if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv with $($python --version 2>&1)"
  "$python" -m venv "$venv"
fi
have=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("pulumi"))' 2>/dev/null || true)
stamp="$venv/.ldmetrics-installed"
if [ "$have" != "$min" ] || [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "installing pulumi==$min and the package (editable, with test tools) into $venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  # Only the SDK is pinned: every other dependency resolves as it would for a user on that SDK.
  "$venv/bin/python" -m pip install -q -e '.[dev]' "pulumi==$min"
  touch "$stamp"
fi
say "$venv: pulumi $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("pulumi"))')"
[ -z "$venv_only" ] || exit 0

# The same CLI and stand-in language host as the main suite (idempotent; a second after a run).
scripts/bootstrap.sh
export PATH="$root/.tools/pulumi/bin:$PATH"
# -p no:cacheprovider: the main suite's .pytest_cache is not this SDK's business.
exec "$venv/bin/python" -m pytest -p no:cacheprovider tests/provider \
  tests/e2e/test_error_display.py tests/e2e/test_cli_smoke.py \
  "tests/e2e/test_metric_examples.py::test_example_lifecycle[quickstart]" \
  ${pytest_args[@]+"${pytest_args[@]}"}
