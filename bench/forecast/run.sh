#!/usr/bin/env bash
# The accountability performance matrix (APM) on a demo database: `revloop metrics apm --timings` per dimension,
# reporting the in-process compute time (queries + engine; compute_s) and the whole command's wall time.
# Usage: bench/forecast/run.sh DATABASE [OPPORTUNITIES] [REPEAT] [PERIOD]
#   DATABASE       SQLite file or PostgreSQL connection string (as --database)
#   OPPORTUNITIES  when given and DATABASE is a file that does not exist yet, the demo company of that size is made first
#   REPEAT         runs per dimension (default 5; the first is a warm-up and not counted)
#   PERIOD         fiscal period (default FY2026-Q4, the quarter of the demo's as-of day 2026-11-01)
set -euo pipefail
cd "$(dirname "$0")/../.."
db=${1:?usage: bench/forecast/run.sh DATABASE [OPPORTUNITIES] [REPEAT] [PERIOD]}
opps=${2:-}; repeat=${3:-5}; period=${4:-FY2026-Q4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet publish src/RevLoop.Server -c Release -o "$work/app" >/dev/null
revloop() { dotnet "$work/app/revloop.dll" "$@"; }
if [ -n "$opps" ] && [[ "$db" != *=* ]] && [ ! -e "$db" ]; then
  echo "making the demo company with $opps opportunities in $db…" >&2
  revloop demo --database "$db" --opportunities "$opps" >/dev/null
fi
revloop migrate --database "$db" >/dev/null
echo "database: $db; period $period; median and max of $repeat runs after one warm-up, seconds"
for dim in product region segment source; do
  revloop metrics apm --database "$db" --dimension "$dim" --period "$period" >/dev/null
  compute=(); wall=()
  for _ in $(seq "$repeat"); do
    start=$(date +%s.%N)
    c=$(revloop metrics apm --database "$db" --dimension "$dim" --period "$period" --timings 2>&1 >/dev/null | sed -n 's/^compute_s=//p')
    end=$(date +%s.%N)
    compute+=("$c"); wall+=("$(echo "$end - $start" | bc)")
  done
  cm=$(printf '%s\n' "${compute[@]}" | sort -n | sed -n "$(( (repeat + 1) / 2 ))p"); cx=$(printf '%s\n' "${compute[@]}" | sort -n | tail -1)
  wm=$(printf '%s\n' "${wall[@]}" | sort -n | sed -n "$(( (repeat + 1) / 2 ))p")
  printf '%-8s compute median %s max %s  (whole command median %.2f)\n' "$dim" "$cm" "$cx" "$wm"
done
revloop metrics apm --database "$db" --dimension region --period "$period" | head -3
