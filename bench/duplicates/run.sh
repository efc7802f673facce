#!/usr/bin/env bash
# Duplicate detection and merge on the demo company: latency of GET /{object}/{id}/duplicates, of POST /contacts with its
# duplicate check, of the review page's grouping query, and of merging the account with the most children.
# Usage: bench/duplicates/run.sh [DB]   (a demo database, made with `revloop demo --database DB` if missing; it is changed:
# the bench creates contacts and merges two accounts). REVLOOP_CMD defaults to the Release build in the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=${1:-/tmp/revloop-bench-duplicates.db}
REVLOOP_CMD=${REVLOOP_CMD:-"dotnet src/RevLoop.Server/bin/Release/net10.0/revloop.dll"}
PORT=${PORT:-5097}
[ -f "$DB" ] || $REVLOOP_CMD demo --database "$DB" >&2
TOKEN=$($REVLOOP_CMD user token --database "$DB" --email admin@demo.revloop.dev --scopes read,write)
$REVLOOP_CMD serve --database "$DB" --urls "http://127.0.0.1:$PORT" --rate-limit 1000000 >/tmp/revloop-bench-duplicates.log 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.5; done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/duplicates/measure.py "$DB" "http://127.0.0.1:$PORT" "$TOKEN"
