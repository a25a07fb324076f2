#!/usr/bin/env bash
# Runs every bench/*.sh peer comparison in turn.
set -euo pipefail
cd "$(dirname "$0")"
for s in *.sh; do case $s in all.sh|lib.sh) continue;; esac; echo "== $s"; ./"$s"; done
