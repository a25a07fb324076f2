# Shared helpers for bench/*.sh: build the binary, make a scratch dir,
# time a command (wall seconds and max RSS via GNU time).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/bin/migreplay
scratch=${BENCH_SCRATCH:-$root/.scratch/bench}
mkdir -p "$scratch"
( cd "$root" && go build -o "$bin" ./cmd/migreplay )

# timeit NAME CMD... : runs CMD, sets ${NAME}_s (wall seconds) and ${NAME}_rss_mb.
timeit() {
  local name=$1; shift
  local log; log=$(mktemp "$scratch/time.XXXXXX")
  /usr/bin/time -v -o "$log" "$@" >/dev/null
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$log")
  rm -f "$log"
  printf -v "${name}_s" '%s' "$wall"
  printf -v "${name}_rss_mb" '%s' "$rss"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mbps() { awk -v bytes="$1" -v s="$2" 'BEGIN { printf "%.1f", bytes / 1e6 / s }'; }
