#!/usr/bin/env bash
# Event ingestion benchmark (not a test): sustained POST /api/v1/events rate in batches, and the time from a
# demo_request to its lead being stored while that load runs. Release build, SQLite.
#
#   bench/events/run.sh DATABASE [EVENTS] [BATCH] [WORKERS]
#   bench/events/run.sh /tmp/me-100k.db 200000 1000 2     # a demo database made with `revloop demo --database ...`
#
# WARMUP=N (environment) sends N unmeasured events first (default 30,000). The database is migrated and gets the events (use a copy you can throw away). Needs: the .NET SDK, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
db=${1:?usage: bench/events/run.sh DATABASE [EVENTS] [BATCH] [WORKERS]}
events=${2:-200000}; batch=${3:-1000}; workers=${4:-2}
work=$(mktemp -d); port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
dotnet publish src/RevLoop.Server -c Release -o "$work/app" >/dev/null
app() { dotnet "$work/app/revloop.dll" "$@" --database "$db"; }
app migrate 2>/dev/null
email=bench-events@revloop.dev
app user create --email "$email" --password "bench-events-password" --role admin >/dev/null 2>&1 || true
token=$(app user token --email "$email" --scopes read,write | tail -1)
dotnet "$work/app/revloop.dll" serve --database "$db" --urls "http://127.0.0.1:$port" --rate-limit 1000000 >"$work/log" 2>&1 & server=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.5; done
# A campaign the page views' utm_campaign attributes to (ignored when it exists already).
curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"Q4 launch (bench)","type":"webinar","utmCampaign":"q4-launch"}' "http://127.0.0.1:$port/api/v1/campaigns"
echo "database: $db ($(du -h "$db" | cut -f1) before)"
# A running server has compiled its hot paths: a warm-up load first (WARMUP events, default 30,000; 0 for none), unmeasured.
warmup=${WARMUP:-30000}
if [ "$warmup" -gt 0 ]; then python3 bench/events/load.py "http://127.0.0.1:$port" "$token" "$warmup" "$batch" "$workers" 1000 >/dev/null; fi
python3 bench/events/load.py "http://127.0.0.1:$port" "$token" "$events" "$batch" "$workers" 100
