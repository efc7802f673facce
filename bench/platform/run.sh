#!/usr/bin/env bash
# Platform benchmark (not a test): CSV import throughput and list-API throughput/latency, on SQLite and on a throwaway
# PostgreSQL started from the machine's binaries. Writes bench/platform/results.md.
#
#   bench/platform/run.sh                      # 100,000 accounts, 20 s of load with 16 connections
#   ROWS=20000 DURATION=10 bench/platform/run.sh
#
# Needs: the .NET SDK, PostgreSQL server binaries (/usr/lib/postgresql/*/bin: initdb, pg_ctl), psql, python3, curl and
# wrk (apt-get install postgresql wrk). As root, PostgreSQL runs as the postgres user (runuser).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ROWS=${ROWS:-100000}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WALK_PAGES=${WALK_PAGES:-0}   # 0: walk the whole list
OUT=$ROOT/bench/out/platform
RESULTS=$ROOT/bench/platform/results.md
mkdir -p "$OUT"

for tool in wrk psql python3 curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk postgresql python3 curl)" >&2; exit 1; }
done
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

PGDIR="" PGPORT="" SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$PGDIR" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; fi
}
trap cleanup EXIT

echo "== build (Release)" >&2
dotnet publish src/RevLoop.Server -c Release -o "$OUT/bin" --nologo -v quiet >/dev/null
REVLOOP=(dotnet "$OUT/bin/revloop.dll")

echo "== generate $ROWS accounts" >&2
CSV=$OUT/accounts-$ROWS.csv
bench/platform/gen-accounts.sh "$ROWS" > "$CSV"
CSV_MD5=$(md5sum "$CSV" | cut -d' ' -f1)

echo "== start PostgreSQL" >&2
PGDIR=$(mktemp -d /tmp/revloop-bench-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDIR"
PGPORT=$(free_port)
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1" start >/dev/null
psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE revloop_bench" >/dev/null
PG_VERSION=$(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc "SHOW server_version")

declare -A IMPORT_SECONDS IMPORT_CPU IMPORT_RATE RPS P50 P90 P99 NON2XX REQUESTS

run_target() {
  local name=$1 database=$2
  echo "== $name: migrate, users" >&2
  "${REVLOOP[@]}" migrate --database "$database" 2>/dev/null
  for i in 1 2 3 4 5; do
    "${REVLOOP[@]}" user create --database "$database" --email "owner$i@bench.example" --password "bench password $i" --role ae --team "Team $((i % 2))" 2>/dev/null
  done
  "${REVLOOP[@]}" user create --database "$database" --email admin@bench.example --password "bench admin password" --role admin 2>/dev/null

  echo "== $name: import $ROWS accounts" >&2
  /usr/bin/time -f "%e %U %S" -o "$OUT/import-$name.time" "${REVLOOP[@]}" import accounts "$CSV" --database "$database" --rejects "$OUT/rejects-$name.csv" 2> "$OUT/import-$name.log"
  read -r wall user sys < "$OUT/import-$name.time"
  IMPORT_SECONDS[$name]=$wall
  IMPORT_CPU[$name]=$(python3 -c "print(f'{$user + $sys:.1f}')")
  IMPORT_RATE[$name]=$(python3 -c "print(round($ROWS / $wall))")
  grep -q "Read $ROWS rows: $ROWS created, 0 updated, 0 rejected" "$OUT/import-$name.log" || { cat "$OUT/import-$name.log" >&2; exit 1; }

  echo "== $name: serve and load" >&2
  local port; port=$(free_port)
  "${REVLOOP[@]}" serve --database "$database" --urls "http://127.0.0.1:$port" --rate-limit 1000000000 > "$OUT/serve-$name.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
  local token; token=$("${REVLOOP[@]}" user token --database "$database" --email admin@bench.example --scopes read 2>/dev/null)
  # The first page plus the cursor of every later page (or of the first WALK_PAGES), collected by walking the list once;
  # the load mixes first pages and cursor pages from all over the list.
  python3 - "$port" "$token" "$WALK_PAGES" > "$OUT/list-$name.lua" <<'PY'
import json, sys, urllib.parse, urllib.request
port, token, pages = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = "/api/v1/accounts?sort=name&pageSize=50"
paths, cursor = [base], None
while pages == 0 or len(paths) <= pages:
    url = base + ("" if cursor is None else "&cursor=" + urllib.parse.quote(cursor))
    req = urllib.request.Request(f"http://127.0.0.1:{port}{url}", headers={"Authorization": "Bearer " + token})
    page = json.load(urllib.request.urlopen(req))
    cursor = page["nextCursor"]
    if cursor is None:
        break
    paths.append(base + "&cursor=" + urllib.parse.quote(cursor))
print("local token = %s" % json.dumps(token))
print("local paths = {%s}" % ", ".join(json.dumps(p) for p in paths))
print("""local n = 0
-- one request in four is the first page, the others are cursor pages spread over the walked range
request = function()
  n = n + 1
  local path = paths[1]
  if n % 4 ~= 0 then path = paths[(n * 7919) % (#paths - 1) + 2] end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end""")
PY
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$OUT/list-$name.lua" "http://127.0.0.1:$port" > /dev/null   # warm-up (JIT, caches)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$OUT/list-$name.lua" "http://127.0.0.1:$port" > "$OUT/wrk-$name.txt"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  RPS[$name]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-$name.txt")
  REQUESTS[$name]=$(awk '/requests in/ {print $1}' "$OUT/wrk-$name.txt")
  P50[$name]=$(awk '$1 == "50%" {print $2}' "$OUT/wrk-$name.txt")
  P90[$name]=$(awk '$1 == "90%" {print $2}' "$OUT/wrk-$name.txt")
  P99[$name]=$(awk '$1 == "99%" {print $2}' "$OUT/wrk-$name.txt")
  NON2XX[$name]=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$OUT/wrk-$name.txt")
  NON2XX[$name]=${NON2XX[$name]:-0}
  cat "$OUT/wrk-$name.txt" >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
rm -f "$OUT/bench.db" "$OUT/bench.db-wal" "$OUT/bench.db-shm"
run_target sqlite "$OUT/bench.db"
run_target postgres "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=revloop_bench;Maximum Pool Size=50"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

SQLITE_VERSION=$(strings "$OUT"/bin/runtimes/linux-x64/native/libe_sqlite3.so 2>/dev/null | grep -m1 -E '^3\.[0-9]+\.[0-9]+$' || true)
SQLITE_VERSION=${SQLITE_VERSION:-unknown}
CPU_MODEL=$(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')
{
  echo "# Platform benchmark results"
  echo
  echo "Generated by \`bench/platform/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (with uncommitted src changes)')."
  echo
  echo "## Machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPU | $CPU_MODEL, $(nproc) cores |"
  echo "| memory | $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) |"
  echo "| OS | $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r) |"
  echo "| .NET | SDK $(dotnet --version), runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}') |"
  echo "| SQLite | ${SQLITE_VERSION//$'\n'/ } (bundled e_sqlite3; WAL, synchronous=NORMAL) |"
  echo "| PostgreSQL | $PG_VERSION (fresh cluster, default settings: fsync on, synchronous_commit on) |"
  echo "| load average (1/5/15 min) | before $LOAD_BEFORE, after $LOAD_AFTER |"
  echo
  echo "Client, server and database share the same $(nproc) cores (loopback)."
  echo
  echo "## Import: \`revloop import accounts\` of $ROWS rows"
  echo
  echo "Deterministic CSV from \`bench/platform/gen-accounts.sh $ROWS\` (md5 $CSV_MD5): fixed ids, 75 % with an owner, every 10th row with a parent,"
  echo "every 25th name quoted with a comma. Each row writes the account, one history row per non-empty tracked field and one"
  echo "\`account.created\` outbox event. Wall time of the whole command (process start, migration check, import)."
  echo
  echo "| database | wall time | rows/s | CPU of the revloop process (user+sys) |"
  echo "|---|---:|---:|---:|"
  for t in sqlite postgres; do echo "| $t | ${IMPORT_SECONDS[$t]} s | ${IMPORT_RATE[$t]} | ${IMPORT_CPU[$t]} s |"; done
  echo
  echo "## List API: \`GET /api/v1/accounts?sort=name&pageSize=50\` under load"
  echo
  echo "\`revloop serve\` (Release) with \`--rate-limit 1000000000\`, a read-scoped admin token (sees all $ROWS accounts)."
  echo "wrk, $THREADS threads, $CONNECTIONS connections, ${DURATION} s after a 5 s warm-up; one request in four is the first page, the"
  echo "others are cursor pages spread over $( [ "$WALK_PAGES" = 0 ] && echo "the whole list" || echo "the first $WALK_PAGES pages") (cursors collected by walking the list once)."
  echo
  echo "| database | requests | requests/s | p50 | p90 | p99 | non-2xx |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for t in sqlite postgres; do echo "| $t | ${REQUESTS[$t]} | ${RPS[$t]} | ${P50[$t]} | ${P90[$t]} | ${P99[$t]} | ${NON2XX[$t]} |"; done
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "bench/platform/run.sh   # ROWS=$ROWS DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS WALK_PAGES=$WALK_PAGES"
  echo "# what it runs, per database (D = SQLite file or PostgreSQL connection string):"
  echo "dotnet publish src/RevLoop.Server -c Release -o bench/out/platform/bin"
  echo "bench/platform/gen-accounts.sh $ROWS > accounts.csv"
  echo "revloop migrate --database D; revloop user create --database D --email ownerN@bench.example ... (5 owners, 1 admin)"
  echo "revloop import accounts accounts.csv --database D"
  echo "revloop serve --database D --urls http://127.0.0.1:PORT --rate-limit 1000000000 &"
  echo "revloop user token --database D --email admin@bench.example --scopes read"
  echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -s bench/out/platform/list-D.lua http://127.0.0.1:PORT"
  echo '```'
  echo
  echo "Raw outputs: \`bench/out/platform/\` (wrk-*.txt, import-*.log, serve-*.log)."
} > "$RESULTS.tmp"
if [ -f "$ROOT/bench/platform/notes.md" ]; then { echo; cat "$ROOT/bench/platform/notes.md"; } >> "$RESULTS.tmp"; fi
mv "$RESULTS.tmp" "$RESULTS"
cat "$RESULTS"
