# Shared helpers for bench/*.sh: build the binary, make a scratch dir,
# time a command (wall seconds from bash's clock; CPU seconds and max RSS
# via GNU time).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/bin/migreplay
scratch=${BENCH_SCRATCH:-$root/.scratch/bench}
mkdir -p "$scratch"
( cd "$root" && go build -o "$bin" ./cmd/migreplay )

# timeit NAME CMD... : runs CMD, sets ${NAME}_s (wall seconds), ${NAME}_cpu
# (user + system seconds) and ${NAME}_rss_mb.
timeit() {
  local name=$1; shift
  local log; log=$(mktemp "$scratch/time.XXXXXX")
  local t0=$EPOCHREALTIME
  /usr/bin/time -v -o "$log" "$@" >/dev/null
  local t1=$EPOCHREALTIME
  local wall rss cpu
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$log")
  # wall time from bash's microsecond clock (GNU time prints centiseconds)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$log")
  rm -f "$log"
  printf -v "${name}_s" '%s' "$wall"
  printf -v "${name}_rss_mb" '%s' "$rss"
  printf -v "${name}_cpu" '%s' "$cpu"
}

# keepbest NAME CMD... : runs CMD (timeit) and keeps in ${NAME}_s the fastest
# wall time seen so far for NAME (and that run's RSS). Scripts alternate the
# sides for $rounds rounds and compare the best of each: the least disturbed
# run on a shared machine.
keepbest() {
  local name=$1; shift
  timeit _one "$@"
  local cur="${name}_s"
  if [ -z "${!cur:-}" ] || awk -v a="$_one_s" -v b="${!cur}" 'BEGIN { exit !(a < b) }'; then
    printf -v "${name}_s" '%s' "$_one_s"
    printf -v "${name}_rss_mb" '%s' "$_one_rss_mb"
    printf -v "${name}_cpu" '%s' "$_one_cpu"
  fi
}

# ROUNDS (env, default 3): rounds of the alternating comparisons.
rounds=${ROUNDS:-3}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mbps() { awk -v bytes="$1" -v s="$2" 'BEGIN { printf "%.1f", bytes / 1e6 / s }'; }
