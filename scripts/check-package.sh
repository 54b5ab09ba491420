#!/usr/bin/env bash
# Builds the wheel and the sdist, installs each into a clean virtualenv holding nothing else, and
# checks what a user gets: the plugin marker and py.typed inside the installed package, the
# console scripts running, the provider importable. scripts/test.sh runs it after the suites.
#
#   scripts/check-package.sh            # build into a temporary directory, check, clean up
#   scripts/check-package.sh --keep     # leave the built files and venvs (path printed)
#
# Dependencies come from the package index (pip's cache makes a second run fast), resolved with
# constraints.txt like the dev environment; the wheel is built offline with the dev venv's
# hatchling.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
say() { printf '[check-package] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

keep=""
for arg in "$@"; do
  case $arg in
    --keep) keep=1 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (try --help)" ;;
  esac
done

[ -x .venv/bin/python ] || die ".venv is missing: run scripts/bootstrap.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/ldmetrics-package.XXXXXX")
if [ -z "$keep" ]; then trap 'rm -rf "$work"' EXIT; else say "keeping $work"; fi

start=$SECONDS
.venv/bin/python -m hatchling build -d "$work/dist" >/dev/null 2>"$work/build.log" \
  || { cat "$work/build.log" >&2; die "hatchling build failed"; }
wheel=$(ls "$work"/dist/pulumi_ldmetrics-*.whl)
sdist=$(ls "$work"/dist/pulumi_ldmetrics-*.tar.gz)
say "built $(basename "$wheel") and $(basename "$sdist")"

# Run in the installed environment, from a directory without the checkout, so nothing can be
# imported from the source tree by accident.
probe='
import importlib.metadata, importlib.resources, json, pathlib, sys
import pulumi_ldmetrics
from pulumi_ldmetrics.provider import MetricProvider  # the stable pickle path
pkg = pathlib.Path(pulumi_ldmetrics.__file__).parent
assert "site-packages" in str(pkg), f"imported from {pkg}, not from the installed package"
files = importlib.resources.files("pulumi_ldmetrics")
marker = json.loads(files.joinpath("pulumi-plugin.json").read_text())
assert marker == {"resource": False}, marker
assert files.joinpath("py.typed").is_file(), "py.typed missing"
dist = importlib.metadata.distribution("pulumi-ldmetrics")
scripts = sorted(e.name for e in dist.entry_points if e.group == "console_scripts")
assert scripts == ["ldmetrics", "ldmetrics-emulator"], scripts
print(f"{dist.version} from {pkg}")
'

for artifact in "$wheel" "$sdist"; do
  kind=${artifact##*.}
  venv="$work/venv-$kind"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$venv/bin/python" -m pip install -q -c "$root/constraints.txt" "$artifact" \
    || die "installing $(basename "$artifact") into a clean virtualenv failed"
  where=$(cd "$work" && "$venv/bin/python" -c "$probe") || die "$(basename "$artifact"): the installed package is incomplete"
  (cd "$work" && "$venv/bin/ldmetrics" --help >/dev/null) || die "ldmetrics --help failed ($kind)"
  (cd "$work" && "$venv/bin/ldmetrics-emulator" --help >/dev/null) || die "ldmetrics-emulator --help failed ($kind)"
  say "$(basename "$artifact"): installs alone, pulumi_ldmetrics $where, console scripts run"
done
say "package checks passed in $((SECONDS - start)) s"
