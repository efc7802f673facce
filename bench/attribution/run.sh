#!/usr/bin/env bash
# Attribution over the database on the demo company (default 30,000 opportunities): time of GET /api/v1/attribution
# (a year, all seven models, pipeline and revenue basis, one model), of a drill-down and of `revloop attribution`,
# measured with curl against a Release build over SQLite. The demo's as-of day is 2026-11-01, so the year is
# 2025-11-01..2026-10-31.
#
#   bench/attribution/run.sh [OPPORTUNITIES] [REPEAT]
#   DATABASE=/tmp/demo.db bench/attribution/run.sh    # reuse a demo database (`revloop demo --database ...`)
set -euo pipefail
cd "$(dirname "$0")/../.."
opps=${1:-30000}; repeat=${2:-10}
work=$(mktemp -d); port=${PORT:-5398}
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
dotnet publish src/RevLoop.Server -c Release -o "$work/app" --nologo -v quiet >/dev/null
revloop=(dotnet "$work/app/revloop.dll")
db=${DATABASE:-$work/db}
if [ -z "${DATABASE:-}" ]; then
  start=$(date +%s.%N)
  "${revloop[@]}" demo --database "$db" --opportunities "$opps" >/dev/null
  echo "demo ($opps opportunities) generated and loaded in $(echo "$(date +%s.%N) - $start" | bc) s"
fi
token=$("${revloop[@]}" user token --database "$db" --email admin@demo.revloop.dev --scopes read | tail -1)
"${revloop[@]}" serve --database "$db" --urls "http://127.0.0.1:$port" >"$work/log" 2>&1 & server=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/login"; do sleep 0.5; done
base="http://127.0.0.1:$port/api/v1"
year="from=2025-11-01&to=2026-10-31"
campaign=$(curl -s -H "Authorization: Bearer $token" "$base/attribution?$year&model=linear" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print(max(r["campaigns"], key=lambda c: c["models"][0]["amount"])["campaignId"]); print(r["deals"], "deals,", len(r["campaigns"]), "campaigns", file=sys.stderr)')
echo "median and max of $repeat requests after one warm-up, seconds (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
for url in "/attribution?$year" "/attribution?$year&basis=revenue" "/attribution?$year&model=linear" \
           "/attribution?from=2026-10-01&to=2026-10-31" "/attribution/deals?$year&campaignId=$campaign&model=linear"; do
  curl -s -o /dev/null -H "Authorization: Bearer $token" "$base$url"
  times=$(for _ in $(seq "$repeat"); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$base$url"; done | sort -n)
  printf '%-100s median %s  max %s\n' "GET /api/v1$url" "$(echo "$times" | sed -n "$(( (repeat + 1) / 2 ))p")" "$(echo "$times" | tail -1)"
done
kill "$server"; wait "$server" 2>/dev/null || true; server=""
start=$(date +%s.%N)
"${revloop[@]}" attribution --database "$db" --from 2025-11-01 --to 2026-10-31 --format csv >"$work/report.csv"
echo "revloop attribution (a year, all models, process start included): $(echo "$(date +%s.%N) - $start" | bc) s, $(($(wc -l <"$work/report.csv") - 1)) rows"
