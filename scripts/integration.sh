#!/usr/bin/env bash
# Integration: ingest the bundled traces, then query the lake with DuckDB
# (@duckdb/node-api from npm, installed into a scratch folder).
set -euo pipefail
bin=${1:-bin/migreplay}
echo "integration: nothing to query yet (ingest lands next)"
