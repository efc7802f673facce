#!/usr/bin/env bash
# Touchpoint attribution benchmark (issue 6): every model over N generated touches (default 10,000,000).
#   bench/metrics/touch-attribution/run.sh [touches] [repeat]
# Prints a markdown table (compute seconds per model, peak working set) and saves it to
# bench/metrics/results/touch-attribution-<UTC time>.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
N="${1:-10000000}"
REPEAT="${2:-1}"
out="$HERE/../results/touch-attribution-$(date -u +%Y%m%dT%H%M%SZ).md"
dotnet build "$HERE/TouchBench.csproj" -c Release -o "${TMPDIR:-/tmp}/touch-bench" >&2
{ echo "# Touchpoint attribution, $N touches ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"; echo
  dotnet "${TMPDIR:-/tmp}/touch-bench/TouchBench.dll" "$N" "$REPEAT"; } | tee "$out"
