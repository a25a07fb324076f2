#!/usr/bin/env bash
# analyze on the lake of the 2 GB generated xentop capture (bench/xentop.sh's,
# one host, 3.9 M domain rows): peak RSS against the 256 MB target (issue 12
# part 3), and the time. xentop -b never prints the host's CPU count and the
# generated domains use up to 28 CPUs: the host is given 32 (--host-cpus), so
# that every migration policy decides at every frame. Peer: the same command
# with --decide none (migrations, VMs and classes only).
source "$(dirname "$0")/lib.sh"
big=$scratch/xentop-2GB.txt lake=$scratch/lake-analyze
[ -s "$big" ] || "$bin" generate --format xentop --size 2GB --seed 2 -o "$big"
[ -d "$lake/table=xentop_domain" ] || "$bin" ingest "$big" --out "$lake" > /dev/null
for ((r = 0; r < rounds; r++)); do
  keepbest all "$bin" analyze --lake "$lake" --host-cpus 32 --json
  keepbest nodecide "$bin" analyze --lake "$lake" --decide none --json
done
echo "analyze, lake of a $(($(stat -c %s "$big")/1000000)) MB xentop capture, best of $rounds rounds:"
echo "  --host-cpus 32 (every policy decides): ${all_s} s, max RSS ${all_rss_mb} MB (target < 256 MB)"
echo "  --decide none                        : ${nodecide_s} s, max RSS ${nodecide_rss_mb} MB"
