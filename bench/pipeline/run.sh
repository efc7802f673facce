#!/usr/bin/env bash
# Pipeline analytics (issue 5) on an existing database: stage funnel, as-of pipeline, waterfall, sales metrics and risk
# flags, server-side time per API request (curl time_total against a warm Release server, median and max).
# Usage: bench/pipeline/run.sh DATABASE [REPEAT] [APP_DIR]
#   DATABASE: a SQLite file or a PostgreSQL connection string holding the demo company
#             (e.g. `revloop demo --opportunities 1000000 --database bench/out/crm/1m.db`).
#   APP_DIR:  an already published revloop (skips `dotnet publish`).
set -euo pipefail
cd "$(dirname "$0")/../.."
db=${1:?usage: bench/pipeline/run.sh DATABASE [REPEAT] [APP_DIR]}; repeat=${2:-5}; app=${3:-}
work=$(mktemp -d); port=5398
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
if [ -z "$app" ]; then app="$work/app"; dotnet publish src/RevLoop.Server -c Release -o "$app" >/dev/null; fi
revloop() { dotnet "$app/revloop.dll" "$@"; }
token=$(revloop user token --database "$db" --email admin@demo.revloop.dev --scopes read | tail -1)
# A viewer who sees only their team's deals: their ids come from the database's visibility filter.
manager=$(revloop user token --database "$db" --email sales-manager@demo.revloop.dev --scopes read | tail -1)
# Started directly (not through the function) so that $! is the server itself and the trap stops it.
dotnet "$app/revloop.dll" serve --database "$db" --urls "http://127.0.0.1:$port" >"$work/log" 2>&1 & server=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/login"; do sleep 0.5; done
started=$(date +%s.%N)
base="http://127.0.0.1:$port"
get() { curl -s -H "Authorization: Bearer $token" "$base$1"; }
today=$(date -u +%F); q_ago=$(date -u -d '-3 months' +%F); y_ago=$(date -u -d '-12 months' +%F)
stats=$(get "/api/v1/analytics/funnel?from=0001-01-01&to=$today" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["pipeline"], sum(r["entered"] for r in d["rows"]))')
echo "database: $db"
grep -h "Pipeline history" "$work/log" || echo "pipeline history loaded on first use: $(echo "$(date +%s.%N) - $started" | bc) s after the server answered"
echo "default pipeline and deals that ever entered an open stage: $stats"
echo "median and max of $repeat requests after one warm-up, seconds"
time_urls() {
  local who=$1 auth=$2; shift 2
  for url in "$@"; do
    curl -s -o /dev/null -H "Authorization: Bearer $auth" "$base$url"
    times=$(for _ in $(seq "$repeat"); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $auth" "$base$url"; done | sort -n)
    printf '%-8s %-80s median %s  max %s\n' "$who" "$url" "$(echo "$times" | sed -n "$(( (repeat + 1) / 2 ))p")" "$(echo "$times" | tail -1)"
  done
}
urls=("/api/v1/analytics/funnel?from=$y_ago&to=$today" "/api/v1/analytics/pipeline/as-of?date=$q_ago"
      "/api/v1/analytics/pipeline/waterfall?from=$q_ago&to=$today" "/api/v1/analytics/apm?dimension=region"
      "/api/v1/analytics/sales?from=$y_ago&to=$today&period=month" "/api/v1/analytics/risks?pageSize=50")
time_urls admin "$token" "${urls[@]}"
time_urls manager "$manager" "${urls[@]:0:3}"
