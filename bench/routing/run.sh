#!/usr/bin/env bash
# Lead routing benchmark (not a test): the time from a demo_request event POST to its lead being assigned to a rep,
# p50/p99, while a background event load runs (bench/events/load.py). Release build, SQLite.
#
#   bench/routing/run.sh DATABASE [EVENTS] [BATCH] [WORKERS] [SECONDS]
#   bench/routing/run.sh /tmp/me-5k.db 100000 1000 2 30     # a demo database made with `revloop demo --database ...`
#
# WARMUP=N (environment) sends N unmeasured events first (default 30,000). The database is migrated, gets the events, the probe's leads and (for the run) a routing rule: use a throwaway copy.
set -euo pipefail
cd "$(dirname "$0")/../.."
db=${1:?usage: bench/routing/run.sh DATABASE [EVENTS] [BATCH] [WORKERS] [SECONDS]}
events=${2:-100000}; batch=${3:-1000}; workers=${4:-2}; seconds=${5:-30}
work=$(mktemp -d); port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
server=""; load=""
trap '[ -n "$load" ] && kill "$load" 2>/dev/null; [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
dotnet publish src/RevLoop.Server -c Release -o "$work/app" >/dev/null
app() { dotnet "$work/app/revloop.dll" "$@" --database "$db"; }
app migrate 2>/dev/null
email=bench-routing@revloop.dev
app user create --email "$email" --password "bench-routing-password" --role admin >/dev/null 2>&1 || true
token=$(app user token --email "$email" --scopes read,write | tail -1)
dotnet "$work/app/revloop.dll" serve --database "$db" --urls "http://127.0.0.1:$port" --rate-limit 1000000 >"$work/log" 2>&1 & server=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.5; done
echo "database: $db ($(du -h "$db" | cut -f1) before)"
# A running server has compiled its hot paths: a warm-up load first (WARMUP events, default 30,000; 0 for none), unmeasured.
warmup=${WARMUP:-30000}
if [ "$warmup" -gt 0 ]; then python3 bench/events/load.py "http://127.0.0.1:$port" "$token" "$warmup" "$batch" "$workers" 1000 >/dev/null; fi
echo "background load: $events events in batches of $batch over $workers connection(s)"
python3 bench/events/load.py "http://127.0.0.1:$port" "$token" "$events" "$batch" "$workers" 1000 >"$work/load.out" 2>&1 & load=$!
python3 bench/routing/probe.py "http://127.0.0.1:$port" "$token" "$seconds" 100
if kill -0 "$load" 2>/dev/null; then echo "(the background load was still running for the whole probe)"; fi
wait "$load" || true; load=""
cat "$work/load.out"
