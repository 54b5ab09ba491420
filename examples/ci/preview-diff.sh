#!/usr/bin/env bash
# Preview a Pulumi project's LaunchDarkly metrics against the local emulator, for code review.
#
#   examples/ci/preview-diff.sh PROJECT_DIR OUT_FILE
#
# Starts the pulumi-ldmetrics emulator on 127.0.0.1 with a throw-away token, runs
# `pulumi preview --diff` of PROJECT_DIR in a throw-away stack on a local file backend (no
# account, no LaunchDarkly token, nothing leaves the machine), writes the CLI's output to
# OUT_FILE and exits with the preview's exit code: an invalid metric fails the check with its
# per-field message in OUT_FILE. Against the empty emulator every metric shows as a create, so the
# diff is the full declared state of each metric, property by property.
#
# Needs: `pulumi` on PATH, and PYTHON (default: python3) with pulumi-ldmetrics installed (the
# interpreter of the project's virtualenv). Leaves nothing in PROJECT_DIR.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 PROJECT_DIR OUT_FILE" >&2; exit 2; }
project=$(cd "$1" && pwd)
out=$2
python=${PYTHON:-python3}
work=$(mktemp -d)
stack="ldmetrics-ci-preview-$$"
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -f "$project/Pulumi.$stack.yaml"
  rm -rf "$work"
}
trap cleanup EXIT

token="api-ci-$("$python" -c 'import secrets; print(secrets.token_hex(16))')"
# The token goes through the environment, never argv (`ps` would show it).
LDMETRICS_EMULATOR_TOKEN="$token" "$python" -m pulumi_ldmetrics.emulator --port 0 \
  > "$work/emulator.log" 2>&1 &
emulator_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/emulator.log" 2>/dev/null | head -n1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/emulator.log" >&2; echo "the emulator did not start" >&2; exit 1; }

export PULUMI_BACKEND_URL="file://$work/state" PULUMI_CONFIG_PASSPHRASE="ci-preview-only"
export PULUMI_SKIP_UPDATE_CHECK=true
mkdir -p "$work/state"
cd "$project"
pulumi_() { pulumi --non-interactive --color never "$@"; }
pulumi_ stack init "$stack" >/dev/null
pulumi_ config set --stack "$stack" ldmetrics:apiHost "$url" >/dev/null
printf '%s' "$token" | pulumi_ config set --stack "$stack" --secret ldmetrics:accessToken >/dev/null
status=0
pulumi_ preview --stack "$stack" --diff > "$out" 2>&1 || status=$?
exit "$status"
