#!/usr/bin/env bash
# Runs every bench/*.sh peer comparison in turn.
set -euo pipefail
cd "$(dirname "$0")"
for s in *.sh; do [ "$s" = all.sh ] && continue; echo "== $s"; ./"$s"; done
