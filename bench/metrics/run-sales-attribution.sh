#!/usr/bin/env bash
# Benchmark of `revloop metrics sales` (issue 5) and `revloop metrics attribution` (issue 6), end to end.
#
#   REVLOOP_CMD="dotnet /tmp/revloop/revloop.dll" bench/metrics/run-sales-attribution.sh
#
# Generates (cached in $OUT_DIR/data/) a deterministic opportunities CSV of SALES_ROWS deals (generate-sales.py) and a
# paths CSV of TOUCHPOINTS touchpoints (generate-paths.py), then runs under /usr/bin/time -v:
#   metrics sales --from 2024-01-01 --to 2024-12-31 (no grouping, and --group-by owner)
#   metrics attribution --model first|last|linear|u_shaped|markov
# Each output is checked against a straightforward Python reference (reference-sales.py: byte-identical CSV;
# reference-attribution.py: every credit within 0.0001 of a float computation and exact totals). Results go to
# $OUT_DIR/sales-attribution-<UTC timestamp>.md (also printed).
#
# Env: REVLOOP_CMD (required), SALES_ROWS (1000000), TOUCHPOINTS (10000000), SEED (42), REPEAT (runs per case, the
#      fastest is kept; default 1), CHECK (1 = compare with the references, 0 = skip), OUT_DIR (bench/out),
#      QUIET_WAIT / QUIET_BUSY as in run.sh (wait up to QUIET_WAIT s for CPU busy < QUIET_BUSY % before each run).
# Exit status 0 when every run succeeded and every check passed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT_DIR="${OUT_DIR:-$ROOT/bench/out}"
SALES_ROWS="${SALES_ROWS:-1000000}"
TOUCHPOINTS="${TOUCHPOINTS:-10000000}"
SEED="${SEED:-42}"
REPEAT="${REPEAT:-1}"
CHECK="${CHECK:-1}"
[ -n "${REVLOOP_CMD:-}" ] || { echo "set REVLOOP_CMD, e.g. REVLOOP_CMD=\"dotnet /tmp/revloop/revloop.dll\"" >&2; exit 2; }
read -r -a REVLOOP <<<"$REVLOOP_CMD"

mkdir -p "$OUT_DIR/data" "$OUT_DIR/runs/sales-attribution"
RUNS="$OUT_DIR/runs/sales-attribution"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$OUT_DIR/sales-attribution-$STAMP.md"
FAILED=0

log() { echo "[run-sales-attribution] $*" >&2; }
now() { date +%s.%N; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
cpu_busy() { # percent of all CPUs busy over $1 seconds
  local a b c d e f g h t1 i1 t2 i2
  read -r _ a b c d e f g h _ </proc/stat; t1=$((a + b + c + d + e + f + g + h)); i1=$((d + e))
  sleep "$1"
  read -r _ a b c d e f g h _ </proc/stat; t2=$((a + b + c + d + e + f + g + h)); i2=$((d + e))
  echo $((100 - 100 * (i2 - i1) / (t2 - t1 > 0 ? t2 - t1 : 1)))
}
BUSY=0
wait_quiet() {
  local deadline=$(($(date +%s) + ${QUIET_WAIT:-300}))
  while :; do
    BUSY=$(cpu_busy 3)
    [ "$BUSY" -lt "${QUIET_BUSY:-25}" ] && return 0
    [ "$(date +%s)" -ge "$deadline" ] && { log "machine still busy (${BUSY}% CPU): measuring anyway"; return 0; }
    log "machine busy (${BUSY}% CPU), waiting"
    sleep 7
  done
}

SALES="$OUT_DIR/data/sales-$SALES_ROWS-$SEED.csv"
PATHS="$OUT_DIR/data/paths-$TOUCHPOINTS-$SEED.csv"
[ -s "$SALES" ] || { log "generating $SALES"; python3 "$HERE/generate-sales.py" --rows "$SALES_ROWS" --seed "$SEED" --out "$SALES.tmp" && mv "$SALES.tmp" "$SALES"; }
[ -s "$PATHS" ] || { log "generating $PATHS"; python3 "$HERE/generate-paths.py" --touchpoints "$TOUCHPOINTS" --seed "$SEED" --out "$PATHS.tmp" && mv "$PATHS.tmp" "$PATHS"; }
PATH_ROWS=$(($(wc -l <"$PATHS") - 1))

# run_case NAME ARGS... -> appends a table row; output in $RUNS/NAME.csv
ROWS=()
run_case() {
  local name="$1"; shift
  local best="" line
  for ((r = 1; r <= REPEAT; r++)); do
    wait_quiet
    local busy=$BUSY t0 t1 rc=0
    t0=$(now)
    /usr/bin/time -v -o "$RUNS/$name.time" "${REVLOOP[@]}" "$@" --timings >"$RUNS/$name.csv" 2>"$RUNS/$name.err" || rc=$?
    t1=$(now)
    if [ "$rc" -ne 0 ]; then log "$name failed (exit $rc): $(tail -3 "$RUNS/$name.err")"; FAILED=1; return; fi
    local e2e load compute cpu rss
    e2e=$(fsub "$t0" "$t1")
    load=$(sed -n 's/^load_s=//p' "$RUNS/$name.err" | tail -1)
    compute=$(sed -n 's/^compute_s=//p' "$RUNS/$name.err" | tail -1)
    cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$RUNS/$name.time")
    rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$RUNS/$name.time" | tail -1)
    line="$e2e|$load|$compute|$cpu|$((rss / 1024))|$busy"
    log "$name run $r: e2e ${e2e}s load ${load}s compute ${compute}s cpu ${cpu}s rss $((rss / 1024)) MB (busy before: ${busy}%)"
    if [ -z "$best" ] || awk -v a="$e2e" -v b="${best%%|*}" 'BEGIN { exit !(a < b) }'; then best="$line"; fi
  done
  ROWS+=("$name|$best")
}

check() { # name command...
  local name="$1"; shift
  [ "$CHECK" = 1 ] || { CHECKS+=("$name: not checked"); return; }
  local msg
  if msg=$("$@" 2>&1); then CHECKS+=("$name: ${msg:-identical to the reference}"); else CHECKS+=("$name: FAILED ${msg}"); FAILED=1; fi
}
CHECKS=()

run_case sales-all metrics sales --opportunities "$SALES" --from 2024-01-01 --to 2024-12-31 --format csv
run_case sales-by-owner metrics sales --opportunities "$SALES" --from 2024-01-01 --to 2024-12-31 --group-by owner --format csv
for m in first last linear u_shaped markov; do
  run_case "attribution-$m" metrics attribution --paths "$PATHS" --model "$m" --format csv
done

if [ "$CHECK" = 1 ]; then log "checking against the Python references"; fi
check sales-all bash -c "python3 '$HERE/reference-sales.py' '$SALES' 2024-01-01 2024-12-31 | cmp - '$RUNS/sales-all.csv'"
check sales-by-owner bash -c "python3 '$HERE/reference-sales.py' '$SALES' 2024-01-01 2024-12-31 owner | cmp - '$RUNS/sales-by-owner.csv'"
for m in first last linear u_shaped markov; do
  check "attribution-$m" python3 "$HERE/reference-attribution.py" "$PATHS" "$m" "$RUNS/attribution-$m.csv"
done

{
  echo "# metrics sales and metrics attribution — $STAMP"
  echo
  echo "Command: \`$REVLOOP_CMD\`; $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); .NET $(dotnet --version 2>/dev/null || echo '?'); REPEAT=$REPEAT (fastest kept)."
  echo
  echo "Inputs: $SALES_ROWS opportunities ($(du -h "$SALES" | cut -f1)); $TOUCHPOINTS touchpoints in $PATH_ROWS paths over 20 channels ($(du -h "$PATHS" | cut -f1)); seed $SEED."
  echo
  echo "| case | end to end (s) | load / parse (s) | compute (s) | CPU (s) | peak RSS (MB) | CPU busy before (%) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for row in "${ROWS[@]}"; do IFS='|' read -r n e l c u m b <<<"$row"; echo "| $n | $e | $l | $c | $u | $m | $b |"; done
  echo
  echo "Checks:"
  echo
  for c in "${CHECKS[@]}"; do echo "- $c"; done
} >"$RESULTS"
cat "$RESULTS"
exit "$FAILED"
