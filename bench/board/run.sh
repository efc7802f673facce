#!/usr/bin/env bash
# Pipeline board and CRM lists on the demo company (default 30,000 opportunities): server-side time per request,
# measured with curl against a Release build over SQLite. Usage: bench/board/run.sh [OPPORTUNITIES] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/../.."
opps=${1:-30000}; repeat=${2:-20}
work=$(mktemp -d); port=5397
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet publish src/RevLoop.Server -c Release -o "$work/app" >/dev/null
dotnet "$work/app/revloop.dll" demo --database "$work/db" --opportunities "$opps" >/dev/null
token=$(dotnet "$work/app/revloop.dll" user token --database "$work/db" --email admin@demo.revloop.dev --scopes read,write | tail -1)
dotnet "$work/app/revloop.dll" serve --database "$work/db" --urls "http://127.0.0.1:$port" >"$work/log" 2>&1 & server=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/login"; do sleep 0.5; done
base="http://127.0.0.1:$port"
pipeline=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/pipelines" | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["isDefault"]))')
echo "opportunities: $opps; median and max of $repeat requests (after one warm-up), seconds"
for url in "/pipeline/$pipeline" "/api/v1/pipelines/$pipeline/board" "/api/v1/pipelines/$pipeline/board?closeFrom=2026-01-01&closeTo=2026-12-31" \
           "/opportunities" "/opportunities?pipeline=$pipeline&status=won" "/leads" "/contacts?sort=-name" "/api/v1/search?q=ma"; do
  curl -s -o /dev/null -H "Authorization: Bearer $token" "$base$url"
  times=$(for _ in $(seq "$repeat"); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$base$url"; done | sort -n)
  printf '%-90s median %s  max %s\n' "$url" "$(echo "$times" | sed -n "$(( (repeat + 1) / 2 ))p")" "$(echo "$times" | tail -1)"
done
