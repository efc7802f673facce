#!/usr/bin/env bash
# Benchmark of `revloop metrics mrr` against DuckDB and PostgreSQL references.
#
#   bench/metrics/run.sh [N_CUSTOMERS...]          (default: 100000 1000000)
#
# For each size: generates the canonical CSV (cached in bench/out/data/), runs
# every engine end to end under /usr/bin/time -v, checks each output
# (check-output.py), diffs all outputs (must be identical), and writes a results
# table to bench/out/results-<UTC timestamp>.md (also printed). Before that, every
# engine is checked against the hand-computed tiny.expected.csv.
#
# Env:
#   REVLOOP_CMD  command that runs RevLoop, e.g. "dotnet /path/RevLoop.Cli.dll";
#                it is called as: $REVLOOP_CMD metrics mrr --subscriptions FILE
#                --from FROM --to TO --format csv. Unset: RevLoop is skipped.
#   ENGINES      engines to run, default "duckdb postgres revloop" (first = baseline
#                for the diff); e.g. ENGINES=duckdb for very large sizes.
#   FROM, TO     reported months, default 2021-01 .. 2025-12
#   SEED         generator seed, default 42
#   REPEAT       runs per engine and size, the fastest end-to-end run is kept (default 1)
#   OUT_DIR      default bench/out (at the repository root)
#   QUIET_WAIT   before each timed run, wait up to this many seconds (default 300)
#                for the machine to be quiet (CPU busy < QUIET_BUSY %, default 25,
#                over 3 s); the busy % seen just before each run is reported.
# Exit status: 0 when every output passed its checks and all outputs agree.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT_DIR="${OUT_DIR:-$ROOT/bench/out}"
SEED="${SEED:-42}"
FROM="${FROM:-2021-01}"
TO="${TO:-2025-12}"
REPEAT="${REPEAT:-1}"
ENGINES="${ENGINES:-duckdb postgres revloop}"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000)

mkdir -p "$OUT_DIR/data" "$OUT_DIR/runs"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$OUT_DIR/results-$STAMP.md"
ROWS_TSV="$(mktemp)"
trap 'rm -f "$ROWS_TSV"' EXIT
FAILED=0

log() { echo "[run.sh] $*" >&2; }
now() { date +%s.%N; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

if [ ! -d "$HERE/node_modules/@duckdb/node-api" ]; then
  log "installing @duckdb/node-api (npm ci)"
  (cd "$HERE" && npm ci --no-audit --no-fund >&2)
fi

active_engines=()
for e in $ENGINES; do
  case "$e" in
    duckdb|postgres) active_engines+=("$e") ;;
    revloop)
      if [ -n "${REVLOOP_CMD:-}" ]; then active_engines+=(revloop); else log "REVLOOP_CMD not set: RevLoop skipped"; fi ;;
    *) log "unknown engine $e"; exit 2 ;;
  esac
done
[ ${#active_engines[@]} -gt 0 ] || { log "no engine to run"; exit 2; }

build_cmd() { # engine file from to -> sets CMD
  case "$1" in
    duckdb) CMD=(node "$HERE/duckdb-mrr.mjs" "$2" "$3" "$4") ;;
    postgres) CMD=("$HERE/pg-mrr.sh" "$2" "$3" "$4") ;;
    revloop) read -r -a CMD <<<"$REVLOOP_CMD"; CMD+=(metrics mrr --subscriptions "$2" --from "$3" --to "$4" --format csv --timings) ;;
  esac
}

cpu_busy() { # percent of all CPUs busy over $1 seconds
  local a b c d e f g h t1 i1 t2 i2
  read -r _ a b c d e f g h _ </proc/stat; t1=$((a + b + c + d + e + f + g + h)); i1=$((d + e))
  sleep "$1"
  read -r _ a b c d e f g h _ </proc/stat; t2=$((a + b + c + d + e + f + g + h)); i2=$((d + e))
  echo $((100 - 100 * (i2 - i1) / (t2 - t1 > 0 ? t2 - t1 : 1)))
}
BUSY=0
wait_quiet() { # sets BUSY
  local deadline=$(($(date +%s) + ${QUIET_WAIT:-300}))
  while :; do
    BUSY=$(cpu_busy 3)
    [ "$BUSY" -lt "${QUIET_BUSY:-25}" ] && return 0
    [ "$(date +%s)" -ge "$deadline" ] && { log "machine still busy (${BUSY}% CPU): measuring anyway"; return 0; }
    log "machine busy (${BUSY}% CPU), waiting"
    sleep 7
  done
}

# run_once ENGINE FILE FROM TO OUT_CSV ERR_FILE TIME_FILE -> prints "e2e load compute cpu rss_kb rc"
run_once() {
  local engine="$1" file="$2" from="$3" to="$4" out="$5" err="$6" tfile="$7" rc=0 t0 t1
  local -a CMD
  build_cmd "$engine" "$file" "$from" "$to"
  t0=$(now)
  /usr/bin/time -v -o "$tfile" "${CMD[@]}" >"$out" 2>"$err" || rc=$?
  t1=$(now)
  local load compute rss cpu
  load=$(sed -n 's/^load_s=//p' "$err" | tail -1)
  compute=$(sed -n 's/^compute_s=//p' "$err" | tail -1)
  # CPU = user + system of the command and its children; for PostgreSQL plus the
  # server processes (not children of the command), as reported by pg-mrr.sh.
  cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$tfile")
  if [ "$engine" = postgres ]; then
    rss=$(sed -n 's/^backend_peak_rss_kb=//p' "$err" | tail -1)
    cpu=$(awk -v c="$cpu" -F= '/^(load|compute)_cpu_s=/ { c += $2 } END { printf "%.2f", c }' "$err")
  else
    rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$tfile" | tail -1)
  fi
  echo "$(fsub "$t0" "$t1") ${load:--} ${compute:--} ${cpu:--} ${rss:--} $rc"
}

# ---- tiny hand-checked case --------------------------------------------------
TINY_STATUS=()
mkdir -p "$OUT_DIR/runs/tiny"
for e in "${active_engines[@]}"; do
  read -r _ _ _ _ _ rc < <(run_once "$e" "$HERE/tiny.csv" 2023-12 2024-05 \
    "$OUT_DIR/runs/tiny/$e.csv" "$OUT_DIR/runs/tiny/$e.err" "$OUT_DIR/runs/tiny/$e.time")
  if [ "$rc" = 0 ] && cmp -s "$OUT_DIR/runs/tiny/$e.csv" "$HERE/tiny.expected.csv"; then
    TINY_STATUS+=("$e: identical to tiny.expected.csv")
  else
    TINY_STATUS+=("$e: **DIFFERS** (exit $rc; see runs/tiny/$e.csv, $e.err)")
    FAILED=1
    diff "$HERE/tiny.expected.csv" "$OUT_DIR/runs/tiny/$e.csv" >&2 || true
  fi
  log "tiny: ${TINY_STATUS[-1]}"
done

# ---- sizes ---------------------------------------------------------------------
declare -A AGREE
for n in "${SIZES[@]}"; do
  data="$OUT_DIR/data/subs-$n-s$SEED.csv"
  if [ ! -s "$data" ]; then
    log "generating $n customers (seed $SEED)"
    t0=$(now)
    python3 "$HERE/generate.py" --customers "$n" --seed "$SEED" --out "$data.tmp"
    mv "$data.tmp" "$data"
    log "generated in $(fsub "$t0" "$(now)") s"
  fi
  nrows=$(($(wc -l <"$data") - 1))
  fsize=$(du -m "$data" | cut -f1)
  cat "$data" >/dev/null # page cache warm for every engine alike
  rdir="$OUT_DIR/runs/$n"
  mkdir -p "$rdir"
  base=""
  AGREE[$n]="identical"
  for e in "${active_engines[@]}"; do
    best=""
    for ((i = 1; i <= REPEAT; i++)); do
      wait_quiet
      log "$n customers: $e (run $i/$REPEAT, CPU busy before: ${BUSY}%)"
      res="$(run_once "$e" "$data" "$FROM" "$TO" "$rdir/$e.csv.new" "$rdir/$e.err.new" "$rdir/$e.time.new") $BUSY"
      read -r e2e load compute cpu rss rc busy <<<"$res"
      log "  e2e=${e2e}s load=${load}s compute=${compute}s cpu=${cpu}s peak_rss_kb=$rss exit=$rc"
      if [ -z "$best" ] || [ "$rc" != 0 ] || awk -v a="$e2e" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
        best="$res"
        for x in csv err time; do mv "$rdir/$e.$x.new" "$rdir/$e.$x"; done
      fi
      [ "$rc" = 0 ] || break
    done
    rm -f "$rdir/$e".*.new
    read -r e2e load compute cpu rss rc busy <<<"$best"
    status="ok"
    if [ "$rc" != 0 ]; then
      status="exit $rc"; FAILED=1
      tail -5 "$rdir/$e.err" >&2
    elif ! python3 "$HERE/check-output.py" "$rdir/$e.csv" "$FROM" "$TO"; then
      status="check-output failed"; FAILED=1
    fi
    if [ -z "$base" ]; then
      base="$e"
    elif ! cmp -s "$rdir/$base.csv" "$rdir/$e.csv"; then
      diff "$rdir/$base.csv" "$rdir/$e.csv" >"$rdir/diff-$base-$e.txt" || true
      status="$status; DIFFERS from $base ($(grep -c '^<' "$rdir/diff-$base-$e.txt") rows)"
      AGREE[$n]="**DIFFER**"; FAILED=1
      log "  $e output differs from $base: $rdir/diff-$base-$e.txt"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$nrows" "$fsize" "$e" "$e2e" "$load" "$compute" "$rss" "$status" "$cpu" "$busy" >>"$ROWS_TSV"
  done
done

# ---- report --------------------------------------------------------------------
{
  echo "# metrics mrr benchmark $STAMP"
  echo
  echo "- command: \`revloop metrics mrr --subscriptions FILE --from $FROM --to $TO --format csv\`"
  echo "- data: bench/metrics/generate.py, seed $SEED; runs per engine: $REPEAT (fastest end-to-end kept)"
  echo "- machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "- versions: node $(node --version), DuckDB $(node -e "import('@duckdb/node-api').then(m => m.DuckDBInstance.create(':memory:')).then(d => d.connect()).then(c => c.runAndReadAll('select version()')).then(r => console.log(r.getRows()[0][0]))" 2>/dev/null || echo '?') (@duckdb/node-api), $("${PG_BIN:-/usr/lib/postgresql/15/bin}/postgres" --version)"
  if [ -n "${REVLOOP_CMD:-}" ]; then echo "- RevLoop: \`$REVLOOP_CMD\`"; fi
  echo "- commit: $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "Tiny hand-checked case (tiny.csv, 2023-12..2024-05):"
  echo
  for s in "${TINY_STATUS[@]}"; do echo "- $s"; done
  echo
  echo "| customers | rows | CSV MB | engine | end to end s | load s | compute s | CPU s | peak RSS MB | e2e / DuckDB | e2e / PostgreSQL | compute / DuckDB | CPU / DuckDB | busy before % | status |"
  echo "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F'\t' '
    { n[NR]=$1; line[NR]=$0; if ($4 == "duckdb") { d[$1]=$5; dc[$1]=$7; du[$1]=$10 } if ($4 == "postgres") p[$1]=$5 }
    function ratio(a, b) { return (b == "" || b == "-" || a == "-" || b + 0 == 0) ? "–" : sprintf("%.2f", a / b) }
    END {
      for (i = 1; i <= NR; i++) {
        split(line[i], f, "\t")
        rss = (f[8] == "-" || f[8] == "") ? "–" : sprintf("%.0f", f[8] / 1024)
        if (f[4] == "postgres" && rss != "–") rss = rss " (backend)"
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[10], rss,
          ratio(f[5], d[f[1]]), ratio(f[5], p[f[1]]), ratio(f[7], dc[f[1]]), ratio(f[10], du[f[1]]), f[11], f[9]
      }
    }' "$ROWS_TSV"
  echo
  for n in "${SIZES[@]}"; do echo "- $n customers: outputs ${AGREE[$n]} across ${active_engines[*]}"; done
  echo
  echo "End to end = wall time of the whole command (process start, CSV parse, compute, output;"
  echo "for PostgreSQL also initdb, server start and stop). Load/compute as reported by the engine"
  echo "(DuckDB: CSV -> typed table / validation + SQL; PostgreSQL: COPY + ANALYZE / validation + SQL)."
  echo "CPU = user + system seconds of the command (all threads and children; for PostgreSQL plus the"
  echo "server processes during load and compute): less sensitive than wall time to other load on the"
  echo "machine. Peak RSS from /usr/bin/time -v; for PostgreSQL the VmHWM of the backend that ran the"
  echo "query (shared buffers it touched included, parallel workers not). busy before % = CPU use of"
  echo "the whole machine in the 3 s before the run (other work on the machine slows wall times)."
} >"$RESULTS"
cat "$RESULTS"
log "results: $RESULTS"
exit $FAILED
