#!/usr/bin/env bash
# CRM benchmark (not a test): the demo company with OPPORTUNITIES deals on SQLite and on a throwaway PostgreSQL, then
# the opportunity list API under 100 concurrent clients. Writes bench/crm/results.md.
#
#   bench/crm/run.sh                                  # 1,000,000 opportunities, 30 s of load with 100 connections
#   OPPORTUNITIES=30000 DURATION=10 bench/crm/run.sh  # a quick run
#   KEEP=1 bench/crm/run.sh                           # reuse bench/out/crm/crm.db and the PostgreSQL data dir of a KEEP run
#
# Needs: the .NET SDK, PostgreSQL server binaries (initdb, pg_ctl), psql, python3, curl, wrk. As root, PostgreSQL
# runs as the postgres user (runuser).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OPPORTUNITIES=${OPPORTUNITIES:-1000000}
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-100}
THREADS=${THREADS:-2}
KEEP=${KEEP:-0}
TARGETS=${TARGETS:-sqlite postgres}
OUT=$ROOT/bench/out/crm
RESULTS=$ROOT/bench/crm/results.md
mkdir -p "$OUT"

for tool in wrk psql python3 curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk postgresql python3 curl)" >&2; exit 1; }
done
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

PGDIR=$OUT/pg PGPORT="" SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
  [ "$KEEP" = 1 ] || rm -rf "$PGDIR"
}
trap cleanup EXIT

echo "== build (Release)" >&2
dotnet publish src/RevLoop.Server -c Release -o "$OUT/bin" --nologo -v quiet >/dev/null
REVLOOP=(dotnet "$OUT/bin/revloop.dll")

declare -A LOAD_SECONDS LOAD_RSS RPS P50 P90 P99 NON2XX REQUESTS COUNTS
PG_VERSION=""
if [[ " $TARGETS " == *" postgres "* ]]; then
  echo "== start PostgreSQL" >&2
  FRESH_PG=0
  if [ "$KEEP" != 1 ] || [ ! -d "$PGDIR/data" ]; then
    rm -rf "$PGDIR"; mkdir -p "$PGDIR"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDIR"
    as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    FRESH_PG=1
  fi
  PGPORT=$(free_port)
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 120 -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  [ "$FRESH_PG" = 1 ] && psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE revloop_crm" >/dev/null
  PG_VERSION=$(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc "SHOW server_version")
fi

run_target() {
  local name=$1 database=$2 fresh=$3
  if [ "$fresh" = 1 ]; then
    echo "== $name: demo company with $OPPORTUNITIES opportunities" >&2
    /usr/bin/time -f "%e %M" -o "$OUT/demo-$name.time" "${REVLOOP[@]}" demo --database "$database" --opportunities "$OPPORTUNITIES" > "$OUT/demo-$name.log" 2>&1
    read -r wall rss < "$OUT/demo-$name.time"
    LOAD_SECONDS[$name]=$wall
    LOAD_RSS[$name]=$(python3 -c "print(f'{$rss / 1048576:.2f} GiB')")
    echo "$wall $rss" > "$OUT/demo-$name.kept"
  else
    read -r wall rss < "$OUT/demo-$name.kept"
    LOAD_SECONDS[$name]="$wall (earlier run)"; LOAD_RSS[$name]=$(python3 -c "print(f'{$rss / 1048576:.2f} GiB')")
  fi

  echo "== $name: serve and load" >&2
  local port; port=$(free_port)
  "${REVLOOP[@]}" serve --database "$database" --urls "http://127.0.0.1:$port" --rate-limit 1000000000 > "$OUT/serve-$name.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
  local token; token=$("${REVLOOP[@]}" user token --database "$database" --email admin@demo.revloop.dev --scopes read 2>/dev/null)
  # Every (owner, open stage) pair of the default pipeline's busiest 40 owners: the question a manager asks of each rep.
  python3 - "$port" "$token" > "$OUT/list-$name.lua" 2> "$OUT/list-$name.pairs" <<'PY'
import json, sys, urllib.parse, urllib.request
port, token = sys.argv[1], sys.argv[2]
def get(path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req))
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
total = 0
for p in paths[:10]:
    total += len(get(p)["items"])
print(f"{len(paths)} paths ({len(reps)} owners x {len(stages)} stages); first 10 return {total} rows", file=sys.stderr)
print("local token = %s" % json.dumps(token))
print("local paths = {%s}" % ", ".join(json.dumps(p) for p in paths))
print("""local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n * 7919) % #paths + 1], { ["Authorization"] = "Bearer " .. token })
end""")
PY
  COUNTS[$name]=$(cat "$OUT/list-$name.pairs")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$OUT/list-$name.lua" "http://127.0.0.1:$port" > /dev/null   # warm-up
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$OUT/list-$name.lua" "http://127.0.0.1:$port" > "$OUT/wrk-$name.txt"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  RPS[$name]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-$name.txt")
  REQUESTS[$name]=$(awk '/requests in/ {print $1}' "$OUT/wrk-$name.txt")
  P50[$name]=$(awk '$1 == "50%" {print $2}' "$OUT/wrk-$name.txt")
  P90[$name]=$(awk '$1 == "90%" {print $2}' "$OUT/wrk-$name.txt")
  P99[$name]=$(awk '$1 == "99%" {print $2}' "$OUT/wrk-$name.txt")
  NON2XX[$name]=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$OUT/wrk-$name.txt"); NON2XX[$name]=${NON2XX[$name]:-0}
  cat "$OUT/wrk-$name.txt" >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for t in $TARGETS; do
  if [ "$t" = sqlite ]; then
    fresh=1; if [ "$KEEP" = 1 ] && [ -f "$OUT/crm.db" ] && [ -f "$OUT/demo-sqlite.kept" ]; then fresh=0; else rm -f "$OUT"/crm.db*; fi
    run_target sqlite "$OUT/crm.db" "$fresh"
  else
    fresh=1; [ "$KEEP" = 1 ] && [ "${FRESH_PG:-1}" = 0 ] && [ -f "$OUT/demo-postgres.kept" ] && fresh=0
    run_target postgres "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=revloop_crm;Maximum Pool Size=120" "$fresh"
  fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

CPU_MODEL=$(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')
{
  echo "# CRM benchmark results"
  echo
  echo "Generated by \`bench/crm/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD)."
  echo "Machine: $CPU_MODEL, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); .NET $(dotnet --version);"
  echo "PostgreSQL ${PG_VERSION:-not run} (fresh cluster, default settings but max_connections=200). Client, server and database share the"
  echo "cores (loopback). Load average before $LOAD_BEFORE, after $LOAD_AFTER (other work was running on the machine)."
  echo
  echo "## Data: \`revloop demo --opportunities $OPPORTUNITIES\`"
  echo
  echo "| database | wall time | peak memory (RSS) |"
  echo "|---|---:|---:|"
  for t in $TARGETS; do echo "| $t | ${LOAD_SECONDS[$t]} s | ${LOAD_RSS[$t]} |"; done
  echo
  echo "## \`GET /api/v1/opportunities?owner=..&stage=..&sort=closeDate&pageSize=50\` at $CONNECTIONS concurrent clients"
  echo
  echo "wrk, $THREADS threads, $CONNECTIONS connections, $DURATION s after a 5 s warm-up, read-scoped admin token; requests cycle"
  echo "through every (owner, open stage) pair of the default pipeline for 40 sales users."
  echo
  echo "| database | requests | requests/s | p50 | p90 | p99 | non-2xx | paths |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  for t in $TARGETS; do echo "| $t | ${REQUESTS[$t]} | ${RPS[$t]} | ${P50[$t]} | ${P90[$t]} | ${P99[$t]} | ${NON2XX[$t]} | ${COUNTS[$t]} |"; done
  echo
  echo "Raw outputs: \`bench/out/crm/\` (wrk-*.txt, demo-*.log, serve-*.log)."
} > "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
cat "$RESULTS"
