#!/usr/bin/env bash
# make run: the main job on the bundled datasets, end to end.
set -euo pipefail
bin=${1:-bin/migreplay}; out=${2:-out}
rm -rf "$out"; mkdir -p "$out"
echo "== ingest datasets/traces -> $out/lake"
"$bin" ingest datasets/traces --out "$out/lake"
