#!/usr/bin/env bash
# Reference implementation of `revloop metrics mrr --format csv` on PostgreSQL 15.
#
#   pg-mrr.sh FILE.csv FROM TO        (FROM/TO = YYYY-MM, inclusive)
#
# Starts a throwaway server (initdb in a temp dir, run as user postgres, on a free
# port, unix socket only), loads the CSV with COPY (timed), runs mrr.pg.sql
# (timed), prints the monthly CSV on stdout and timings (key=value) on stderr,
# then stops the server and removes the temp dir.
# Env: PG_BIN (default /usr/lib/postgresql/15/bin), PG_TMP (parent of the temp
#      dir, default /tmp), PG_WORK_MEM (default 2GB), PG_SHARED_BUFFERS (4GB),
#      PG_PARALLEL (max_parallel_workers_per_gather, default 2), PG_JIT (off).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
HEADER='month,mrr_start,new,expansion,reactivation,contraction,churn,mrr_end,customers_start,new_customers,reactivated_customers,churned_customers,customers_end'

die() { echo "pg-mrr: $*" >&2; exit 2; }
[ $# -eq 3 ] || die "usage: pg-mrr.sh FILE.csv FROM(YYYY-MM) TO(YYYY-MM)"
FILE="$(readlink -f "$1")"; FROM="$2"; TO="$3"
[ -r "$FILE" ] || die "cannot read $1"
[[ "$FROM" =~ ^[0-9]{4}-(0[1-9]|1[0-2])$ && "$TO" =~ ^[0-9]{4}-(0[1-9]|1[0-2])$ ]] || die "FROM/TO must be YYYY-MM"
[[ ! "$FROM" > "$TO" ]] || die "FROM must not be after TO"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
as_pg() { runuser -u postgres -- "$@"; }

T0=$(now)
TMP="$(mktemp -d "${PG_TMP:-/tmp}/revloop-pg.XXXXXX")"
chown postgres: "$TMP"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
STARTED=0
cleanup() {
  if [ "$STARTED" = 1 ]; then as_pg "$PG_BIN/pg_ctl" -D "$TMP/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$TMP/data" -U postgres --auth=trust --no-locale -E UTF8 >"$TMP/initdb.log" 2>&1 \
  || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
cat >>"$TMP/data/postgresql.conf" <<EOF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$TMP'
timezone = 'UTC'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 8GB
shared_buffers = ${PG_SHARED_BUFFERS:-4GB}
work_mem = ${PG_WORK_MEM:-2GB}
maintenance_work_mem = 2GB
max_parallel_workers_per_gather = ${PG_PARALLEL:-2}
jit = ${PG_JIT:-off}
EOF
as_pg "$PG_BIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -t 60 start >/dev/null \
  || { cat "$TMP/server.log" >&2; die "server did not start"; }
STARTED=1
PM_PID=$(head -1 "$TMP/data/postmaster.pid")
CLK_TCK=$(getconf CLK_TCK)
# CPU seconds of the server's finished processes (backends, parallel workers):
# the postmaster's cutime + cstime; a backend is counted once it has been reaped.
server_cpu() { awk -v hz="$CLK_TCK" '{ printf "%.2f", ($16 + $17) / hz }' "/proc/$PM_PID/stat"; }
wait_reaped() { local i; for i in $(seq 200); do [ -e "/proc/$1" ] || return 0; sleep 0.02; done; }
PSQL=(runuser -u postgres -- "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$TMP" -p "$PORT" -U postgres -d postgres)
"${PSQL[@]}" -f "$HERE/pg-setup.sql" >/dev/null
T_READY=$(now)

# ---- load ------------------------------------------------------------------
C1=$(server_cpu)
T1=$(now)
PID=$("${PSQL[@]}" -At -c "SELECT pg_backend_pid()" \
                    -c "COPY items FROM '$FILE' WITH (FORMAT csv, HEADER true)" \
                    -c "ANALYZE items")
T2=$(now)
wait_reaped "$PID"
C2=$(server_cpu)

# ---- compute ---------------------------------------------------------------
# Reject what the engine rejects (METRICS.md section 1) instead of silently computing.
T2B=$(now)
RES=$("${PSQL[@]}" -At -F' ' -c "SELECT pg_backend_pid()" -c "
  SELECT count(*) FILTER (WHERE customer_id IS NULL OR customer_id = ''),
         count(*) FILTER (WHERE \"start\" IS NULL),
         count(*) FILTER (WHERE \"end\" < \"start\"),
         count(*) FILTER (WHERE \"interval\" IS NULL OR lower(\"interval\") NOT IN ('day','week','month','quarter','year')),
         count(*) FILTER (WHERE coalesce(interval_count, 1) < 1 OR coalesce(quantity, 1) < 0),
         count(*) FILTER (WHERE amount IS NULL),
         CASE WHEN min(currency) IS DISTINCT FROM max(currency) THEN 1 ELSE 0 END
  FROM items")
PID=$(head -1 <<<"$RES"); BAD=$(tail -1 <<<"$RES")
[ "$BAD" = "0 0 0 0 0 0 0" ] || die "rejected input (no_customer no_start end_before_start bad_interval bad_count no_amount several_currencies): $BAD"
# In the same session afterwards, record the backend's peak RSS (VmHWM;
# parallel workers are not included).
printf '%s\n' "\\i $HERE/mrr.pg.sql" \
  'SELECT pg_backend_pid() AS backend_pid \gset' \
  '\setenv BACKEND_PID :backend_pid' \
  "\\! grep VmHWM /proc/\$BACKEND_PID/status > $TMP/hwm; echo \$BACKEND_PID > $TMP/pid" >"$TMP/compute.psql"
chown postgres: "$TMP/compute.psql"
OUT=$("${PSQL[@]}" -At -F, -v from="$FROM-01" -v to="$TO-01" -f "$TMP/compute.psql")
T3=$(now)
HWM_KB=$(awk '{print $2}' "$TMP/hwm" 2>/dev/null || true)
wait_reaped "$PID"; wait_reaped "$(cat "$TMP/pid")"
C3=$(server_cpu)

printf '%s\n%s\n' "$HEADER" "$OUT"
{
  echo "engine=postgres"
  echo "load_s=$(elapsed "$T1" "$T2")"
  echo "compute_s=$(elapsed "$T2B" "$T3")"
  echo "load_cpu_s=$(elapsed "$C1" "$C2")"
  echo "compute_cpu_s=$(elapsed "$C2" "$C3")"
  echo "startup_s=$(elapsed "$T0" "$T_READY")"
  echo "total_s=$(elapsed "$T0" "$(now)")"
  echo "backend_peak_rss_kb=$HWM_KB"
  echo "rows=$(printf '%s\n' "$OUT" | grep -c .)"
} >&2
