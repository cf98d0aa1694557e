#!/usr/bin/env bash
# The API document's CI: Redocly CLI lints docs/openapi.json, then Portman generates
# contract and fuzzing tests from it and newman runs them against a demo server as
# every role (run.js says what is checked). The npm tools are installed from the
# lockfile beside this script into a folder outside the repository, once per lockfile.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools="${CUNJI_API_TOOLS:-/tmp/cunji-api-tools}"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
work="$(mktemp -d /tmp/cunji-api-ci.XXXXXX)"

if ! cmp -s .ci/api/package-lock.json "$tools/package-lock.json" || [ ! -x "$tools/node_modules/.bin/portman" ]; then
  mkdir -p "$tools"
  cp .ci/api/package.json .ci/api/package-lock.json "$tools/"
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "-- Redocly lint"
"$tools/node_modules/.bin/redocly" lint docs/openapi.json --config .ci/api/redocly.yaml --format=summary

echo "-- demo server"
go build -o "$work/cunji" ./cmd/cunji
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# `cunji demo` serves the demo data; before that subcommand existed, `serve` did.
if ! "$work/cunji" demo --help 2>&1 | grep -q 'unknown command'; then
  cmd=(demo --addr "127.0.0.1:$port" --db "$work/demo.db")
else
  cmd=(serve --addr "127.0.0.1:$port" --db "$work/demo.db" --files "$work/files" --metrics-addr '')
fi
"$work/cunji" "${cmd[@]}" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log"; exit 1; }

echo "-- Portman contract and fuzzing tests, run with newman, as every role"
if ! node .ci/api/run.js "http://127.0.0.1:$port/api/v1" "$PWD/docs/openapi.json" "$work" "$tools" > "$work/newman.log" 2>&1; then
  grep -E -B2 -A12 '^ *[0-9]+\. |AssertionError|^Error' "$work/newman.log" | head -200
  tail -5 "$work/newman.log"
  echo "API checks failed (full log: $work/newman.log)"
  exit 1
fi
grep -E 'requests, .* assertions' "$work/newman.log"
