#!/usr/bin/env bash
# Provides the Pulumi CLI for this project's end-to-end tests and demos, without release downloads.
#
#   scripts/install-pulumi.sh [--force]
#   export PATH="$PWD/.tools/pulumi/bin:$PATH"      # optional; tests/e2e look there first
#
# - Does nothing when a usable `pulumi` and `pulumi-language-python` are already on PATH (a normal
#   install), unless --force (or PULUMI_INSTALL_FORCE=1) is given.
# - Otherwise builds `pulumi` from Go modules at a PINNED version (3.274.1, or PULUMI_VERSION).
#   When the module proxy refuses that version it tries the fallbacks in turn (3.259.0, or
#   PULUMI_VERSION_FALLBACKS, space-separated) and says loudly which one it built. The CLI need
#   not match the Python SDK: the engine speaks to older and newer SDKs alike, and the proxy
#   reachable here serves only a few releases (docs/pulumi-cli.md).
# - The Go language host (module .../sdk/python/cmd/pulumi-language-python/v3) is tried too. Where
#   the module proxy refuses it, the project's stand-in scripts/pulumi_language_python.py is
#   installed instead, behind a small wrapper. See docs/pulumi-cli.md.
# - Installs pulumi, pulumi-language-python, pulumi-language-python-exec and
#   pulumi-resource-pulumi-python into .tools/pulumi/bin (git-ignored), and the built version
#   into .tools/pulumi/VERSION.
# - Caches each build in ${PULUMI_BUILD_CACHE:-~/.cache/pulumi-ldmetrics}/pulumi-v<version>, so a
#   second run only copies files. A cold build takes ~6 minutes on 2 cores and needs Go >= 1.26
#   for 3.274 (1.25 for 3.259).
#
# Environment: PYTHON (interpreter for the stand-in language host, default .venv/bin/python),
# PULUMI_VERSION, PULUMI_VERSION_FALLBACKS, PULUMI_BUILD_CACHE, PULUMI_INSTALL_FORCE,
# PULUMI_LANGUAGE_HOST_REF, GOPROXY/GOSUMDB (used as configured).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo_root/.tools/pulumi/bin"
say() { printf '[install-pulumi] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

force=${PULUMI_INSTALL_FORCE:-${LDMETRICS_FORCE_PULUMI_BUILD:-}}
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h|--help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (try --help)" ;;
  esac
done

# 1. A normal install on PATH wins (ignoring our own .tools directory).
if [ -z "$force" ] && existing=$(command -v pulumi 2>/dev/null) && [ "$existing" != "$dest/pulumi" ] \
   && existing_version=$(pulumi version 2>/dev/null) && [ -n "$existing_version" ]; then
  existing_dir=$(dirname "$(readlink -f "$existing")")
  if command -v pulumi-language-python >/dev/null 2>&1 || [ -x "$existing_dir/pulumi-language-python" ]; then
    say "using $existing ($existing_version) from PATH; nothing to do (--force builds anyway)"
    exit 0
  fi
  say "$existing has no pulumi-language-python next to it or on PATH; building a local CLI"
fi

# 2. The interpreter that runs the stand-in language host (and reads sdk/v3's commit below).
python_bin=${PYTHON:-}
if [ -z "$python_bin" ]; then
  if [ -x "$repo_root/.venv/bin/python" ]; then python_bin="$repo_root/.venv/bin/python"; else python_bin=python3; fi
fi
# sys.executable keeps the venv path (resolving the symlink would escape the venv).
python_exe=$("$python_bin" -c 'import sys; print(sys.executable)' 2>/dev/null) \
  || die "cannot run Python interpreter '$python_bin' (set PYTHON)"

# 3. The CLI version: the pin first, then the fallbacks, each only if the module proxy serves it.
pinned=${PULUMI_VERSION:-3.274.1}
pinned=${pinned#v}
candidates=("$pinned")
for v in ${PULUMI_VERSION_FALLBACKS-3.259.0}; do
  v=${v#v}
  [ "$v" = "$pinned" ] || candidates+=("$v")
done
cache_root=${PULUMI_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-ldmetrics}
version="" cache=""

cached_ok() {
  [ -x "$cache/bin/pulumi" ] && [ -x "$cache/bin/pulumi-language-python-exec" ] \
    && [ -x "$cache/bin/pulumi-resource-pulumi-python" ] \
    && [ "$("$cache/bin/pulumi" version 2>/dev/null)" = "v$version" ]
}

# Asks the module proxy for pkg/v3 and sdk/v3 at $version; prints the proxy's refusal if any.
# Run outside any module (and without GOFLAGS=-mod=mod, which Go rejects there).
served() {
  command -v go >/dev/null 2>&1 \
    || die "Go is required to build the Pulumi CLI (>= the 'go' line of pulumi's go.mod: 1.26 for 3.274, 1.25 for 3.259) and was not found on PATH; install Go (https://go.dev/doc/install) or install the Pulumi CLI normally"
  local out
  if out=$(cd "$cache" && GOFLAGS= go mod download -json \
             "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version" 2>&1); then
    return 0
  fi
  printf '%s\n' "$out" | grep '"Error"' | sed 's/^[[:space:]]*/[install-pulumi]     /' >&2 \
    || printf '%s\n' "$out" | tail -n 3 | sed 's/^/[install-pulumi]     /' >&2
  return 1
}

build() {
  export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
  local src="$cache/src" start=$SECONDS sdk_mod=github.com/pulumi/pulumi/sdk/v3 pkg_mod=github.com/pulumi/pulumi/pkg/v3
  local lang_mod=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
  local ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
  say "building Pulumi v$version with $(go version | cut -d' ' -f3) in $src (cold: ~6 min on 2 cores)"
  mkdir -p "$src/bin"
  cd "$src"

  local out

  # A wrapper module, because `go install pkg/v3/cmd/pulumi@v` refuses modules with replace directives.
  [ -f go.mod ] || go mod init example.invalid/pulumi-build >/dev/null 2>&1
  # Same replace as pulumi's own go.mod (the upstream clipboard module lacks a fix pulumi needs).
  go mod edit -replace github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s/cmd/pulumi"\n' "$pkg_mod" > tools.go
  rm -f tools_langhost.go

  # The language host has no tags: ask for the commit of the sdk/v$version tag (Go turns it into a
  # pseudo-version). Proxies that omit .Origin from the .info need PULUMI_LANGUAGE_HOST_REF.
  local ref=${PULUMI_LANGUAGE_HOST_REF:-} have_langhost=""
  [ -n "$ref" ] || ref=$(go mod download -json "$sdk_mod@v$version" | "$python_exe" -c \
    'import json,sys; print((json.load(sys.stdin).get("Origin") or {}).get("Hash", ""))')
  if [ -z "$ref" ]; then
    out="cannot tell the commit of sdk/v$version (the proxy's .info has no Origin); set PULUMI_LANGUAGE_HOST_REF=<commit> to try"
  elif out=$(go mod download -json "$lang_mod@$ref" 2>&1); then
    have_langhost=1
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$lang_mod" > tools_langhost.go
  fi
  if [ -z "$have_langhost" ]; then
    say "NOTE: cannot get the Go language host $lang_mod${ref:+@$ref}:"
    printf '%s\n' "$out" | grep -v '^[[:space:]]*$' | tail -n 3 | sed 's/^/[install-pulumi]     /' >&2
    say "NOTE: installing the project's stand-in language host scripts/pulumi_language_python.py instead"
  fi

  say "resolving modules (go get, go mod tidy; log in $src/go-mod.log)"
  if ! { go get "$pkg_mod@v$version" "$sdk_mod@v$version" ${have_langhost:+"$lang_mod@$ref"} \
         && go mod tidy; } >"$src/go-mod.log" 2>&1; then
    tail -n 20 "$src/go-mod.log" >&2
    die "resolving modules failed (see above). A 'requires go >= ...' error means Go $(go env GOVERSION) is too old (GOTOOLCHAIN=local)."
  fi

  if [ -x bin/pulumi ] && [ "$(bin/pulumi version 2>/dev/null)" = "v$version" ] && [ bin/pulumi -nt go.sum ]; then
    say "reusing $src/bin/pulumi"
  else
    say "go build pulumi (the slow part)"
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o bin/pulumi "$pkg_mod/cmd/pulumi"
  fi
  rm -f bin/pulumi-language-python
  if [ -n "$have_langhost" ]; then
    say "go build pulumi-language-python"
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o bin/pulumi-language-python "$lang_mod"
  fi

  # The scripts ship in the sdk/v3 module; the module cache drops their exec bits.
  local sdkdir
  sdkdir=$(go list -m -f '{{.Dir}}' "$sdk_mod")
  install -m 0755 "$sdkdir/python/dist/pulumi-resource-pulumi-python" bin/
  install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" bin/

  rm -rf "$cache/bin.tmp"
  cp -a bin "$cache/bin.tmp"
  rm -rf "$cache/bin"
  mv "$cache/bin.tmp" "$cache/bin"
  say "build finished in $((SECONDS - start))s"
}

refused=()
for version in "${candidates[@]}"; do
  cache=$cache_root/pulumi-v$version
  mkdir -p "$cache"
  if command -v flock >/dev/null 2>&1; then
    # One build per version at a time (a second run waits, then finds the cache).
    exec 9>"$cache/.lock"
    flock -w 3600 9 || die "timed out waiting for another install-pulumi.sh on $cache/.lock"
  fi
  if cached_ok; then
    say "using cached build $cache/bin"
    break
  fi
  if served; then
    build
    break
  fi
  say "the Go module proxy ($(go env GOPROXY)) does not serve Pulumi v$version"
  refused+=("$version")
  rm -f "$cache/.lock" && rmdir "$cache" 2>/dev/null || true  # nothing to keep for a refused version
  version=""
done
[ -n "$version" ] || die "none of the Pulumi versions ${candidates[*]} is served by the Go module proxy; set PULUMI_VERSION to one it serves, or install the Pulumi CLI normally"
if [ "$version" = "$pinned" ]; then
  chosen="v$version (the pinned version)"
else
  chosen="v$version: FALLBACK, the pinned v$pinned is not served by the module proxy (refused: ${refused[*]})"
fi

# 4. Install into .tools/pulumi/bin.
mkdir -p "$dest"
for f in pulumi pulumi-language-python-exec pulumi-resource-pulumi-python; do
  install -m 0755 "$cache/bin/$f" "$dest/$f"
done
if [ -x "$cache/bin/pulumi-language-python" ]; then
  install -m 0755 "$cache/bin/pulumi-language-python" "$dest/pulumi-language-python"
  langhost="Go pulumi-language-python"
else
  "$python_exe" -c 'import grpc, pulumi.runtime.proto.language_pb2_grpc' 2>/dev/null \
    || die "$python_exe lacks grpcio/pulumi, which the stand-in language host needs"
  cat > "$dest/pulumi-language-python" <<SH
#!/bin/sh
# Generated by scripts/install-pulumi.sh. Stand-in for Pulumi's Go language host, whose module
# the Go module proxy refuses; see docs/pulumi-cli.md.
exec '$python_exe' '$repo_root/scripts/pulumi_language_python.py' --use-executor '$dest/pulumi-language-python-exec' "\$@"
SH
  chmod 0755 "$dest/pulumi-language-python"
  langhost="stand-in scripts/pulumi_language_python.py (run by $python_exe)"
fi
printf '%s\n' "$version" > "$dest/../VERSION"
say "installed into $dest: pulumi $chosen; language host: $langhost"
say "tests/e2e find it there; for a shell: export PATH=\"$dest:\$PATH\""
