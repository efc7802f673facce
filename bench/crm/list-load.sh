#!/usr/bin/env bash
# The opportunity list API under load on an existing database (a demo of any size), the same requests as bench/crm/run.sh:
# every (owner, open stage) pair of the default pipeline for 40 sales users, sort=closeDate, pageSize=50.
#
#   bench/crm/list-load.sh PUBLISHED_DIR DATABASE LABEL            # wrk -t2 -c100, 5 s warm-up, 20 s measured
#   EMAIL=manager@... bench/crm/list-load.sh ...                   # as another viewer (default the demo admin)
#   DUMP=/tmp/x.txt bench/crm/list-load.sh ...                     # also write every path's response (and page 2) for a diff
#   ROUNDS=3 bench/crm/list-load.sh ...                            # repeat the measured run (the machine is shared)
#   WARMUP_WAIT=0 bench/crm/list-load.sh ...                       # below 50,000 deals (no pipeline history warm-up to wait for)
#
# Prints one line per round: label, load average, requests/s, p50, p90, p99, non-2xx.
set -euo pipefail
BIN=$1; DB=$2; LABEL=$3
EMAIL=${EMAIL:-admin@demo.revloop.dev}; DURATION=${DURATION:-20}; CONNECTIONS=${CONNECTIONS:-100}; ROUNDS=${ROUNDS:-1}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
OUT=${OUT:-/tmp/list-load-$LABEL}; mkdir -p "$OUT"
dotnet "$BIN/revloop.dll" serve --database "$DB" --urls "http://127.0.0.1:$PORT" --rate-limit 1000000000 > "$OUT/serve.log" 2>&1 & S=$!
trap 'kill $S 2>/dev/null; wait $S 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
# From 50,000 deals the server reads the pipeline history in the background at start: measure after it, not during it.
for _ in $(seq 1 "${WARMUP_WAIT:-600}"); do grep -q "Pipeline history of\|loads on first use" "$OUT/serve.log" && break; sleep 1; done
T=$(dotnet "$BIN/revloop.dll" user token --database "$DB" --email "$EMAIL" --scopes read 2>/dev/null | tail -1)
ADMIN=$T; [ "$EMAIL" = admin@demo.revloop.dev ] || ADMIN=$(dotnet "$BIN/revloop.dll" user token --database "$DB" --email admin@demo.revloop.dev --scopes read 2>/dev/null | tail -1)
python3 - "$PORT" "$T" "$ADMIN" "${DUMP:-}" > "$OUT/list.lua" <<'PY'
import json, sys, urllib.parse, urllib.request
port, token, admin, dump = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def raw(path, t):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer " + t})
    return urllib.request.urlopen(req).read()
get = lambda path: json.loads(raw(path, admin))
users, cursor = [], None
while True:
    page = get("/api/v1/users?pageSize=500" + ("" if cursor is None else "&cursor=" + urllib.parse.quote(cursor)))
    users += page["items"]; cursor = page.get("nextCursor")
    if not cursor: break
reps = [u["email"] for u in users if u["role"] in ("ae", "sdr", "bdr", "sales_manager")][:40]
pipelines = get("/api/v1/pipelines")
pipeline = next(p for p in pipelines if p["isDefault"]) if isinstance(pipelines, list) else next(p for p in pipelines["items"] if p["isDefault"])
stages = [s["name"] for s in pipeline["stages"] if s["type"] == "open"]
paths = [f"/api/v1/opportunities?owner={urllib.parse.quote(r)}&stage={urllib.parse.quote(s)}&sort=closeDate&pageSize=50" for r in reps for s in stages]
if dump:
    # Every path as the viewer, its second page when there is one, and the same pairs by owner id and stage id, sorted
    # the other ways, as the byte-exact responses a change must keep.
    with open(dump, "wb") as f:
        extra = []
        ids = {u["email"]: u["id"] for u in users}
        stage_ids = {s["name"]: s["id"] for s in pipeline["stages"]}
        for r in reps[:8]:
            for s in stages[:3]:
                extra.append(f"/api/v1/opportunities?ownerId={ids[r]}&stageId={stage_ids[s]}&sort=-closeDate&pageSize=20")
                extra.append(f"/api/v1/opportunities?owner={urllib.parse.quote(r)}&stage={urllib.parse.quote(s)}&pageSize=10")
        for p in paths + extra + [p.replace("pageSize=50", "pageSize=5") for p in paths[::7]]:
            body = raw(p, token)
            f.write(p.encode() + b"\n" + body + b"\n")
            nxt = json.loads(body).get("nextCursor")
            if nxt:
                q = p + "&cursor=" + urllib.parse.quote(nxt)
                f.write(q.encode() + b"\n" + raw(q, token) + b"\n")
print("local token = %s" % json.dumps(token))
print("local paths = {%s}" % ", ".join(json.dumps(p) for p in paths))
print("""local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n * 7919) % #paths + 1], { ["Authorization"] = "Bearer " .. token })
end""")
PY
wrk -t2 -c"$CONNECTIONS" -d5s -s "$OUT/list.lua" "http://127.0.0.1:$PORT" > /dev/null
# The server's CPU time per request (user + system) says what a change saves even when other work shares the cores.
cpu() { awk '{print $14 + $15}' "/proc/$S/stat"; }
for r in $(seq 1 "$ROUNDS"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg); before=$(cpu)
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$OUT/list.lua" "http://127.0.0.1:$PORT" > "$OUT/wrk-$r.txt"
  ticks=$(( $(cpu) - before ))
  awk -v l="$LABEL" -v la="$load" -v ticks="$ticks" -v hz="$(getconf CLK_TCK)" '/^Requests\/sec:/ {rps=$2} $1=="50%" {p50=$2} $1=="90%" {p90=$2} $1=="99%" {p99=$2} /Non-2xx/ {bad=$5} / requests in / {n=$1}
    END {printf "%s | load %s | %.0f req/s | p50 %s | p90 %s | p99 %s | non-2xx %d | server CPU %.3f ms/request\n", l, la, rps, p50, p90, p99, bad, ticks * 1000 / hz / n}' "$OUT/wrk-$r.txt"
done
