#!/usr/bin/env bash
# The pipeline board filtered by team on an existing database (the 1M demo of bench/crm/run.sh KEEP=1): 100 sequential
# requests per team after one warm-up.  usage: bench/crm/board-1m.sh PUBLISHED_DIR DATABASE LABEL
set -euo pipefail
BIN=$1; DB=$2; LABEL=$3; PORT=${PORT:-5612}
dotnet $BIN/revloop.dll serve --database "$DB" --urls http://127.0.0.1:$PORT --rate-limit 1000000000 > /tmp/srv-$LABEL.log 2>&1 & S=$!
trap 'kill $S 2>/dev/null; wait $S 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -fs http://127.0.0.1:$PORT/health >/dev/null && break; sleep 0.5; done
# The server reads the pipeline history into memory in the background at start (from 50,000 deals): time after it.
for _ in $(seq 1 "${WARMUP_WAIT:-600}"); do grep -q "Pipeline history of\|loads on first use" /tmp/srv-$LABEL.log && break; sleep 1; done
T=$(dotnet $BIN/revloop.dll user token --database "$DB" --email admin@demo.revloop.dev --scopes read 2>/dev/null | tail -1)
B=http://127.0.0.1:$PORT; P=$(curl -s -H "Authorization: Bearer $T" $B/api/v1/pipelines | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else d["items"]; print(next(p["id"] for p in d if p["isDefault"]))')
for team in "NA East" "Americas" "EMEA"; do
  id=$(curl -s -H "Authorization: Bearer $T" "$B/api/v1/teams?pageSize=100" | python3 -c "import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else d['items']; print(next(t['id'] for t in d if t['name']=='$team'))")
  u="/api/v1/pipelines/$P/board?teamId=$id"
  curl -s -o /dev/null -H "Authorization: Bearer $T" "$B$u"
  r=$(for i in $(seq 100); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $T" "$B$u"; done | sort -n | awk '{a[NR]=$1} END {printf "p50 %.3f s, p99 %.3f s, max %.3f s (n=%d)", a[int(NR*0.5)], a[int(NR*0.99)], a[NR], NR}')
  echo "$LABEL | board, team $team (with sub-teams) | $r"
done
