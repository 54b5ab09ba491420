#!/usr/bin/env bash
# The one-command demo: `scripts/demo.sh` (or `scripts/demo.sh up`) installs what is missing,
# starts the LaunchDarkly emulator (persisting to .demo/emulator.db), runs `pulumi up --yes` of the
# quickstart stack with a local file backend, and prints the metrics as the emulator holds them.
# `scripts/demo.sh down` destroys the stack, stops the emulator and removes .demo/.
# Nothing leaves this machine: the emulator listens on 127.0.0.1 only.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
demo="$root/.demo"
say() { printf '[demo] %s\n' "$*" >&2; }

export PULUMI_BACKEND_URL="file://$demo/state"
export PULUMI_HOME="$demo/pulumi-home"
# The passphrase only encrypts this throw-away local stack's secrets.
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-ldmetrics-demo}
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_CONFIRMATIONS=true PULUMI_DISABLE_REGISTRY_RESOLVE=true
export PATH="$root/.tools/pulumi/bin:$PATH"
stack=demo

emulator_running() { [ -f "$demo/emulator.pid" ] && kill -0 "$(cat "$demo/emulator.pid")" 2>/dev/null; }

start_emulator() {
  if emulator_running; then say "emulator already running at $(cat "$demo/emulator.url")"; return; fi
  [ -f "$demo/token" ] || .venv/bin/python -c 'import secrets; print("api-demo-" + secrets.token_hex(16))' > "$demo/token"
  chmod 600 "$demo/token"
  # The token is passed in the environment, not argv, so `ps` does not show it.
  LDMETRICS_EMULATOR_TOKEN="$(cat "$demo/token")" nohup .venv/bin/python -m pulumi_ldmetrics.emulator \
    --port 0 --db "$demo/emulator.db" > "$demo/emulator.log" 2>&1 &
  echo $! > "$demo/emulator.pid"
  for _ in $(seq 1 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$demo/emulator.log" 2>/dev/null | head -n1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "${url:-}" ] || { cat "$demo/emulator.log" >&2; say "the emulator did not start"; exit 1; }
  echo "$url" > "$demo/emulator.url"
  say "emulator listening on $url (data in .demo/emulator.db)"
}

pulumi_() { pulumi --non-interactive --color never "$@"; }

up() {
  scripts/bootstrap.sh
  mkdir -p "$demo/state" "$demo/pulumi-home"
  start_emulator
  pulumi_ stack select --create "$stack" >/dev/null
  pulumi_ config set ldmetrics:apiHost "$(cat "$demo/emulator.url")"
  pulumi_ config set --secret ldmetrics:accessToken < "$demo/token"
  pulumi_ up --yes
  say "metrics held by the emulator:"
  .venv/bin/python - "$(cat "$demo/emulator.url")" "$demo/token" <<'PY'
import sys
from pathlib import Path

import httpx

# The control endpoint takes the emulator's token (read from the file, so argv never holds it).
token = Path(sys.argv[2]).read_text().strip()
response = httpx.get(f"{sys.argv[1]}/_emulator/metrics", headers={"Authorization": token}, timeout=10)
metrics = response.raise_for_status().json()["metrics"]
rows = [(p, m["key"], m["kind"], m["_id"], m["_version"]) for p, ms in sorted(metrics.items()) for m in ms]
print(f"{'project':<10} {'key':<24} {'kind':<9} {'id':<26} version")
for project, key, kind, id_, version in sorted(rows):
    print(f"{project:<10} {key:<24} {kind:<9} {id_:<26} {version}")
PY
  say "tear it all down with: scripts/demo.sh down"
}

down() {
  if [ -d "$demo/state" ] && [ -x .tools/pulumi/bin/pulumi ] || command -v pulumi >/dev/null 2>&1; then
    if [ -d "$demo/state" ]; then
      emulator_running || start_emulator
      pulumi_ stack select "$stack" >/dev/null 2>&1 && pulumi_ destroy --yes && pulumi_ stack rm --yes "$stack" || true
    fi
  fi
  if emulator_running; then kill "$(cat "$demo/emulator.pid")"; say "emulator stopped"; fi
  rm -rf "$demo"
  say "removed .demo/"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) echo "usage: scripts/demo.sh [up|down]" >&2; exit 2 ;;
esac
