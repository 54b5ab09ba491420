#!/usr/bin/env bash
# Provides the Pulumi CLI for this project's end-to-end tests and demos, without release downloads.
#
#   scripts/install-pulumi.sh [--force]
#   export PATH="$PWD/.tools/pulumi/bin:$PATH"      # optional; tests/e2e look there first
#
# - Does nothing when a usable `pulumi` and `pulumi-language-python` are already on PATH (a normal
#   install), unless --force (or PULUMI_INSTALL_FORCE=1) is given.
# - Otherwise builds `pulumi` from Go modules at the version of the installed Python SDK (the
#   `pulumi` package in $PYTHON, default .venv/bin/python): engine and SDK then speak one protocol.
# - The Go language host (module .../sdk/python/cmd/pulumi-language-python/v3) is tried too. Where
#   the module proxy refuses it, the project's stand-in scripts/pulumi_language_python.py is
#   installed instead, behind a small wrapper. See docs/pulumi-cli.md.
# - Installs pulumi, pulumi-language-python, pulumi-language-python-exec and
#   pulumi-resource-pulumi-python into .tools/pulumi/bin (git-ignored).
# - Caches the build in ${PULUMI_BUILD_CACHE:-~/.cache/pulumi-ldmetrics}/pulumi-v<version>, so a
#   second run only copies files. A cold build takes ~5 minutes on 2 cores and needs Go >= 1.25.
#
# Environment: PYTHON (interpreter holding the `pulumi` SDK), PULUMI_VERSION (override the
# version), PULUMI_BUILD_CACHE, PULUMI_INSTALL_FORCE, GOPROXY/GOSUMDB (used as configured).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo_root/.tools/pulumi/bin"
say() { printf '[install-pulumi] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

force=${PULUMI_INSTALL_FORCE:-${LDMETRICS_FORCE_PULUMI_BUILD:-}}
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# 2. The SDK version decides the CLI version.
python_bin=${PYTHON:-}
if [ -z "$python_bin" ]; then
  if [ -x "$repo_root/.venv/bin/python" ]; then python_bin="$repo_root/.venv/bin/python"; else python_bin=python3; fi
fi
# sys.executable keeps the venv path (resolving the symlink would escape the venv).
python_exe=$("$python_bin" -c 'import sys; print(sys.executable)' 2>/dev/null) \
  || die "cannot run Python interpreter '$python_bin' (set PYTHON)"
version=${PULUMI_VERSION:-}
if [ -z "$version" ]; then
  version=$("$python_exe" -c 'import importlib.metadata as m; print(m.version("pulumi"))' 2>/dev/null) \
    || die "the Pulumi Python SDK is not installed in $python_exe (pip install -e '.[dev]', or set PYTHON / PULUMI_VERSION)"
fi
version=${version#v}
cache=${PULUMI_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-ldmetrics}/pulumi-v$version
say "Python SDK pulumi==$version ($python_exe); build cache $cache"

cached_ok() {
  [ -x "$cache/bin/pulumi" ] && [ -x "$cache/bin/pulumi-language-python-exec" ] \
    && [ -x "$cache/bin/pulumi-resource-pulumi-python" ] \
    && [ "$("$cache/bin/pulumi" version 2>/dev/null)" = "v$version" ]
}

build() {
  command -v go >/dev/null 2>&1 \
    || die "Go is required to build the Pulumi CLI (>= the 'go' line of pulumi's go.mod, 1.25 for 3.259) and was not found on PATH; install Go (https://go.dev/doc/install) or install the Pulumi CLI normally"
  export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
  local src="$cache/src" start=$SECONDS sdk_mod=github.com/pulumi/pulumi/sdk/v3 pkg_mod=github.com/pulumi/pulumi/pkg/v3
  local lang_mod=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
  local ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
  say "building Pulumi v$version with $(go version | cut -d' ' -f3) in $src (cold: ~5 min on 2 cores)"
  mkdir -p "$src/bin"
  cd "$src"

  local out
  if ! out=$(go mod download -json "$pkg_mod@v$version" "$sdk_mod@v$version" 2>&1); then
    printf '%s\n' "$out" | grep '"Error"' >&2 || printf '%s\n' "$out" >&2
    die "Pulumi v$version is not available from the Go module proxy (GOPROXY=$(go env GOPROXY)). Install an SDK version the proxy serves (e.g. pip install 'pulumi==3.259.0'), set PULUMI_VERSION, or install the Pulumi CLI normally."
  fi

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

mkdir -p "$cache"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/.lock"
  flock -w 3600 9 || die "timed out waiting for another install-pulumi.sh on $cache/.lock"
fi
if cached_ok; then
  say "using cached build $cache/bin"
else
  build
fi

# 3. Install into .tools/pulumi/bin.
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
say "installed into $dest: pulumi $("$dest/pulumi" version); language host: $langhost"
say "tests/e2e find it there; for a shell: export PATH=\"$dest:\$PATH\""
