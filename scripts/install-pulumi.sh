#!/usr/bin/env bash
# Builds the Pulumi CLI and the Python language host from Go modules, because
# this project must run where release binaries cannot be downloaded.
#
#   scripts/install-pulumi.sh            # -> .tools/pulumi/bin/{pulumi,pulumi-language-python,...}
#
# - Does nothing when a usable `pulumi` is already on PATH (a normal install).
# - Builds the version that matches the installed Python SDK (`pulumi` package),
#   because the engine and the SDK speak one protocol version.
# - Caches the build outside the repo (PULUMI_BUILD_CACHE, default
#   ~/.cache/pulumi-ldmetrics), so a second run only copies files.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo_root/.tools/pulumi/bin"
say() { printf '[install-pulumi] %s\n' "$*" >&2; }

if [ -z "${LDMETRICS_FORCE_PULUMI_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1 \
   && [ "$(command -v pulumi)" != "$dest/pulumi" ] && pulumi version >/dev/null 2>&1; then
  say "using $(command -v pulumi) ($(pulumi version)); nothing to build"
  exit 0
fi

python_bin=${PYTHON:-}
if [ -z "$python_bin" ]; then
  if [ -x "$repo_root/.venv/bin/python" ]; then python_bin="$repo_root/.venv/bin/python"; else python_bin=python3; fi
fi
version=${PULUMI_VERSION:-$("$python_bin" -c 'import importlib.metadata as m; print(m.version("pulumi"))' 2>/dev/null || echo 3.272.0)}
cache=${PULUMI_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-ldmetrics}/pulumi-v$version
say "Pulumi SDK version $version; build cache $cache"

if [ -x "$cache/bin/pulumi" ] && [ -x "$cache/bin/pulumi-language-python" ]; then
  say "cached build found"
else
  command -v go >/dev/null 2>&1 || { say "error: Go is required to build the Pulumi CLI (https://go.dev/doc/install)"; exit 1; }
  mkdir -p "$cache/src"
  cd "$cache/src"
  export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
  if [ ! -f go.mod ]; then
    go mod init example.invalid/pulumi-build >/dev/null 2>&1
    # Same replace as pulumi's own go.mod: the upstream clipboard module lacks a fix pulumi needs.
    go mod edit -replace github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
  fi
  say "resolving the sdk/v$version commit"
  sha=$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$version" \
        | "$python_bin" -c 'import json,sys; print(json.load(sys.stdin)["Origin"]["Hash"])')
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
)
GO
  say "fetching modules (pkg/v3 v$version, language host at ${sha:0:12})"
  go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version" \
         "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3@$sha"
  go mod tidy
  ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
  mkdir -p bin
  say "building pulumi (takes several minutes on a cold cache)"
  go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o bin/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  say "building pulumi-language-python"
  go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o bin/pulumi-language-python \
    github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
  sdkdir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
  # The module cache drops exec bits, hence install -m 0755.
  install -m 0755 "$sdkdir/python/dist/pulumi-resource-pulumi-python" bin/
  install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" bin/
  mv bin "$cache/bin"
fi

mkdir -p "$dest"
for f in pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python; do
  install -m 0755 "$cache/bin/$f" "$dest/$f"
done
say "installed into $dest: $("$dest/pulumi" version)"
