#!/usr/bin/env bash
# Integration test (part of make test): ingest the bundled traces, then let
# DuckDB (@duckdb/node-api from npm, installed into .scratch/duckdb) read the
# lake exactly as a data scientist would: row counts per table must equal
# what the ingest reported, every file must carry the schema version, and a
# join of ping replies with sar cpu by minute bucket must find rows.
set -euo pipefail
bin=${1:-bin/migreplay}
root=$(pwd)
scratch=$root/.scratch
mkdir -p "$scratch/duckdb"
if [ ! -d "$scratch/duckdb/node_modules/@duckdb/node-api" ]; then
  if ! command -v npm >/dev/null; then
    echo "integration: FAIL: npm is not installed (apt-get install nodejs npm)" >&2; exit 1
  fi
  ( cd "$scratch/duckdb" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund --loglevel=error @duckdb/node-api >/dev/null ) || {
    echo "integration: FAIL: could not install @duckdb/node-api from npm (is the npm registry reachable?)" >&2; exit 1; }
fi
lake=$(mktemp -d "$scratch/lake.XXXXXX")
trap 'rm -rf "$lake"' EXIT
"$bin" ingest datasets/traces --out "$lake" --json > "$lake.summary.json"
mv "$lake.summary.json" "$lake/_summary.json"
NODE_PATH="$scratch/duckdb/node_modules" node "$root/scripts/duckdb_check.mjs" "$lake"
