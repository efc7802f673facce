#!/usr/bin/env bash
# The accountability performance matrix (APM) on a demo database: `revloop metrics apm --timings --repeat` per
# dimension: the first computation in a fresh process (cold: opens the database, builds the EF model, compiles the
# queries) and the median of the following ones in the same process (warm, as the server answers), plus the whole
# command's wall time.
# Usage: bench/forecast/run.sh DATABASE [OPPORTUNITIES] [REPEAT] [PERIOD]
#   DATABASE       SQLite file or PostgreSQL connection string (as --database)
#   OPPORTUNITIES  when given and DATABASE is a file that does not exist yet, the demo company of that size is made first
#   REPEAT         computations per process (default 5; the first is the cold one)
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
echo "database: $db; period $period; seconds"
for dim in product region segment source; do
  start=$(date +%s.%N)
  t=$(revloop metrics apm --database "$db" --dimension "$dim" --period "$period" --timings --repeat "$repeat" 2>&1 >/dev/null | tr '\n' ' ')
  end=$(date +%s.%N)
  printf '%-8s %s whole_command_s=%.2f\n' "$dim" "$t" "$(echo "$end - $start" | bc)"
done
revloop metrics apm --database "$db" --dimension region --period "$period" | head -3
