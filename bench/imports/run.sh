#!/usr/bin/env bash
# Import benchmark (not a test): `revloop import opportunities` of ROWS deterministic opportunities (gen.py) into SQLite
# and into a throwaway PostgreSQL started from the machine's binaries; rows/s and peak memory (max RSS) of the import
# process. Every row writes the opportunity, its field history and an outbox event, as any import does.
#
#   bench/imports/run.sh                         # 1,000,000 opportunities over 10,000 accounts, both databases
#   ROWS=100000 TARGETS=sqlite bench/imports/run.sh
#   FLOOR=1 TARGETS=sqlite bench/imports/run.sh  # and SQLite's own floor for the same rows (floor.cs)
#
# Each database is removed after its run (1,000,000 opportunities with their history take ~7 GB); its size is reported.
#
# Needs: the .NET SDK, python3, sqlite3, PostgreSQL server binaries (initdb, pg_ctl) and psql.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ROWS=${ROWS:-1000000}
ACCOUNTS=${ACCOUNTS:-10000}
TARGETS=${TARGETS:-"sqlite postgres"}
OUT=$ROOT/bench/out/imports
mkdir -p "$OUT"
PGBIN=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGDIR=""
cleanup() { if [ -n "$PGDIR" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; fi; }
trap cleanup EXIT

echo "== build (Release)" >&2
# Own build folders, so a benchmark never disturbs a build or test run of the same checkout.
dotnet publish src/RevLoop.Server -c Release -o "$OUT/bin" --artifacts-path "$OUT/artifacts" --nologo -v quiet >/dev/null
REVLOOP=(dotnet "$OUT/bin/revloop.dll")

echo "== generate $ACCOUNTS accounts, $ROWS opportunities" >&2
python3 bench/imports/gen.py accounts "$ACCOUNTS" > "$OUT/accounts.csv"
python3 bench/imports/gen.py opportunities "$ROWS" "$ACCOUNTS" > "$OUT/opportunities-$ROWS.csv"
MB=$(python3 -c "import os; print(round(os.path.getsize('$OUT/opportunities-$ROWS.csv') / 1e6))")

# The pipeline the rows name their stages in; there is no CLI verb for pipelines (they are configured in the app).
PIPELINE_SQL="INSERT INTO \"Pipelines\" (\"Id\", \"Name\", \"IsDefault\", \"SortOrder\") VALUES ('0190A000-0000-7000-8000-000000000001', 'New business', TRUE, 0);
INSERT INTO \"Stages\" (\"Id\", \"PipelineId\", \"Name\", \"SortOrder\", \"Probability\", \"Type\") VALUES
 ('0190A000-0000-7000-8000-000000000011', '0190A000-0000-7000-8000-000000000001', 'Discovery', 0, 10, 'open'),
 ('0190A000-0000-7000-8000-000000000012', '0190A000-0000-7000-8000-000000000001', 'Proposal', 1, 40, 'open'),
 ('0190A000-0000-7000-8000-000000000013', '0190A000-0000-7000-8000-000000000001', 'Negotiation', 2, 70, 'open'),
 ('0190A000-0000-7000-8000-000000000014', '0190A000-0000-7000-8000-000000000001', 'Closed won', 3, 100, 'won'),
 ('0190A000-0000-7000-8000-000000000015', '0190A000-0000-7000-8000-000000000001', 'Closed lost', 4, 0, 'lost');"

RESULT_ROWS=""
run_target() {
  local name=$1 database=$2 seed=$3
  echo "== $name: migrate, users, pipeline, $ACCOUNTS accounts" >&2
  "${REVLOOP[@]}" migrate --database "$database" 2>/dev/null
  for i in 1 2 3 4 5; do
    "${REVLOOP[@]}" user create --database "$database" --email "owner$i@bench.example" --password "bench password $i" --role ae --team "Team $((i % 2))" >/dev/null 2>&1
  done
  $seed
  "${REVLOOP[@]}" import accounts "$OUT/accounts.csv" --database "$database" 2>&1 | tail -1 >&2
  $BEFORE
  echo "== $name: import $ROWS opportunities" >&2
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/import-$name.time" "${REVLOOP[@]}" import opportunities "$OUT/opportunities-$ROWS.csv" --database "$database" 2> "$OUT/import-$name.log"
  read -r wall user sys rss < "$OUT/import-$name.time"
  grep -q "Read $ROWS rows: $ROWS created, 0 updated, 0 rejected" "$OUT/import-$name.log" || { cat "$OUT/import-$name.log" >&2; exit 1; }
  local rate cpu mem
  rate=$(python3 -c "print(f'{round($ROWS / $wall):,}')"); cpu=$(python3 -c "print(f'{$user + $sys:.0f}')"); mem=$(python3 -c "print(round($rss / 1024))")
  local size; size=$($SIZE)
  echo "   $name: $wall s, $rate rows/s, CPU $cpu s, peak RSS $mem MB, database $size" >&2
  $AFTER
  RESULT_ROWS+="| $name | $(printf "%'d" "$ROWS") | $wall s | **$rate rows/s** | $cpu s | $mem MB | $size |"$'\n'
}

# FLOOR=1: keep the database as it was before the import, stage what the import wrote, and let floor.cs replay it.
before_sqlite() {
  [ -n "${FLOOR:-}" ] || return 0
  sqlite3 "$OUT/bench.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  cp "$OUT/bench.db" "$OUT/before.db"
}
floor_sqlite() {
  [ -n "${FLOOR:-}" ] || return 0
  echo "== sqlite: stage the import's rows, replay them (floor.cs)" >&2
  rm -f "$OUT"/stage.db*
  local o f e
  read -r o f e <<< "$(sqlite3 -separator ' ' "$OUT/before.db" "SELECT (SELECT coalesce(max(rowid), 0) FROM Opportunities), (SELECT coalesce(max(rowid), 0) FROM FieldChanges), (SELECT coalesce(max(rowid), 0) FROM OutboxEvents)")"
  sqlite3 "$OUT/bench.db" "ATTACH '$OUT/stage.db' AS s;
    CREATE TABLE s.o AS SELECT * FROM Opportunities WHERE rowid > $o ORDER BY rowid;
    CREATE INDEX s.o_id ON o (Id);
    CREATE TABLE s.f AS SELECT (SELECT rowid FROM s.o WHERE o.Id = x.EntityId) AS deal, x.* FROM FieldChanges x WHERE x.rowid > $f AND x.EntityType = 'opportunity' ORDER BY x.rowid;
    CREATE INDEX s.f_deal ON f (deal);
    CREATE TABLE s.e AS SELECT (SELECT rowid FROM s.o WHERE o.Id = x.EntityId) AS deal, x.* FROM OutboxEvents x WHERE x.rowid > $e AND x.EntityType = 'opportunity' ORDER BY x.rowid;
    CREATE INDEX s.e_deal ON e (deal);"
  # The imported database is no longer needed: its space goes to the replay's copy.
  rm -f "$OUT"/bench.db*
  FLOOR_TABLE=$(dotnet run bench/imports/floor.cs -- "$OUT/before.db" "$OUT/stage.db" "$OUT/floor.db")
  echo "$FLOOR_TABLE" >&2
  rm -f "$OUT"/before.db "$OUT"/stage.db* "$OUT"/floor.db*
}
seed_sqlite() { sqlite3 "$OUT/bench.db" "$PIPELINE_SQL"; }
size_sqlite() { du -ch "$OUT"/bench.db* | tail -1 | cut -f1; }
size_postgres() { psql "$PG_URL" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))"; }
seed_postgres() { psql "$PG_URL" -qc "$PIPELINE_SQL" >/dev/null; }

for target in $TARGETS; do
  case $target in
    sqlite)
      rm -f "$OUT"/bench.db*
      SIZE=size_sqlite BEFORE=before_sqlite AFTER=floor_sqlite run_target sqlite "$OUT/bench.db" seed_sqlite
      rm -f "$OUT"/bench.db* ;;
    postgres)
      PGDIR=$(mktemp -d /tmp/revloop-bench-pg.XXXXXX)
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDIR"
      PGPORT=$(free_port)
      as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
      as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1" start >/dev/null
      psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE revloop_bench" >/dev/null
      PG_URL="postgresql://postgres@127.0.0.1:$PGPORT/revloop_bench"
      SIZE=size_postgres BEFORE=true AFTER=true run_target postgres "Host=127.0.0.1;Port=$PGPORT;Database=revloop_bench;Username=postgres" seed_postgres
      cleanup; PGDIR="" ;;
  esac
done

STAMP=$(date -u +%Y-%m-%dT%H:%MZ)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo ""
  echo "### $STAMP — $(printf "%'d" "$ROWS") opportunities ($MB MB CSV), load average before: $LOAD"
  echo ""
  echo "| database | rows | wall | rate | CPU | peak RSS | database size |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  printf "%s" "$RESULT_ROWS"
  if [ -n "${FLOOR_TABLE:-}" ]; then
    echo ""
    echo "SQLite's floor for the rows that import stored (\`bench/imports/floor.cs\`):"
    echo ""
    echo "$FLOOR_TABLE"
  fi
} | tee -a "$ROOT/bench/imports/results.md"
